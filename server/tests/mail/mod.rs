//! Mail over a real SMTP conversation: contact verification, nothing lost while the server is
//! down, each mail once with two workers, and failed mail visible to administrators.

use server::identity::BsnVault;
use std::{collections::BTreeSet, time::Duration};
use types::MailStatus;

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use server::{
    entities::{citizen_contacts, outbox_mails},
    mail::{self, Mail, RequestReference, worker::Round},
};

use crate::{
    db_test,
    support::{
        TestApp,
        demo::{ADMIN, EVA, FATIMA, HANS},
        location, staff_login,
    },
};

/// Mails in the outbox, whatever their status: what a refused form must leave alone.
async fn outbox_count(app: &TestApp) -> u64 {
    app.count::<outbox_mails::Entity>().await
}

/// A reference to put in mails; no request needs to exist for the mail layer.
fn reference() -> RequestReference {
    RequestReference::parse("AVG-2026-000042").unwrap()
}

/// Queues one mail in Dutch, as the request steps do.
async fn enqueue(app: &TestApp, to: &str, mail: &Mail) {
    let address: lettre::Address = to.parse().unwrap();
    mail::enqueue(
        &app.db,
        &app.settings,
        &address,
        app::i18n::Locale::Nl,
        mail,
    )
    .await
    .unwrap();
}

/// Tells the citizen a new message is waiting; `false` when no confirmed address was used.
async fn notify_new_message(app: &TestApp, citizen_id: i64) -> bool {
    mail::notify_citizen(
        &app.db,
        &app.settings,
        citizen_id,
        &Mail::NewMessage(reference()),
    )
    .await
    .unwrap()
}

/// Runs `worker` until `count` mails have `status`, pausing when it finds nothing due (retries
/// wait for their backoff); fails with `why` after 20 seconds.
async fn work_until(
    app: &TestApp,
    worker: &server::mail::worker::Worker,
    status: MailStatus,
    count: u64,
    why: &str,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while outbox_mails::Entity::find()
        .filter(outbox_mails::Column::Status.eq(status))
        .count(&app.db)
        .await
        .unwrap()
        < count
    {
        assert!(tokio::time::Instant::now() < deadline, "{why}");
        if worker.work_once().await.unwrap() == Round::Idle {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// The Message-IDs the SMTP server received, to show each mail arrived once.
fn received_ids(app: &TestApp) -> BTreeSet<String> {
    app.smtp
        .received()
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect()
}

async fn contact_address_is_verified_over_real_smtp(app: TestApp) {
    let mut browser = app.citizen(FATIMA).await;
    let vault = crate::support::demo::vault(&app);
    let pseudonym = vault.pseudonym(&server::identity::Bsn::parse("999993653").unwrap());
    let citizen_id = server::entities::citizens::Entity::find()
        .filter(server::entities::citizens::Column::BsnPseudonym.eq(pseudonym))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let page = browser.get_text("/instellingen").await;
    assert!(page.contains("data-testid=\"no-email\""));

    // Bad input: a clear notice, nothing stored, nothing queued.
    let bad = browser
        .post("/instellingen/email", &[("email", "geen adres")])
        .await;
    assert_eq!(location(&bad), "/instellingen?melding=ongeldig");
    assert_eq!(outbox_count(&app).await, 0);
    assert!(app.all::<citizen_contacts::Entity>().await.is_empty());

    // In English: the verification mail follows the citizen's language.
    browser.cookies.insert("inzage_taal".into(), "en".into());
    let set = browser
        .post("/instellingen/email", &[("email", "fatima@example.org")])
        .await;
    assert_eq!(location(&set), "/instellingen?melding=verstuurd");
    assert_eq!(outbox_count(&app).await, 1);

    // An address that is not confirmed is never used for notifications.
    let used = notify_new_message(&app, citizen_id).await;
    assert!(!used, "unconfirmed address must not be used");
    assert_eq!(outbox_count(&app).await, 1);

    app.deliver_due_mail().await;
    let received = app.smtp.received();
    assert_eq!(received.len(), 1);
    let mail = &received[0];
    let row = outbox_mails::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.status, MailStatus::Sent);
    assert_eq!(mail.header("Message-ID").unwrap(), row.message_id);
    assert_eq!(
        mail.header("Subject").unwrap(),
        "Confirm your e-mail address for Inzage"
    );
    assert_eq!(mail.header("To").unwrap(), "fatima@example.org");
    assert!(
        mail.header("From")
            .unwrap()
            .contains("noreply@voorbeeldstad.example")
    );
    assert!(mail.to.iter().any(|t| t.contains("fatima@example.org")));
    let content_type = mail.header("Content-Type").unwrap();
    assert!(
        content_type.starts_with("multipart/alternative"),
        "{content_type}"
    );
    let decoded = mail.decoded();
    assert!(
        decoded.contains("Content-Type: text/plain") && decoded.contains("Content-Type: text/html")
    );
    for personal in ["999993653", "Fatima el Amrani", "******653"] {
        assert!(!decoded.contains(personal), "mail contains {personal}");
    }
    let code = decoded
        .split("Your confirmation code is: ")
        .nth(1)
        .map(|rest| rest.chars().take(9).collect::<String>())
        .expect("code in the mail");

    let wrong = browser
        .post("/instellingen/bevestigen", &[("code", "AAAA-AAAA")])
        .await;
    assert_eq!(location(&wrong), "/instellingen?melding=code-onjuist");
    assert!(!notify_new_message(&app, citizen_id).await);

    let right = browser
        .post(
            "/instellingen/bevestigen",
            &[("code", &code.to_lowercase())],
        )
        .await;
    assert_eq!(location(&right), "/instellingen?melding=bevestigd");
    let page = browser.get_text("/instellingen").await;
    assert!(page.contains("fatima@example.org") && page.contains("data-testid=\"verified-email\""));
    assert!(notify_new_message(&app, citizen_id).await);
    let queued = outbox_mails::Entity::find()
        .filter(outbox_mails::Column::Status.eq(MailStatus::Pending))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(queued.locale, "en");
    assert_eq!(queued.recipient, "fatima@example.org");

    // Another citizen sees nothing of this address, and a used code does not work twice.
    let mut other = app.citizen(HANS).await;
    let page = other.get_text("/instellingen").await;
    assert!(!page.contains("fatima@example.org"));
    let reuse = other
        .post("/instellingen/bevestigen", &[("code", &code)])
        .await;
    assert_eq!(location(&reuse), "/instellingen?melding=code-verlopen");

    // Removing stops the mail.
    assert_eq!(
        location(&browser.post("/instellingen/email/verwijderen", &[]).await),
        "/instellingen?melding=verwijderd"
    );
    assert!(!notify_new_message(&app, citizen_id).await);
    // Without a session the forms change nothing.
    let contacts_before = app.all::<citizen_contacts::Entity>().await;
    assert!(
        contacts_before
            .iter()
            .all(|c| c.email.is_none() && c.pending_email.is_none()),
        "removing forgets the address"
    );
    let mut anonymous = app.browser();
    let response = anonymous
        .post("/instellingen/email", &[("email", "x@example.org")])
        .await;
    assert_eq!(location(&response), "/?verlopen=1");
    assert_eq!(app.all::<citizen_contacts::Entity>().await, contacts_before);

    // Asking for a second code within the minute is said plainly, and sends nothing.
    let before = outbox_count(&app).await;
    let first = other
        .post("/instellingen/email", &[("email", "hans@example.org")])
        .await;
    assert_eq!(location(&first), "/instellingen?melding=verstuurd");
    let again = other
        .post("/instellingen/email", &[("email", "hans@example.org")])
        .await;
    assert_eq!(again.status(), reqwest::StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(again.headers()["retry-after"], "60");
    let page = again.text().await.unwrap();
    assert!(
        page.contains("Wij hebben net al een code gestuurd."),
        "the translated notice"
    );
    assert!(
        page.contains("Uitloggen") && page.contains("session-time-left"),
        "the page of the logged-in citizen, with logout and the session clock"
    );
    assert_eq!(outbox_count(&app).await, before + 1);
    // Removing the address and adding it again does not get round the wait.
    other.post("/instellingen/email/verwijderen", &[]).await;
    let readded = other
        .post("/instellingen/email", &[("email", "hans@example.org")])
        .await;
    assert_eq!(readded.status(), reqwest::StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(outbox_count(&app).await, before + 1);
    app.finish().await;
}
db_test!(
    contact_verification,
    contact_address_is_verified_over_real_smtp
);

async fn nothing_is_lost_while_smtp_is_down(mut app: TestApp) {
    app.smtp.stop().await;
    for i in 0..5 {
        let to = format!("ontvanger{i}@example.org");
        enqueue(&app, &to, &Mail::RequestReceived(reference())).await;
    }
    let worker = app.worker("w1");
    for _ in 0..5 {
        assert_eq!(worker.work_once().await.unwrap(), Round::Failed);
    }
    assert_eq!(
        worker.work_once().await.unwrap(),
        Round::Idle,
        "retries wait for their backoff"
    );
    let rows = app.all::<outbox_mails::Entity>().await;
    assert!(
        rows.iter()
            .all(|r| r.status == MailStatus::Pending && r.attempts == 1 && r.last_error.is_some())
    );

    // The retries are visible to an administrator.
    let mut admin = app.browser();
    assert_eq!(
        location(&staff_login(&mut admin, ADMIN, "none").await),
        "/backoffice"
    );
    let page = admin.get_text("/backoffice/post").await;
    assert!(page.contains("data-testid=\"count-retrying\">5<"), "{page}");

    app.smtp.restart().await;
    let why = "not all mail delivered after the server came back";
    work_until(&app, &worker, MailStatus::Sent, 5, why).await;
    assert_eq!(app.smtp.received().len(), 5, "each mail exactly once");
    assert_eq!(
        received_ids(&app),
        rows.iter().map(|r| r.message_id.clone()).collect()
    );
    app.finish().await;
}
db_test!(smtp_down, nothing_is_lost_while_smtp_is_down);

async fn two_workers_send_each_mail_once(app: TestApp) {
    for i in 0..30 {
        let to = format!("persoon{i}@example.org");
        enqueue(&app, &to, &Mail::NewMessage(reference())).await;
    }
    let (a, b) = (app.worker("a"), app.worker("b"));
    let drain = |w: server::mail::worker::Worker| async move {
        let mut sent = 0;
        let mut idle = 0;
        while idle < 3 {
            match w.work_once().await.unwrap() {
                Round::Sent => sent += 1,
                Round::Idle => idle += 1,
                Round::Failed => panic!("the server is up"),
            }
        }
        sent
    };
    let (sent_a, sent_b) = tokio::join!(drain(a), drain(b));
    assert_eq!(sent_a + sent_b, 30);
    assert_eq!(app.smtp.received().len(), 30, "no mail twice");
    assert_eq!(received_ids(&app).len(), 30);
    app.finish().await;
}
db_test!(two_workers, two_workers_send_each_mail_once);

async fn failed_mail_is_shown_to_administrators_only(mut app: TestApp) {
    app.smtp.stop().await;
    let digest = Mail::StaffDigest {
        due_soon: 2,
        overdue: 1,
    };
    enqueue(&app, "privacy@voorbeeldstad.example", &digest).await;
    let worker = app.worker("w");
    work_until(
        &app,
        &worker,
        MailStatus::Failed,
        1,
        "mail never marked failed",
    )
    .await;
    let row = outbox_mails::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.attempts, 3);

    let mut admin = app.browser();
    staff_login(&mut admin, "mw-0005", "none").await;
    let page = admin.get_text("/backoffice/post").await;
    assert!(page.contains("data-testid=\"count-failed\">1<") && page.contains("staff_digest"));

    let mut handler = app.staff(EVA).await;
    assert_eq!(
        location(&handler.get("/backoffice/post").await),
        "/backoffice"
    );
    let mut citizen = app.citizen(FATIMA).await;
    assert_eq!(
        location(&citizen.get("/backoffice/post").await),
        "/overzicht"
    );
    assert_eq!(
        app.browser().get("/backoffice/post").await.status(),
        StatusCode::SEE_OTHER
    );
    app.finish().await;
}
db_test!(failed_mail, failed_mail_is_shown_to_administrators_only);

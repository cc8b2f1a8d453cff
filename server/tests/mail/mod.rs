//! Mail over a real SMTP conversation: contact verification, nothing lost while the server is
//! down, each mail once with two workers, and failed mail visible to administrators.

use std::{collections::BTreeSet, time::Duration};

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use server::{
    entities::{citizen_contacts, outbox_mails},
    mail::{self, Mail, RequestReference, worker::Round},
};

use crate::{
    db_test,
    support::{Login, TestApp, citizen_login, location, staff_login},
};

async fn outbox_count(app: &TestApp) -> u64 {
    outbox_mails::Entity::find().count(&app.db).await.unwrap()
}

fn reference() -> RequestReference {
    RequestReference::parse("AVG-2026-000042").unwrap()
}

async fn contact_address_is_verified_over_real_smtp(app: TestApp) {
    let mut browser = app.browser();
    citizen_login(&mut browser, Login::default()).await;
    let vault = server::platform::crypto::Vault::new(&app.settings.secrets).unwrap();
    let pseudonym = vault.pseudonym(&server::identity::Bsn::parse("999993653").unwrap());
    let citizen_id = server::entities::citizens::Entity::find()
        .filter(server::entities::citizens::Column::BsnPseudonym.eq(pseudonym))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let page = browser.get("/instellingen").await.text().await.unwrap();
    assert!(page.contains("data-testid=\"no-email\""));

    // Bad input: a clear notice, nothing stored, nothing queued.
    let bad = browser
        .post("/instellingen/email", &[("email", "geen adres")])
        .await;
    assert_eq!(location(&bad), "/instellingen?melding=ongeldig");
    assert_eq!(outbox_count(&app).await, 0);
    assert!(
        citizen_contacts::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .is_empty()
    );

    // In English: the verification mail follows the citizen's language.
    browser.cookies.insert("inzage_taal".into(), "en".into());
    let set = browser
        .post("/instellingen/email", &[("email", "fatima@example.org")])
        .await;
    assert_eq!(location(&set), "/instellingen?melding=verstuurd");
    assert_eq!(outbox_count(&app).await, 1);

    // An address that is not confirmed is never used for notifications.
    let used = mail::notify_citizen(
        &app.db,
        &app.settings,
        citizen_id,
        &Mail::NewMessage(reference()),
    )
    .await
    .unwrap();
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
    assert_eq!(row.status, "sent");
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
    assert!(
        !mail::notify_citizen(
            &app.db,
            &app.settings,
            citizen_id,
            &Mail::NewMessage(reference())
        )
        .await
        .unwrap()
    );

    let right = browser
        .post(
            "/instellingen/bevestigen",
            &[("code", &code.to_lowercase())],
        )
        .await;
    assert_eq!(location(&right), "/instellingen?melding=bevestigd");
    let page = browser.get("/instellingen").await.text().await.unwrap();
    assert!(page.contains("fatima@example.org") && page.contains("data-testid=\"verified-email\""));
    assert!(
        mail::notify_citizen(
            &app.db,
            &app.settings,
            citizen_id,
            &Mail::NewMessage(reference())
        )
        .await
        .unwrap()
    );
    let queued = outbox_mails::Entity::find()
        .filter(outbox_mails::Column::Status.eq("pending"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(queued.locale, "en");
    assert_eq!(queued.recipient, "fatima@example.org");

    // Another citizen sees nothing of this address, and a used code does not work twice.
    let mut other = app.browser();
    citizen_login(
        &mut other,
        Login {
            persoon: "162275869",
            ..Login::default()
        },
    )
    .await;
    let page = other.get("/instellingen").await.text().await.unwrap();
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
    assert!(
        !mail::notify_citizen(
            &app.db,
            &app.settings,
            citizen_id,
            &Mail::NewMessage(reference())
        )
        .await
        .unwrap()
    );
    // Without a session the forms change nothing.
    let mut anonymous = app.browser();
    let response = anonymous
        .post("/instellingen/email", &[("email", "x@example.org")])
        .await;
    assert_eq!(location(&response), "/?verlopen=1");
    assert!(
        citizen_contacts::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .is_empty()
    );
    app.finish().await;
}
db_test!(
    contact_verification,
    contact_address_is_verified_over_real_smtp
);

async fn nothing_is_lost_while_smtp_is_down(mut app: TestApp) {
    app.smtp.stop().await;
    for i in 0..5 {
        let address: lettre::Address = format!("ontvanger{i}@example.org").parse().unwrap();
        mail::enqueue(
            &app.db,
            &app.settings,
            &address,
            app::i18n::Locale::Nl,
            &Mail::RequestReceived(reference()),
        )
        .await
        .unwrap();
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
    let rows = outbox_mails::Entity::find().all(&app.db).await.unwrap();
    assert!(
        rows.iter()
            .all(|r| r.status == "pending" && r.attempts == 1 && r.last_error.is_some())
    );

    // The retries are visible to an administrator.
    let mut admin = app.browser();
    assert_eq!(
        location(&staff_login(&mut admin, "mw-0005", "none").await),
        "/backoffice"
    );
    let page = admin.get("/backoffice/post").await.text().await.unwrap();
    assert!(page.contains("data-testid=\"count-retrying\">5<"), "{page}");

    app.smtp.restart().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while outbox_mails::Entity::find()
        .filter(outbox_mails::Column::Status.eq("sent"))
        .count(&app.db)
        .await
        .unwrap()
        < 5
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "not all mail delivered after the server came back"
        );
        if worker.work_once().await.unwrap() == Round::Idle {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    let received = app.smtp.received();
    let ids: BTreeSet<String> = received
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    assert_eq!(received.len(), 5, "each mail exactly once");
    assert_eq!(ids, rows.iter().map(|r| r.message_id.clone()).collect());
    app.finish().await;
}
db_test!(smtp_down, nothing_is_lost_while_smtp_is_down);

async fn two_workers_send_each_mail_once(app: TestApp) {
    for i in 0..30 {
        let address: lettre::Address = format!("persoon{i}@example.org").parse().unwrap();
        mail::enqueue(
            &app.db,
            &app.settings,
            &address,
            app::i18n::Locale::Nl,
            &Mail::NewMessage(reference()),
        )
        .await
        .unwrap();
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
    let received = app.smtp.received();
    let ids: BTreeSet<String> = received
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    assert_eq!(received.len(), 30, "no mail twice");
    assert_eq!(ids.len(), 30);
    app.finish().await;
}
db_test!(two_workers, two_workers_send_each_mail_once);

async fn failed_mail_is_shown_to_administrators_only(mut app: TestApp) {
    app.smtp.stop().await;
    let address: lettre::Address = "privacy@voorbeeldstad.example".parse().unwrap();
    mail::enqueue(
        &app.db,
        &app.settings,
        &address,
        app::i18n::Locale::Nl,
        &Mail::StaffDigest {
            due_soon: 2,
            overdue: 1,
        },
    )
    .await
    .unwrap();
    let worker = app.worker("w");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while outbox_mails::Entity::find()
        .filter(outbox_mails::Column::Status.eq("failed"))
        .count(&app.db)
        .await
        .unwrap()
        == 0
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "mail never marked failed"
        );
        if worker.work_once().await.unwrap() == Round::Idle {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    let row = outbox_mails::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.attempts, 3);

    let mut admin = app.browser();
    staff_login(&mut admin, "mw-0005", "none").await;
    let page = admin.get("/backoffice/post").await.text().await.unwrap();
    assert!(page.contains("data-testid=\"count-failed\">1<") && page.contains("staff_digest"));

    let mut handler = app.browser();
    staff_login(&mut handler, "mw-0001", "none").await;
    assert_eq!(
        location(&handler.get("/backoffice/post").await),
        "/backoffice"
    );
    let mut citizen = app.browser();
    citizen_login(&mut citizen, Login::default()).await;
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

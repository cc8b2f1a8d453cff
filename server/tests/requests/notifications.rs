//! What people hear about requests: the staff digest once a day, and the citizen's mails for each
//! step, queued in the step's transaction, in their language, with nothing personal.

use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use server::{
    entities::outbox_mails,
    rights::requests::{self, Command, Draft, Kind},
};

use super::managed_record;
use crate::support::{
    TestApp,
    demo::{HANS, KEES, citizen_id, seed_demo},
    rights::{
        access_to_everything, act_in_turn, draft, file, grant_all, item_ids, staff_actor, submit_at,
    },
};

pub(super) async fn the_staff_digest_goes_out_once_a_day(app: TestApp) {
    let vault = seed_demo(&app).await;
    let hans = citizen_id(&app, &vault, HANS).await;
    let long_ago = Utc::now() - chrono::Duration::days(40);
    submit_at(&app, hans, &access_to_everything(), "d", long_ago)
        .await
        .unwrap();
    let outbox = || app.count::<outbox_mails::Entity>();
    let digest_at = |at| server::oversight::digest::send_if_due(&app.db, &app.settings, at);
    let before = outbox().await;
    // 05:30 UTC is 06:30 or 07:30 in Amsterdam: take a moment that is surely before 07:00.
    let today = chrono::Utc::now().date_naive();
    let early = today.and_hms_opt(4, 0, 0).unwrap().and_utc();
    assert_eq!(digest_at(early).await.unwrap(), None);
    let morning = today.and_hms_opt(8, 0, 0).unwrap().and_utc();
    let sent = digest_at(morning).await.unwrap();
    assert_eq!(
        sent,
        Some(server::oversight::digest::Figures {
            due_soon: 0,
            overdue: 1
        })
    );
    assert_eq!(
        outbox().await,
        before + app.settings.mail.staff_recipients.len() as u64
    );
    // A second instance (or tick) the same day sends nothing.
    let later = today.and_hms_opt(15, 0, 0).unwrap().and_utc();
    assert_eq!(digest_at(later).await.unwrap(), None);
    assert_eq!(
        outbox().await,
        before + app.settings.mail.staff_recipients.len() as u64
    );
    app.finish().await;
}

/// Each step the citizen must hear about queues a mail in their language, in the transaction
/// of the step, with the reference and nothing personal.
pub(super) async fn request_mails_go_through_the_outbox(app: TestApp) {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    use server::identity::StaffRole::{Approver, Handler};
    let vault = seed_demo(&app).await;
    let kees = citizen_id(&app, &vault, KEES).await;
    server::entities::citizen_contacts::ActiveModel {
        citizen_id: Set(kees),
        email: Set(Some("kees@example.org".into())),
        verified_at: Set(Some(Utc::now())),
        pending_email: Set(None),
        code_hash: Set(None),
        code_expires_at: Set(None),
        code_attempts: Set(0),
        locale: Set("en".into()),
        updated_at: Set(Utc::now()),
        code_requests: Set(0),
        code_window_started_at: Set(None),
    }
    .insert(&app.db)
    .await
    .unwrap();
    let record = managed_record(&app, kees, "Schuldhulpverlening").await;
    let erasure = Draft {
        explanation: "Mijn dossier is gesloten, 691682483".into(),
        ..draft(Kind::Erasure, vec![(record, None)])
    };
    let reference = file(&app, kees, &erasure, "m").await;
    let (eva, ingrid) = (
        staff_actor(&app, "eva", &[Handler]).await,
        staff_actor(&app, "ingrid", &[Approver]).await,
    );
    let steps = [
        (&eva, Command::Claim),
        (&eva, Command::AskInformation("Sinds wanneer?".into())),
    ];
    act_in_turn(&app, &reference, steps).await;
    requests::citizen_message(&app.db, kees, &reference, "Sinds maart.", Utc::now())
        .await
        .unwrap();
    let items = item_ids(&app, &reference).await;
    let steps = [
        (
            &eva,
            Command::Extend("Nog navragen bij de Kredietbank.".into()),
        ),
        (&eva, Command::Message("Wij kijken ernaar.".into())),
        (
            &eva,
            Command::Decide(grant_all(&items), String::new(), Default::default()),
        ),
        (&ingrid, Command::Approve),
        (&eva, Command::Execute),
    ];
    act_in_turn(&app, &reference, steps).await;
    let to_kees = outbox_mails::Entity::find()
        .filter(outbox_mails::Column::Recipient.eq("kees@example.org"))
        .all(&app.db)
        .await
        .unwrap();
    let kinds: Vec<&str> = to_kees.iter().map(|m| m.kind.as_str()).collect();
    for kind in [
        "request_received",
        "information_needed",
        "deadline_extended",
        "new_message",
        "decision_taken",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    for mail in &to_kees {
        assert_eq!(mail.locale, "en", "the citizen's language");
        let all = format!("{} {} {}", mail.subject, mail.text_body, mail.html_body);
        assert!(all.contains(&reference), "{}: the reference", mail.kind);
        for personal in [
            "691682483",
            "Kees",
            "Sinds maart",
            "Kredietbank",
            "Wij kijken ernaar",
            "dossier",
        ] {
            assert!(!all.contains(personal), "{} carries {personal}", mail.kind);
        }
    }
    let to_staff = outbox_mails::Entity::find()
        .filter(outbox_mails::Column::Kind.eq("staff_new_request"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(to_staff, app.settings.mail.staff_recipients.len() as u64);
    app.finish().await;
}

//! Two instances of the portal on one database behind a plain round-robin proxy, each running
//! its background jobs: a session started on one works on the other, each mail and the daily
//! digest go out once, and the audit log is sealed once, on one chain.

use std::{collections::HashSet, time::Duration};

use chrono::TimeZone;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use server::{
    entities::{audit_events, audit_seals, outbox_mails},
    oversight::digest,
    platform::{audit, db},
};
use types::MailStatus;

use crate::support::{
    Backend, TestApp,
    demo::{FATIMA, HANS, citizen_id, seed_demo_with_requests},
    location,
    rights::{access_to_everything, file},
    spawn_pair,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    two_instances(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    if crate::support::postgres_configured() {
        two_instances(Backend::Postgres).await;
    }
}

async fn two_instances(backend: Backend) {
    let app = spawn_pair(backend, |s| s.audit.seal_every_seconds = 1)
        .await
        .unwrap();
    let vault = seed_demo_with_requests(&app).await;

    sessions_work_on_both(&app).await;

    // Requests filed: each queues mails for the citizen and the staff.
    for (n, bsn) in [FATIMA, HANS, FATIMA].into_iter().enumerate() {
        let citizen = citizen_id(&app, &vault, bsn).await;
        file(&app, citizen, &access_to_everything(), &format!("pair-{n}")).await;
    }

    // The digest, claimed by both instances at once for one morning: one of them sends it.
    let morning = chrono_tz::Europe::Amsterdam
        .with_ymd_and_hms(2030, 3, 4, 9, 0, 0)
        .unwrap()
        .with_timezone(&chrono::Utc);
    let other = db::connect(&app.settings.database_url).await.unwrap();
    let (a, b) = tokio::join!(
        digest::send_if_due(&app.db, &app.settings, morning),
        digest::send_if_due(&other, &app.settings, morning),
    );
    let sent: Vec<_> = [a.unwrap(), b.unwrap()].into_iter().flatten().collect();
    assert_eq!(sent.len(), 1, "one digest for the morning, not two");

    every_mail_goes_out_once(&app).await;
    the_log_is_sealed_once(&app).await;
    app.finish().await;
}

/// A citizen logs in and reads pages while the proxy alternates between the instances; logging
/// out through one ends the session on both.
async fn sessions_work_on_both(app: &TestApp) {
    let mut fatima = app.citizen(FATIMA).await;
    for path in ["/overzicht", "/mijn-gegevens", "/verzoeken", "/overzicht"] {
        let page = fatima.get(path).await;
        assert_eq!(page.status(), StatusCode::OK, "{path} on either instance");
    }
    let mut eva = app.staff(crate::support::demo::EVA).await;
    assert_eq!(
        eva.get("/backoffice/verzoeken").await.status(),
        StatusCode::OK
    );
    let hits = app.hits.as_ref().expect("a proxy").counts();
    assert!(
        hits.iter().all(|n| *n >= 8),
        "both instances served the logins and pages: {hits:?}"
    );
    let out = fatima.post("/uitloggen", &[]).await;
    assert!(out.status().is_redirection());
    for _ in 0..2 {
        let page = fatima.get("/overzicht").await;
        assert!(
            page.status().is_redirection() && !location(&page).starts_with("/overzicht"),
            "logged out on both instances"
        );
    }
}

/// Waits for both instances' mail workers to empty the outbox, then checks that every mail was
/// delivered exactly once.
async fn every_mail_goes_out_once(app: &TestApp) {
    let pending = || {
        outbox_mails::Entity::find()
            .filter(outbox_mails::Column::Status.eq(MailStatus::Pending))
            .count(&app.db)
    };
    for _ in 0..120 {
        if pending().await.unwrap() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(
        pending().await.unwrap(),
        0,
        "the workers emptied the outbox"
    );
    let sent = outbox_mails::Entity::find()
        .filter(outbox_mails::Column::Status.eq(MailStatus::Sent))
        .count(&app.db)
        .await
        .unwrap();
    assert!(sent >= 4, "receipts, staff notices and the digest: {sent}");
    let received = app.smtp.received();
    let ids: HashSet<_> = received
        .iter()
        .map(|m| m.header("Message-ID").expect("Message-ID"))
        .collect();
    assert_eq!(ids.len(), received.len(), "no mail delivered twice");
    assert_eq!(received.len() as u64, sent, "one delivery per mail");
}

/// Waits for the sealers of both instances to take every event, then verifies the one chain.
async fn the_log_is_sealed_once(app: &TestApp) {
    let key = app.settings.secrets.audit_key();
    let mut verified = None;
    for _ in 0..60 {
        let result = audit::verify(&app.db, &key, None).await.unwrap();
        let ok = result.expect("the chain holds while both instances seal");
        if ok.unsealed == 0 && ok.events > 0 {
            verified = Some(ok);
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let verified = verified.expect("both sealers took every event");
    let events = audit_events::Entity::find().count(&app.db).await.unwrap();
    let seals = audit_seals::Entity::find().count(&app.db).await.unwrap();
    assert_eq!(seals, events, "every event sealed once");
    assert_eq!(verified.events as u64, events);
}

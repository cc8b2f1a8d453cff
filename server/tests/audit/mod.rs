//! The audit log on real databases: appends chain, the trigger refuses edits, concurrent
//! writers do not fork the chain, and `inzage audit verify` names the row that was changed.

use sea_orm::{ConnectionTrait, DatabaseBackend, EntityTrait, PaginatorTrait};
use server::{
    entities::audit_events,
    platform::audit::{self, Actor, AuditEntry, Verification},
};

use crate::{db_test, support::TestApp};

/// A distinct audit entry per `n`, so every row hashes differently.
fn entry(n: i64) -> AuditEntry {
    AuditEntry {
        actor: Actor::Staff(1),
        action: "citizen.viewed".to_owned(),
        citizen_id: Some(n),
        details: serde_json::json!({ "reason": format!("test {n}") }),
    }
}

async fn the_chain_holds_and_an_edit_is_found(app: TestApp) {
    assert_eq!(
        audit::verify(&app.db).await.unwrap(),
        Verification::Intact(0)
    );
    let mut ids = Vec::new();
    for n in 1..=5 {
        ids.push(audit::append(&app.db, &entry(n)).await.unwrap());
    }
    assert_eq!(
        audit::verify(&app.db).await.unwrap(),
        Verification::Intact(5)
    );

    // The trigger refuses UPDATE and DELETE.
    let third = ids[2];
    for statement in [
        format!("UPDATE audit_events SET action = 'x' WHERE id = {third}"),
        format!("DELETE FROM audit_events WHERE id = {third}"),
    ] {
        let refused = app.db.execute_unprepared(&statement).await;
        assert!(refused.is_err(), "{statement} was allowed");
        assert!(format!("{:?}", refused.unwrap_err()).contains("insert-only"));
    }

    // Someone with the power to drop the trigger edits a row: verify names it.
    let drop = match app.db.get_database_backend() {
        DatabaseBackend::Postgres => "DROP TRIGGER audit_events_insert_only ON audit_events",
        _ => "DROP TRIGGER audit_events_no_update",
    };
    app.db.execute_unprepared(drop).await.unwrap();
    app.db
        .execute_unprepared(&format!(
            "UPDATE audit_events SET details = '{{\"reason\":\"nothing to see\"}}' WHERE id = {third}"
        ))
        .await
        .unwrap();
    assert_eq!(
        audit::verify(&app.db).await.unwrap(),
        Verification::Broken {
            id: third,
            reason: "its content was changed after it was written"
        }
    );

    // The command line says the same and fails.
    if matches!(app.db.get_database_backend(), DatabaseBackend::Sqlite) {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_inzage"))
            .args(["audit", "verify"])
            .env("INZAGE_CONFIG", "/nonexistent/inzage.toml")
            .env("INZAGE_DATABASE_URL", &app.settings.database_url)
            .output()
            .unwrap();
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("audit log broken at event {third}")),
            "{stderr}"
        );
    }
    app.finish().await;
}
db_test!(audit_chain, the_chain_holds_and_an_edit_is_found);

async fn a_removed_row_is_found(app: TestApp) {
    for n in 1..=4 {
        audit::append(&app.db, &entry(n)).await.unwrap();
    }
    let drop = match app.db.get_database_backend() {
        DatabaseBackend::Postgres => "DROP TRIGGER audit_events_insert_only ON audit_events",
        _ => "DROP TRIGGER audit_events_no_delete",
    };
    app.db.execute_unprepared(drop).await.unwrap();
    let rows = audit_events::Entity::find().all(&app.db).await.unwrap();
    let second = rows.iter().map(|r| r.id).min().unwrap() + 1;
    app.db
        .execute_unprepared(&format!("DELETE FROM audit_events WHERE id = {second}"))
        .await
        .unwrap();
    match audit::verify(&app.db).await.unwrap() {
        Verification::Broken { id, .. } => assert_eq!(id, second + 1, "the row after the gap"),
        other => panic!("expected a break, got {other:?}"),
    }
    app.finish().await;
}
db_test!(audit_gap, a_removed_row_is_found);

async fn concurrent_writers_do_not_fork_the_chain(app: TestApp) {
    let mut tasks = Vec::new();
    for n in 0..16 {
        let db = app.db.clone();
        tasks.push(tokio::spawn(
            async move { audit::append(&db, &entry(n)).await },
        ));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(
        audit_events::Entity::find().count(&app.db).await.unwrap(),
        16
    );
    assert_eq!(
        audit::verify(&app.db).await.unwrap(),
        Verification::Intact(16)
    );
    app.finish().await;
}
db_test!(audit_concurrency, concurrent_writers_do_not_fork_the_chain);

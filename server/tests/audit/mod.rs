//! The audit log on real databases: writers only insert and never fail each other, the sealer
//! signs checkpoints, the triggers refuse edits, and `audit verify` names the first position
//! that does not hold after any single deletion, edit, truncation, recomputed chain or removed
//! checkpoint (a property test), or against an exported checkpoint.

use chrono::Utc;
use proptest::{prelude::*, test_runner::TestRunner};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};
use server::{
    entities::{audit_checkpoints, audit_events, audit_seals},
    platform::audit::{self, Actor, AuditEntry, AuditKey, Broken, CheckpointFile},
};

use crate::{db_test, support::TestApp};

/// A distinct audit entry per `n`.
fn entry(n: i64) -> AuditEntry {
    AuditEntry {
        actor: Actor::Staff(1),
        action: "citizen.viewed".to_owned(),
        citizen_id: Some(n),
        details: serde_json::json!({ "reason": format!("test {n}") }),
    }
}

fn key(app: &TestApp) -> AuditKey {
    app.settings.secrets.audit_key()
}

async fn verify(db: &DatabaseConnection, key: &AuditKey) -> Result<audit::Verified, Broken> {
    audit::verify(db, key, None).await.unwrap()
}

async fn seal(db: &DatabaseConnection, key: &AuditKey) -> audit_checkpoints::Model {
    audit::seal(db, key, Utc::now())
        .await
        .unwrap()
        .expect("something to seal")
}

/// Drops the insert-only triggers, as someone who owns the tables could.
async fn drop_guards(db: &DatabaseConnection) {
    for table in ["audit_events", "audit_seals", "audit_checkpoints"] {
        let statements = match db.get_database_backend() {
            DatabaseBackend::Postgres => vec![
                format!("DROP TRIGGER {table}_insert_only ON {table}"),
                format!("DROP TRIGGER {table}_no_truncate ON {table}"),
            ],
            _ => vec![
                format!("DROP TRIGGER {table}_no_update"),
                format!("DROP TRIGGER {table}_no_delete"),
            ],
        };
        for statement in statements {
            db.execute_unprepared(&statement).await.unwrap();
        }
    }
}

/// `sizes` events in rounds, each round sealed: checkpoint k covers the first
/// `sizes[0] + … + sizes[k-1]` events. Returns the event id at each position (index 0 = 1).
async fn sealed_log(db: &DatabaseConnection, key: &AuditKey, sizes: &[usize]) -> Vec<i64> {
    let mut n = 0;
    for &size in sizes {
        for _ in 0..size {
            n += 1;
            audit::append(db, &entry(n)).await.unwrap();
        }
        seal(db, key).await;
    }
    audit_seals::Entity::find()
        .order_by_asc(audit_seals::Column::Position)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.event_id)
        .collect()
}

async fn writers_never_wait_for_each_other_and_sealing_signs_them(app: TestApp) {
    let key = key(&app);
    assert_eq!(
        verify(&app.db, &key).await.unwrap(),
        audit::Verified {
            events: 0,
            checkpoints: 0,
            unsealed: 0
        }
    );
    // 64 writers at once, each in its own transaction as a state change would be: none fails.
    let mut tasks = Vec::new();
    for n in 0..64 {
        let db = app.db.clone();
        tasks.push(tokio::spawn(async move {
            use sea_orm::TransactionTrait;
            let txn = db.begin().await?;
            audit::append(&txn, &entry(n)).await?;
            txn.commit().await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(verify(&app.db, &key).await.unwrap().unsealed, 64);
    let checkpoint = seal(&app.db, &key).await;
    assert_eq!((checkpoint.id, checkpoint.events), (1, 64));
    // Nothing new: no checkpoint.
    assert!(
        audit::seal(&app.db, &key, Utc::now())
            .await
            .unwrap()
            .is_none()
    );
    audit::append(&app.db, &entry(99)).await.unwrap();
    let second = seal(&app.db, &key).await;
    assert_eq!((second.id, second.events), (2, 65));
    assert_eq!(
        verify(&app.db, &key).await.unwrap(),
        audit::Verified {
            events: 65,
            checkpoints: 2,
            unsealed: 0
        }
    );

    // A checkpoint signed with another key does not hold.
    let other = AuditKey::from_seed(&[7; 32]);
    let broken = verify(&app.db, &other).await.unwrap_err();
    assert_eq!((broken.position, broken.up_to), (1, Some(64)));
    assert!(broken.problem.contains("signature"), "{broken}");

    // The triggers refuse changes on all three tables, TRUNCATE included on PostgreSQL.
    let mut statements = vec![
        "UPDATE audit_events SET action = 'x'".to_owned(),
        "DELETE FROM audit_events".to_owned(),
        "UPDATE audit_seals SET hash = 'x'".to_owned(),
        "DELETE FROM audit_seals".to_owned(),
        "DELETE FROM audit_checkpoints".to_owned(),
    ];
    if app.db.get_database_backend() == DatabaseBackend::Postgres {
        for table in [
            "audit_events",
            "audit_seals",
            "audit_checkpoints",
            "staff_views",
        ] {
            statements.push(format!("TRUNCATE {table}"));
        }
    }
    for statement in statements {
        let refused = app.db.execute_unprepared(&statement).await;
        assert!(refused.is_err(), "{statement} was allowed");
        assert!(
            format!("{:?}", refused.unwrap_err()).contains("insert-only"),
            "{statement}"
        );
    }
    app.finish().await;
}
db_test!(
    audit_sealing,
    writers_never_wait_for_each_other_and_sealing_signs_them
);

async fn each_kind_of_tampering_is_named_by_position(app: TestApp) {
    let key = key(&app);
    let ids = sealed_log(&app.db, &key, &[4, 4, 4]).await;
    assert_eq!(verify(&app.db, &key).await.unwrap().events, 12);
    // The privacy officer exports the latest checkpoint.
    let latest = audit::latest_checkpoint(&app.db).await.unwrap().unwrap();
    let file = CheckpointFile::new(&latest, &key);
    assert!(file.signature_holds());
    let json = serde_json::to_string(&file).unwrap();
    let file: CheckpointFile = serde_json::from_str(&json).unwrap();
    assert!(
        audit::verify(&app.db, &key, Some(&file))
            .await
            .unwrap()
            .is_ok()
    );
    // A forged file does not hold.
    let mut forged = file.clone();
    forged.events = 11;
    assert!(!forged.signature_holds());
    assert!(
        audit::verify(&app.db, &key, Some(&forged))
            .await
            .unwrap()
            .is_err()
    );

    drop_guards(&app.db).await;
    // Someone removes the tail (events 9–12, their seals and the last checkpoint): the database
    // alone looks consistent, the exported checkpoint does not.
    app.db
        .execute_unprepared(&format!("DELETE FROM audit_events WHERE id >= {}", ids[8]))
        .await
        .unwrap();
    app.db
        .execute_unprepared("DELETE FROM audit_seals WHERE position >= 9")
        .await
        .unwrap();
    app.db
        .execute_unprepared("DELETE FROM audit_checkpoints WHERE id = 3")
        .await
        .unwrap();
    assert_eq!(verify(&app.db, &key).await.unwrap().events, 8);
    let broken = audit::verify(&app.db, &key, Some(&file))
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(broken.position, 9, "{broken}");
    assert!(broken.problem.contains("truncated"), "{broken}");

    // An event added afterwards with an old date is found.
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    audit_events::ActiveModel {
        occurred_at: Set(Utc::now() - chrono::Duration::hours(2)),
        actor: Set("staff:1".to_owned()),
        action: Set("citizen.viewed".to_owned()),
        citizen_id: Set(None),
        details: Set("{}".to_owned()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    let broken = verify(&app.db, &key).await.unwrap_err();
    assert_eq!(broken.position, 9, "{broken}");
    assert!(broken.problem.contains("added after"), "{broken}");

    // The command line says the same and fails.
    if app.db.get_database_backend() == DatabaseBackend::Sqlite {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checkpoint.json");
        std::fs::write(&path, &json).unwrap();
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_inzage"))
            .args(["audit", "verify", "--checkpoint"])
            .arg(&path)
            .env("INZAGE_CONFIG", "/nonexistent/inzage.toml")
            .env("INZAGE_DATABASE_URL", &app.settings.database_url)
            .output()
            .unwrap();
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("audit log broken at position 9"),
            "{stderr}"
        );
    }
    app.finish().await;
}
db_test!(audit_tampering, each_kind_of_tampering_is_named_by_position);

/// One way to tamper with a sealed log.
#[derive(Clone, Debug)]
enum Tamper {
    /// Change the event at this position.
    Edit(usize),
    /// Delete the event at this position.
    Delete(usize),
    /// Delete every event from this position on (position 1: the whole table).
    Truncate(usize),
    /// Change the event at this position and rewrite the chain from there, as someone without
    /// the signing key can.
    Recompute(usize),
    /// Remove this checkpoint (1-based).
    RemoveCheckpoint(usize),
}

fn case() -> impl Strategy<Value = (Vec<usize>, Tamper)> {
    prop::collection::vec(1usize..6, 1..5).prop_flat_map(|sizes| {
        let events: usize = sizes.iter().sum();
        let rounds = sizes.len();
        let tamper = prop_oneof![
            (1..=events).prop_map(Tamper::Edit),
            (1..=events).prop_map(Tamper::Delete),
            (1..=events).prop_map(Tamper::Truncate),
            (1..=events).prop_map(Tamper::Recompute),
            (1..=rounds).prop_map(Tamper::RemoveCheckpoint),
        ];
        (Just(sizes), tamper)
    })
}

/// Applies `tamper` and returns the position verification must name (and the range end, for
/// a recomputed chain).
async fn apply(
    db: &DatabaseConnection,
    ids: &[i64],
    sizes: &[usize],
    tamper: &Tamper,
) -> (i64, Option<i64>) {
    // Checkpoint k covers positions ends[k-1]+1 ..= ends[k].
    let ends: Vec<usize> = sizes
        .iter()
        .scan(0, |sum, size| {
            *sum += size;
            Some(*sum)
        })
        .collect();
    let id_at = |position: usize| ids[position - 1];
    match *tamper {
        Tamper::Edit(p) => {
            edit(db, id_at(p)).await;
            (p as i64, None)
        }
        Tamper::Delete(p) => {
            db.execute_unprepared(&format!("DELETE FROM audit_events WHERE id = {}", id_at(p)))
                .await
                .unwrap();
            (p as i64, None)
        }
        Tamper::Truncate(p) => {
            db.execute_unprepared(&format!(
                "DELETE FROM audit_events WHERE id >= {}",
                id_at(p)
            ))
            .await
            .unwrap();
            (p as i64, None)
        }
        Tamper::Recompute(p) => {
            edit(db, id_at(p)).await;
            let mut seals = audit_seals::Entity::find()
                .filter(audit_seals::Column::Position.gte(p as i64))
                .order_by_asc(audit_seals::Column::Position)
                .all(db)
                .await
                .unwrap();
            db.execute_unprepared(&format!("DELETE FROM audit_seals WHERE position >= {p}"))
                .await
                .unwrap();
            let mut previous = if p == 1 {
                audit::GENESIS.to_owned()
            } else {
                audit_seals::Entity::find_by_id(p as i64 - 1)
                    .one(db)
                    .await
                    .unwrap()
                    .unwrap()
                    .hash
            };
            for seal in &mut seals {
                let event = audit_events::Entity::find_by_id(seal.event_id)
                    .one(db)
                    .await
                    .unwrap()
                    .unwrap();
                previous = audit::chain_hash(&previous, seal.position, &event);
                seal.hash.clone_from(&previous);
            }
            for seal in seals {
                audit_seals::Entity::insert(sea_orm::IntoActiveModel::into_active_model(seal))
                    .exec_without_returning(db)
                    .await
                    .unwrap();
            }
            let k = ends.iter().position(|&end| end >= p).unwrap();
            let first = if k == 0 { 1 } else { ends[k - 1] + 1 };
            (first as i64, Some(ends[k] as i64))
        }
        Tamper::RemoveCheckpoint(k) => {
            db.execute_unprepared(&format!("DELETE FROM audit_checkpoints WHERE id = {k}"))
                .await
                .unwrap();
            let first = if k == 1 { 1 } else { ends[k - 2] + 1 };
            (first as i64, None)
        }
    }
}

async fn edit(db: &DatabaseConnection, id: i64) {
    db.execute_unprepared(&format!(
        "UPDATE audit_events SET details = '{{\"reason\":\"nothing to see\"}}' WHERE id = {id}"
    ))
    .await
    .unwrap();
}

async fn clear(db: &DatabaseConnection) {
    for table in ["audit_seals", "audit_checkpoints", "audit_events"] {
        db.execute_unprepared(&format!("DELETE FROM {table}"))
            .await
            .unwrap();
    }
}

async fn any_single_tampering_fails_verification_at_its_position(app: TestApp) {
    let key = key(&app);
    drop_guards(&app.db).await;
    let cases = if app.db.get_database_backend() == DatabaseBackend::Postgres {
        48
    } else {
        96
    };
    let mut runner = TestRunner::new(ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let handle = tokio::runtime::Handle::current();
    let db = app.db.clone();
    let outcome = runner.run(&case(), |(sizes, tamper)| {
        tokio::task::block_in_place(|| {
            handle.block_on(async {
                clear(&db).await;
                let ids = sealed_log(&db, &key, &sizes).await;
                prop_assert!(verify(&db, &key).await.is_ok());
                let (position, up_to) = apply(&db, &ids, &sizes, &tamper).await;
                let broken = verify(&db, &key).await;
                prop_assert!(broken.is_err(), "{tamper:?} on {sizes:?} went unnoticed");
                let broken = broken.unwrap_err();
                prop_assert_eq!(
                    (broken.position, broken.up_to),
                    (position, up_to),
                    "{:?} on {:?}: {}",
                    tamper,
                    sizes,
                    broken
                );
                Ok(())
            })
        })
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
    app.finish().await;
}
db_test!(
    audit_property,
    any_single_tampering_fails_verification_at_its_position
);

/// Events written before sealing existed (the old hash-chained table) keep their ids and
/// content through the migration and are sealed with the new ones.
async fn old_events_survive_the_migration(backend: crate::support::Backend) {
    use migrations::{Migrator, MigratorTrait};
    use sea_orm::{Statement, Value};
    let dir = tempfile::tempdir().unwrap();
    let (url, cleanup) = crate::support::fresh_database(backend, dir.path())
        .await
        .unwrap();
    let db = server::platform::db::connect(&url).await.unwrap();
    Migrator::up(&db, Some(9)).await.unwrap();
    let at = Utc::now() - chrono::Duration::days(3);
    let at = chrono::SubsecRound::trunc_subsecs(at, 6);
    for (n, prev) in [(1i64, "0".repeat(64)), (2, "a".repeat(64))] {
        let sql = match db.get_database_backend() {
            DatabaseBackend::Postgres => {
                "INSERT INTO audit_events (occurred_at, actor, action, citizen_id, details, \
                 prev_hash, hash) VALUES ($1, 'staff:1', 'citizen.viewed', $2, '{}', $3, $4)"
            }
            _ => {
                "INSERT INTO audit_events (occurred_at, actor, action, citizen_id, details, \
                 prev_hash, hash) VALUES (?, 'staff:1', 'citizen.viewed', ?, '{}', ?, ?)"
            }
        };
        db.execute_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            sql,
            [
                Value::from(at),
                Value::from(n),
                Value::from(prev),
                Value::from(format!("{n:064}")),
            ],
        ))
        .await
        .unwrap();
    }
    Migrator::up(&db, None).await.unwrap();
    let events = audit_events::Entity::find()
        .order_by_asc(audit_events::Column::Id)
        .all(&db)
        .await
        .unwrap();
    assert_eq!(
        events
            .iter()
            .map(|e| (e.id, e.citizen_id, e.occurred_at))
            .collect::<Vec<_>>(),
        vec![(1, Some(1), at), (2, Some(2), at)]
    );
    // New events follow on (the sequence moved past the copied ids) and all are sealed.
    assert_eq!(audit::append(&db, &entry(3)).await.unwrap(), 3);
    let key = AuditKey::from_seed(&[1; 32]);
    let checkpoint = audit::seal(&db, &key, Utc::now()).await.unwrap().unwrap();
    assert_eq!(checkpoint.events, 3);
    assert_eq!(verify(&db, &key).await.unwrap().events, 3);
    // The rebuilt table is insert-only again.
    assert!(
        db.execute_unprepared("DELETE FROM audit_events")
            .await
            .is_err()
    );
    db.close().await.unwrap();
    crate::support::drop_database(cleanup).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_events_survive_the_migration_sqlite() {
    old_events_survive_the_migration(crate::support::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_events_survive_the_migration_postgres() {
    if crate::support::postgres_configured() {
        old_events_survive_the_migration(crate::support::Backend::Postgres).await;
    }
}

//! Full batches: 2,000 items of a kind written in a handful of statements, whatever the kind,
//! and still all or nothing, idempotent, and refused where the portal decided otherwise.

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use chrono::{Duration, TimeZone, Utc};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use server::{
    entities::{citizens, personal_data_records, record_history},
    identity::{Bsn, BsnVault},
    sources::ingest::{
        self, BatchSummary, ConsentInput, DisclosureInput, LogLineInput, MAX_BATCH, RecordInput,
        SourceContext, StaffViewInput,
    },
};
use types::{Kind, SourceMode};

use super::sync::decided;
use crate::support::{
    TestApp,
    api::{Api, Source, source_with_token},
    demo::{FATIMA, seed_demo},
    rights::draft,
};

/// The most statements a full batch may take. A batch of new records takes nine (three reads
/// before the transaction, three for the citizens, two re-checks, one insert); one statement
/// per item would be thousands.
const FEW: usize = 20;

/// `count` different BSNs that pass the 11-proef, from `from` on: people no demo seed knows.
fn bsns(from: u32, count: usize) -> Vec<String> {
    (from..)
        .map(|n| format!("{n:09}"))
        .filter(|candidate| Bsn::parse(candidate).is_ok())
        .take(count)
        .collect()
}

/// A record of the simulator's activity (no recipient got its category, so no Art. 19 task).
fn record(id: &str, bsn: &str, value: &str) -> Value {
    json!({
        "source_record_id": id,
        "bsn": bsn,
        "activity_code": "wmo-onderzoek",
        "category": "Simulatiegegeven",
        "label": "Bulk",
        "value": value,
        "recorded_at": "2026-11-03T10:00:00Z",
        "recorded_by": "Wmo-consulent, Gemeente Voorbeeldstad"
    })
}

/// A batch of records, `record(ids[i], people[i % people.len()], "waarde i")`.
fn batch(prefix: &str, people: &[String], count: usize) -> Vec<Value> {
    (0..count)
        .map(|i| {
            record(
                &format!("{prefix}-{i}"),
                &people[i % people.len()],
                &format!("waarde {i}"),
            )
        })
        .collect()
}

/// The answer's counts: created, updated, unchanged.
fn counts(body: &Value) -> (u64, u64, u64) {
    let n = |key: &str| body[key].as_u64().unwrap_or(u64::MAX);
    (n("created"), n("updated"), n("unchanged"))
}

/// The pointers of a problem's field errors.
fn pointers(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["pointer"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Rows in the tables a refused batch must leave alone: records, citizens, history lines.
async fn totals(app: &TestApp) -> (u64, u64, u64) {
    (
        app.count::<personal_data_records::Entity>().await,
        app.count::<citizens::Entity>().await,
        app.count::<record_history::Entity>().await,
    )
}

/// The source's records: its own id to the citizen and the value.
async fn held(app: &TestApp, source: &Source) -> HashMap<String, (i64, String)> {
    personal_data_records::Entity::find()
        .filter(personal_data_records::Column::SourceSystemId.eq(source.id))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.source_record_id, (r.citizen_id, r.value)))
        .collect()
}

pub(super) async fn a_full_batch_is_written_whole_once_and_refused_whole(app: TestApp) {
    let vault = seed_demo(&app).await;
    let source =
        source_with_token(&app, "Bulk", "Sociaal Domein", SourceMode::Managed, false).await;
    let api = Api::new(&app);
    let post = async |items: &[Value]| {
        api.post("/records", Some(&source.token), &json!({ "items": items }))
            .await
    };

    // 600 people: a demo citizen, 99 the source sent before, 500 new to Inzage.
    let known = bsns(600_000_000, 99);
    let (status, body, _) = post(&batch("eerder", &known, known.len())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut people = vec![FATIMA.to_owned()];
    people.extend(known);
    people.extend(bsns(610_000_000, 500));
    let full = batch("bulk", &people, MAX_BATCH);
    let (records, citizens_before, history) = totals(&app).await;

    let (status, body, _) = post(&full).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(counts(&body), (2000, 0, 0));
    assert_eq!(
        totals(&app).await,
        (records + 2000, citizens_before + 500, history),
        "every record once, a citizen for each new person, no history for new records"
    );
    // Every record landed with its own citizen.
    let citizen_of: HashMap<String, i64> = citizens::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.bsn_pseudonym, c.id))
        .collect();
    let stored = held(&app, &source).await;
    for i in 0..MAX_BATCH {
        let bsn = Bsn::parse(&people[i % people.len()]).unwrap();
        let citizen = citizen_of[&vault.pseudonym(&bsn)];
        assert_eq!(
            stored[&format!("bulk-{i}")],
            (citizen, format!("waarde {i}")),
            "record {i}"
        );
    }

    // The same batch again changes nothing and says so.
    let (status, body, _) = post(&full).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(counts(&body), (0, 0, 2000));
    assert_eq!(
        totals(&app).await,
        (records + 2000, citizens_before + 500, history)
    );

    // Ten changed values: ten updates, each with its history line; the rest unchanged.
    let mut changed = full.clone();
    for i in (0..MAX_BATCH).step_by(200) {
        changed[i]["value"] = json!(format!("nieuwe waarde {i}"));
    }
    let (status, body, _) = post(&changed).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(counts(&body), (0, 10, 1990));
    let after = totals(&app).await;
    assert_eq!(after, (records + 2000, citizens_before + 500, history + 10));
    assert_eq!(held(&app, &source).await["bulk-400"].1, "nieuwe waarde 400");

    // A batch of new people with one bad item among 2,000 writes nothing, and names it.
    let mut bad = batch("nieuw", &bsns(620_000_000, 500), MAX_BATCH);
    bad[1499]["value"] = json!("  ");
    let (status, body, _) = post(&bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(pointers(&body), ["/items/1499/value"]);
    assert_eq!(
        totals(&app).await,
        after,
        "nothing of the bad batch written"
    );

    // An erased record sent again refuses the whole batch, naming the item and the request.
    let target = personal_data_records::Entity::find()
        .filter(personal_data_records::Column::SourceSystemId.eq(source.id))
        .filter(personal_data_records::Column::SourceRecordId.eq("bulk-1"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let reference = decided(
        &app,
        target.citizen_id,
        &draft(Kind::Erasure, vec![(target.id, None)]),
        "t-bulk",
    )
    .await;
    let after = totals(&app).await;
    assert_eq!(after.0, records + 1999, "erased");
    let mut stale = changed.clone();
    stale.push(record("bulk-extra", &people[0], "nieuw"));
    stale.remove(0);
    let (status, body, _) = post(&stale).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(pointers(&body), ["/items/0/source_record_id"]);
    assert!(
        body["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .starts_with(&format!("erased by {reference} on ")),
        "{body}"
    );
    assert_eq!(totals(&app).await, after, "nothing written");
    assert!(!held(&app, &source).await.contains_key("bulk-1"));
    assert!(!held(&app, &source).await.contains_key("bulk-extra"));

    // Two batches at once about the same 500 new people: both go through, and each person
    // becomes one citizen.
    let together = bsns(640_000_000, 500);
    let (a, b) = (
        batch("samen-a", &together, MAX_BATCH),
        batch("samen-b", &together, MAX_BATCH),
    );
    let (one, other) = tokio::join!(post(&a), post(&b));
    for (status, body, _) in [one, other] {
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(counts(&body), (2000, 0, 0));
    }
    assert_eq!(
        totals(&app).await,
        (after.0 + 4000, after.1 + 500, after.2),
        "one citizen each"
    );
    app.finish().await;
}

/// Counts the statements sent through a handle of `db`.
fn counted(db: &DatabaseConnection) -> (DatabaseConnection, Arc<AtomicUsize>) {
    let mut db = db.clone();
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    db.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::Relaxed);
    });
    (db, count)
}

/// Runs one batch, and checks it was written in few statements: what it did, and how many.
async fn few<F: Future<Output = Result<BatchSummary, ingest::IngestError>>>(
    what: &str,
    count: &AtomicUsize,
    batch: F,
) -> BatchSummary {
    let before = count.load(Ordering::Relaxed);
    let summary = batch.await.unwrap_or_else(|e| panic!("{what}: {e:?}"));
    let statements = count.load(Ordering::Relaxed) - before;
    eprintln!("{what}: {statements} statements for {summary:?}");
    assert!(
        statements < FEW,
        "{what}: {statements} statements for a batch of {MAX_BATCH}; one per item is back"
    );
    summary
}

/// A summary of `created`, `updated` and `unchanged` items.
fn summary(created: usize, updated: usize, unchanged: usize) -> BatchSummary {
    BatchSummary {
        created,
        updated,
        unchanged,
    }
}

pub(super) async fn every_kind_takes_a_full_batch_in_a_few_statements(app: TestApp) {
    let vault = seed_demo(&app).await;
    let source =
        source_with_token(&app, "Bulk", "Sociaal Domein", SourceMode::Managed, false).await;
    let context = SourceContext {
        id: source.id,
        name: "Bulk".to_owned(),
        is_admin: false,
    };
    let (db, count) = counted(&app.db);
    // 500 people, four items each: the first hundred Inzage knows already.
    let people = bsns(630_000_000, 500);
    for bsn in &people[..100] {
        let bsn = Bsn::parse(bsn).unwrap();
        server::identity::people::find_or_create_citizen(&app.db, &vault, &bsn, None)
            .await
            .unwrap();
    }
    let citizens_before = app.count::<citizens::Entity>().await;
    let person = |i: usize| people[i % people.len()].clone();
    let at = Utc.with_ymd_and_hms(2026, 11, 3, 10, 0, 0).unwrap();

    let records: Vec<RecordInput> = (0..MAX_BATCH)
        .map(|i| RecordInput {
            source_record_id: format!("r-{i}"),
            bsn: person(i),
            activity_code: "wmo-onderzoek".to_owned(),
            category: "Simulatiegegeven".to_owned(),
            label: "Bulk".to_owned(),
            value: format!("waarde {i}"),
            recorded_at: at,
            recorded_by: "Wmo-consulent, Gemeente Voorbeeldstad".to_owned(),
            special_category: i % 2 == 0,
            retention_until: None,
        })
        .collect();
    let write = || ingest::upsert_records(&db, &vault, &context, &records);
    assert_eq!(
        few("new records", &count, write()).await,
        summary(2000, 0, 0)
    );
    assert_eq!(
        few("records again", &count, write()).await,
        summary(0, 0, 2000)
    );

    let consents: Vec<ConsentInput> = (0..MAX_BATCH)
        .map(|i| ConsentInput {
            source_consent_id: format!("c-{i}"),
            bsn: person(i),
            recipient: "Buurtteam Noord".to_owned(),
            purpose: "Afstemming van de hulp".to_owned(),
            given_at: at,
            channel: "formulier".to_owned(),
            withdrawn_at: None,
        })
        .collect();
    let write = || ingest::upsert_consents(&db, &vault, &context, &consents);
    assert_eq!(
        few("new consents", &count, write()).await,
        summary(2000, 0, 0)
    );
    assert_eq!(
        few("consents again", &count, write()).await,
        summary(0, 0, 2000)
    );

    let disclosures: Vec<DisclosureInput> = (0..MAX_BATCH)
        .map(|i| DisclosureInput {
            source_disclosure_id: format!("d-{i}"),
            bsn: person(i),
            activity_code: "wmo-onderzoek".to_owned(),
            recipient_name: "Buurtteam Noord".to_owned(),
            recipient_oin: None,
            categories: vec!["Contactgegevens".to_owned()],
            purpose: "Afstemming van de hulp".to_owned(),
            legal_basis: None,
            legal_basis_text: None,
            consent_id: Some(format!("c-{i}")),
            disclosed_at: at + Duration::days(1),
        })
        .collect();
    let write = || ingest::upsert_disclosures(&db, &vault, &context, &disclosures);
    assert_eq!(
        few("new disclosures", &count, write()).await,
        summary(2000, 0, 0)
    );
    assert_eq!(
        few("disclosures again", &count, write()).await,
        summary(0, 0, 2000)
    );
    // A consent of someone else's refuses the whole batch, naming every such item.
    let mut foreign = disclosures.clone();
    for d in &mut foreign {
        d.source_disclosure_id = format!("nieuw-{}", d.source_disclosure_id);
    }
    foreign[7].consent_id = Some("c-8".to_owned());
    let refused = ingest::upsert_disclosures(&db, &vault, &context, &foreign).await;
    match refused {
        Err(ingest::IngestError::Invalid(errors)) => assert_eq!(
            errors
                .iter()
                .map(|e| e.pointer.as_str())
                .collect::<Vec<_>>(),
            ["/items/7/consent_id"]
        ),
        other => panic!("a foreign consent was accepted: {other:?}"),
    }

    let lines: Vec<LogLineInput> = (0..MAX_BATCH)
        .map(|i| LogLineInput {
            trace_id: format!("{:032x}", i / 4 + 1),
            span_id: format!("{:016x}", i + 1),
            parent_span_id: None,
            name: "Aanvraag beoordelen".to_owned(),
            status: "ok".to_owned(),
            start_time: at,
            end_time: at,
            activity_code: "wmo-onderzoek".to_owned(),
            bsn: person(i),
            processor: "Gemeente Voorbeeldstad, team Wmo".to_owned(),
            foreign_operation: None,
        })
        .collect();
    let write = || ingest::record_log_lines(&db, &vault, &context, &lines);
    assert_eq!(
        few("new log lines", &count, write()).await,
        summary(2000, 0, 0)
    );
    assert_eq!(
        few("log lines again", &count, write()).await,
        summary(0, 0, 2000)
    );

    let views: Vec<StaffViewInput> = (0..MAX_BATCH)
        .map(|i| StaffViewInput {
            source_view_id: format!("v-{i}"),
            bsn: person(i),
            staff: "W-2001".to_owned(),
            activity_code: "wmo-onderzoek".to_owned(),
            viewed_at: at,
            case_reference: Some(format!("Z-{i}")),
        })
        .collect();
    let write = || ingest::record_staff_views(&db, &vault, &context, &views);
    assert_eq!(
        few("new staff views", &count, write()).await,
        summary(2000, 0, 0)
    );
    assert_eq!(
        few("staff views again", &count, write()).await,
        summary(0, 0, 2000)
    );
    assert_eq!(
        app.count::<citizens::Entity>().await,
        citizens_before + 400,
        "a citizen for each new person, once"
    );
    app.finish().await;
}

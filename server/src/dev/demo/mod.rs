//! The demo municipality, Gemeente Voorbeeldstad: a register with real purposes, legal bases
//! and retention periods, six source systems, and the records, disclosures, consents and
//! processing log lines of the demo citizens the DigiD stand-in offers. Everything is fictional.
//!
//! The data is in `server/fixtures/demo/` ([`fixtures`]); this module only pushes it through the
//! same ingest functions as the API, so `seed-demo` can run again and changes nothing the second
//! time. What cannot be data stays code: the guardianship, the requests in every workflow state
//! (they go through the real services, `requests`) and the synthetic citizens (`scale`).

use std::future::Future;

use anyhow::Context;
use chrono::NaiveDate;
use sea_orm::DatabaseConnection;

use crate::{
    platform::crypto::Vault,
    sources::ingest::{self, ActivityInput, BatchSummary, IngestError, SourceContext},
    sources::systems,
};

pub mod fixtures;
mod requests;
mod scale;

pub use requests::seed_requests;
pub use scale::seed_scale;

// The demo citizens the code needs by name (the DigiD stand-in offers the same BSNs; the
// fixtures hold them as the API would receive them).
const FATIMA: &str = "999993653";
const NOOR: &str = "725763863";
const HANS: &str = "162275869";
const SANNE: &str = "192285142";
const KEES: &str = "691682483";
const WILHELMINA: &str = "987825707";
const DAAN: &str = "688136138";

/// The register of processing activities, from `register.json`.
///
/// Kept infallible for the tests that build on it; seeding goes through [`fixtures::load`],
/// which returns the parse error instead. The file is embedded at compile time and
/// `fixtures::tests::every_fixture_parses` parses it, so this cannot fail in a tested build.
pub fn register() -> Vec<ActivityInput> {
    fixtures::register().unwrap_or_else(|e| panic!("{e:#}"))
}

/// Loads the demo municipality; returns how many items were new.
pub async fn seed(db: &DatabaseConnection, vault: &Vault) -> anyhow::Result<usize> {
    let fixtures = fixtures::load()?;
    let register = &fixtures.register;
    let admin = context(db, &register.system, true).await?;
    let mut created = count_new(
        "register.json",
        "activities",
        ingest::upsert_activities(db, &admin, &register.activities),
    )
    .await?;
    for (file, source) in &fixtures.sources {
        let context = context(db, &source.system, false).await?;
        // The ingest refuses an empty batch, as the API does; a source without items of a kind
        // simply sends none. Consents go before the disclosures that point at them.
        if !source.records.is_empty() {
            let batch = ingest::upsert_records(db, vault, &context, &source.records);
            created += count_new(file, "records", batch).await?;
        }
        if !source.consents.is_empty() {
            let batch = ingest::upsert_consents(db, vault, &context, &source.consents);
            created += count_new(file, "consents", batch).await?;
        }
        if !source.disclosures.is_empty() {
            let batch = ingest::upsert_disclosures(db, vault, &context, &source.disclosures);
            created += count_new(file, "disclosures", batch).await?;
        }
        if !source.log_lines.is_empty() {
            let batch = ingest::record_log_lines(db, vault, &context, &source.log_lines);
            created += count_new(file, "log_lines", batch).await?;
        }
        if !source.staff_views.is_empty() {
            let batch = ingest::record_staff_views(db, vault, &context, &source.staff_views);
            created += count_new(file, "staff_views", batch).await?;
        }
    }
    seed_family(db, vault).await?;
    Ok(created)
}

/// Finds or creates a fixture's source system and acts as it, the way its API token would.
async fn context(
    db: &DatabaseConnection,
    system: &fixtures::System,
    is_admin: bool,
) -> anyhow::Result<SourceContext> {
    let id = systems::ensure_source(db, &system.name, &system.department, system.mode)
        .await
        .with_context(|| format!("creating the demo source {}", system.name))?;
    Ok(SourceContext {
        id,
        name: system.name.clone(),
        is_admin,
    })
}

/// Runs one ingest batch and counts what was new; a refusal names the fixture and its list.
async fn count_new(
    file: &str,
    list: &str,
    batch: impl Future<Output = Result<BatchSummary, IngestError>>,
) -> anyhow::Result<usize> {
    let summary = batch
        .await
        .map_err(describe)
        .with_context(|| format!("demo fixture {file}: the {list} were refused"))?;
    Ok(summary.created)
}

/// Fatima el Amrani has authority (gezag) over her daughter Noor, born 8 March 2014. Not an API
/// item (the BRP would say it), so not a fixture either.
async fn seed_family(db: &DatabaseConnection, vault: &Vault) -> anyhow::Result<()> {
    use crate::entities::guardianships;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
    let noor_born = NaiveDate::from_ymd_opt(2014, 3, 8).context("Noor's birth date")?;
    let (parent, child) = (
        citizen(db, vault, FATIMA).await?,
        citizen(db, vault, NOOR).await?,
    );
    let exists = guardianships::Entity::find()
        .filter(guardianships::Column::ParentId.eq(parent))
        .filter(guardianships::Column::ChildId.eq(child))
        .one(db)
        .await?
        .is_some();
    if !exists {
        guardianships::ActiveModel {
            parent_id: Set(parent),
            child_id: Set(child),
            child_birth_date: Set(noor_born),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// The citizen id of a demo BSN, creating the citizen on first use.
async fn citizen(db: &DatabaseConnection, vault: &Vault, bsn: &str) -> anyhow::Result<i64> {
    let bsn = crate::identity::Bsn::parse(bsn).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(crate::identity::people::find_or_create_citizen(db, vault, &bsn, None).await?)
}

/// An ingest error as text: the field errors of a refused batch, or the database error.
fn describe(e: IngestError) -> anyhow::Error {
    match e {
        IngestError::Invalid(errors) => anyhow::anyhow!("demo data invalid: {errors:?}"),
        other => anyhow::anyhow!("{other}"),
    }
}

/// Creates the demo citizens the DigiD stand-in offers (idempotent).
pub async fn seed_citizens(db: &DatabaseConnection, vault: &Vault) -> anyhow::Result<usize> {
    let mut count = 0;
    for person in crate::dev::digid::personas::CITIZENS {
        let bsn = crate::identity::Bsn::parse(person.bsn)
            .map_err(|e| anyhow::anyhow!("demo BSN of {}: {e}", person.name))?;
        crate::identity::people::find_or_create_citizen(db, vault, &bsn, Some(person.name)).await?;
        count += 1;
    }
    Ok(count)
}

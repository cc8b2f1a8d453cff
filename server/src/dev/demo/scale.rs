//! Synthetic citizens for performance work: thousands of records spread over the demo register
//! from a fixed seed, so two runs (and the benchmark) see the same data.

use anyhow::Context;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rand::{Rng, SeedableRng, rngs::StdRng};
use sea_orm::DatabaseConnection;
use types::{Confidentiality, LegalBasis, SourceMode};

use super::{describe, seed};
use crate::dev::scale::{RECIPIENTS, synthetic_bsn};
use crate::{
    platform::crypto::Vault,
    sources::ingest::{self, ActivityInput, DisclosureInput, RecordInput, SourceContext},
    sources::systems,
};

/// Adds `count` synthetic citizens from a fixed seed, with plausible spreads of records,
/// disclosures and log lines across the demo register. The first one is the benchmark subject:
/// 2,000 records and 300 disclosures. Returns the benchmark subject's BSN.
pub async fn seed_scale(
    db: &DatabaseConnection,
    vault: &Vault,
    count: u64,
) -> anyhow::Result<Option<String>> {
    if count == 0 {
        return Ok(None);
    }
    seed(db, vault).await?;
    let mut rng = StdRng::seed_from_u64(20261122);
    // Confidential activities are never shown, so data under them would measure nothing.
    let visible: Vec<ActivityInput> = super::fixtures::register()?
        .into_iter()
        .filter(|a| a.confidentiality != Confidentiality::Vertrouwelijk)
        .collect();
    let id =
        systems::ensure_source(db, "Synthetisch", "Prestatietests", SourceMode::Managed).await?;
    let context = SourceContext {
        id,
        name: "Synthetisch".to_owned(),
        is_admin: false,
    };
    for n in 0..count {
        let bsn = synthetic_bsn(n);
        // Most people have a handful of records; a few have many.
        let (records, disclosures) = if n == 0 {
            (2000, 300)
        } else {
            let r: f64 = rng.r#gen();
            ((r * r * r * 120.0) as usize + 1, rng.gen_range(0..8usize))
        };
        let batch = (0..records)
            .map(|i| record(&mut rng, &visible, &bsn, n, i))
            .collect::<anyhow::Result<Vec<_>>>()?;
        for chunk in batch.chunks(ingest::MAX_BATCH) {
            ingest::upsert_records(db, vault, &context, chunk)
                .await
                .map_err(describe)?;
        }
        let discs = (0..disclosures)
            .map(|i| disclosure(&mut rng, &visible, &bsn, n, i))
            .collect::<anyhow::Result<Vec<_>>>()?;
        if !discs.is_empty() {
            ingest::upsert_disclosures(db, vault, &context, &discs)
                .await
                .map_err(describe)?;
        }
    }
    // Fresh statistics, so the planner sees thousands of rows rather than an empty table.
    sea_orm::ConnectionTrait::execute_unprepared(db, "ANALYZE").await?;
    Ok(Some(synthetic_bsn(0)))
}

// The order of the `rng` calls in `record` and `disclosure` is the data: changing it changes
// every synthetic citizen, and with them the benchmark's baseline.

/// Record `i` of synthetic citizen `n`.
fn record(
    rng: &mut StdRng,
    visible: &[ActivityInput],
    bsn: &str,
    n: u64,
    i: usize,
) -> anyhow::Result<RecordInput> {
    let a = &visible[rng.gen_range(0..visible.len())];
    let year = rng.gen_range(2012..2027);
    let category = a.data_categories[rng.gen_range(0..a.data_categories.len())].clone();
    let recorded_at = at(year, rng.gen_range(1..13), rng.gen_range(1..28))?;
    Ok(RecordInput {
        source_record_id: format!("syn-{n}-{i}"),
        bsn: bsn.to_owned(),
        activity_code: a.code.clone(),
        category,
        label: format!("{} ({})", a.name, i + 1),
        value: format!(
            "Vastgelegd gegeven {} voor {}",
            i + 1,
            a.name.to_lowercase()
        ),
        recorded_at,
        recorded_by: "Consulent, Gemeente Voorbeeldstad".to_owned(),
        special_category: a.domain.is_health(),
        retention_until: NaiveDate::from_ymd_opt(year + 10, 1, 1),
    })
}

/// Disclosure `i` of synthetic citizen `n`.
fn disclosure(
    rng: &mut StdRng,
    visible: &[ActivityInput],
    bsn: &str,
    n: u64,
    i: usize,
) -> anyhow::Result<DisclosureInput> {
    let a = &visible[rng.gen_range(0..visible.len())];
    // A consent basis would need a consent to point at; the synthetic data has none.
    let basis = if a.legal_basis == LegalBasis::Consent {
        LegalBasis::PublicTask
    } else {
        a.legal_basis
    };
    let recipient = RECIPIENTS[rng.gen_range(0..RECIPIENTS.len())];
    let disclosed_at = at(
        rng.gen_range(2015..2027),
        rng.gen_range(1..13),
        rng.gen_range(1..28),
    )?;
    Ok(DisclosureInput {
        source_disclosure_id: format!("syn-{n}-d{i}"),
        bsn: bsn.to_owned(),
        activity_code: a.code.clone(),
        recipient_name: recipient.to_owned(),
        recipient_oin: None,
        categories: vec!["Naam en adres".to_owned()],
        purpose: a.purpose.clone(),
        legal_basis: Some(basis),
        legal_basis_text: Some(a.legal_basis_text.clone()),
        consent_id: None,
        disclosed_at,
    })
}

/// 10:00 UTC on a day, the hour the demo fixtures use too.
fn at(y: i32, m: u32, d: u32) -> anyhow::Result<DateTime<Utc>> {
    Utc.with_ymd_and_hms(y, m, d, 10, 0, 0)
        .single()
        .with_context(|| format!("{y}-{m}-{d} is no date"))
}

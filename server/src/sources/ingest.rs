//! What source systems send: processing activities (admin tokens only), personal data records,
//! disclosures, consents and processing log lines. Each batch is validated whole first, every
//! bad field named by a JSON pointer, and then written in one transaction: all or nothing.
//! The source is always the token's, never something the body says.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, IntoActiveModel, QueryFilter, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    entities::{
        consents, disclosures, personal_data_records, processing_activities, processing_log_lines,
        record_history, staff_views,
    },
    identity::Bsn,
    identity::people,
    platform::crypto::Vault,
    sources::register::{Confidentiality, Domain, LegalBasis},
};

/// Most items one batch may carry.
pub const MAX_BATCH: usize = 2000;

/// The source system a token belongs to.
#[derive(Clone, Debug)]
pub struct SourceContext {
    /// `source_systems.id`.
    pub id: i64,
    /// `source_systems.name`.
    pub name: String,
    /// Whether the token may maintain the register.
    pub is_admin: bool,
}

/// One bad field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// RFC 6901 pointer into the request body, e.g. `/items/3/bsn`.
    pub pointer: String,
    /// What is wrong, without echoing personal data.
    pub detail: String,
}

/// Why a batch was not written.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// Nothing was written; these fields are wrong.
    #[error("{} invalid field(s)", .0.len())]
    Invalid(Vec<FieldError>),
    /// The token may not do this.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The database failed; nothing was written.
    #[error("database: {0}")]
    Database(#[from] DbErr),
}

/// What a batch changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct BatchSummary {
    /// Items new to Inzage.
    pub created: usize,
    /// Items that existed and changed.
    pub updated: usize,
    /// Items that existed and were the same.
    pub unchanged: usize,
}

/// Collects field errors for one batch.
#[derive(Default)]
struct Problems(Vec<FieldError>);

impl Problems {
    fn add(&mut self, index: usize, field: &str, detail: impl Into<String>) {
        self.0.push(FieldError {
            pointer: format!("/items/{index}/{field}"),
            detail: detail.into(),
        });
    }

    fn text(&mut self, index: usize, field: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.add(index, field, "must not be empty");
        } else if value.chars().count() > max {
            self.add(index, field, format!("must be at most {max} characters"));
        }
    }

    fn bsn(&mut self, index: usize, raw: &str) -> Option<Bsn> {
        match Bsn::parse(raw) {
            Ok(bsn) => Some(bsn),
            Err(e) => {
                // Never echo the number back: it may be a real BSN with a typo.
                self.add(index, "bsn", format!("not a valid BSN: {e}"));
                None
            }
        }
    }

    fn finish(self) -> Result<(), IngestError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(IngestError::Invalid(self.0))
        }
    }
}

fn check_size<T>(items: &[T]) -> Result<(), IngestError> {
    if items.is_empty() || items.len() > MAX_BATCH {
        return Err(IngestError::Invalid(vec![FieldError {
            pointer: "/items".to_owned(),
            detail: format!("must hold between 1 and {MAX_BATCH} items"),
        }]));
    }
    Ok(())
}

/// The codes of the register's current activities.
async fn known_activities<C: ConnectionTrait>(db: &C) -> Result<HashSet<String>, DbErr> {
    Ok(processing_activities::Entity::find()
        .filter(processing_activities::Column::IsCurrent.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.code)
        .collect())
}

/// A processing activity as the register keeps it.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityInput {
    /// Stable key, lower case with dashes: `wmo-huishoudelijke-hulp`.
    pub code: String,
    /// Name, e.g. "Huishoudelijke hulp (Wmo)".
    pub name: String,
    /// Purpose in plain words.
    pub purpose: String,
    /// Legal basis under Art. 6(1) AVG.
    pub legal_basis: LegalBasis,
    /// The article, e.g. "Wmo 2015 art. 2.3.1".
    pub legal_basis_text: String,
    /// Categories of personal data.
    pub data_categories: Vec<String>,
    /// ISO 8601 duration (`P15Y`) or a rule in words.
    pub retention: String,
    /// Where the data comes from (herkomst).
    pub source: String,
    /// Categories of recipients.
    pub recipient_categories: Vec<String>,
    /// `normaal`, `vertrouwelijk` or `opgeheven`.
    pub confidentiality: Confidentiality,
    /// The social domain.
    pub domain: Domain,
    /// Automated decision-making, when there is any.
    #[serde(default)]
    pub automated_decision: Option<String>,
}

impl ActivityInput {
    fn same_as(&self, row: &processing_activities::Model) -> bool {
        let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_default();
        row.name == self.name
            && row.purpose == self.purpose
            && row.legal_basis == self.legal_basis.as_str()
            && row.legal_basis_text == self.legal_basis_text
            && row.data_categories == json(&self.data_categories)
            && row.retention == self.retention
            && row.source == self.source
            && row.recipient_categories == json(&self.recipient_categories)
            && row.confidentiality == self.confidentiality.as_str()
            && row.domain == self.domain.as_str()
            && row.automated_decision == self.automated_decision
    }
}

/// Upserts register entries; a changed entry becomes a new version, the old one is kept.
pub async fn upsert_activities(
    db: &DatabaseConnection,
    source: &SourceContext,
    items: &[ActivityInput],
) -> Result<BatchSummary, IngestError> {
    if !source.is_admin {
        return Err(IngestError::Forbidden(
            "only an admin token may maintain the register",
        ));
    }
    check_size(items)?;
    let mut problems = Problems::default();
    let mut seen = HashSet::new();
    for (i, a) in items.iter().enumerate() {
        problems.text(i, "code", &a.code, 100);
        if !a
            .code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            problems.add(i, "code", "may only hold a-z, 0-9 and '-'");
        }
        if !seen.insert(a.code.clone()) {
            problems.add(i, "code", "appears twice in this batch");
        }
        problems.text(i, "name", &a.name, 200);
        problems.text(i, "purpose", &a.purpose, 2000);
        problems.text(i, "legal_basis_text", &a.legal_basis_text, 300);
        problems.text(i, "retention", &a.retention, 300);
        problems.text(i, "source", &a.source, 300);
        if a.data_categories.is_empty() {
            problems.add(i, "data_categories", "must name at least one category");
        }
    }
    problems.finish()?;

    let txn = db.begin().await?;
    let mut summary = BatchSummary::default();
    for a in items {
        let current = processing_activities::Entity::find()
            .filter(processing_activities::Column::Code.eq(a.code.clone()))
            .filter(processing_activities::Column::IsCurrent.eq(true))
            .one(&txn)
            .await?;
        let version = match &current {
            Some(row) if a.same_as(row) => {
                summary.unchanged += 1;
                continue;
            }
            Some(row) => {
                let mut old = row.clone().into_active_model();
                old.is_current = Set(false);
                old.update(&txn).await?;
                summary.updated += 1;
                row.version + 1
            }
            None => {
                summary.created += 1;
                1
            }
        };
        processing_activities::ActiveModel {
            code: Set(a.code.clone()),
            version: Set(version),
            is_current: Set(true),
            name: Set(a.name.clone()),
            purpose: Set(a.purpose.clone()),
            legal_basis: Set(a.legal_basis.as_str().to_owned()),
            legal_basis_text: Set(a.legal_basis_text.clone()),
            data_categories: Set(serde_json::to_string(&a.data_categories).unwrap_or_default()),
            retention: Set(a.retention.clone()),
            source: Set(a.source.clone()),
            recipient_categories: Set(
                serde_json::to_string(&a.recipient_categories).unwrap_or_default()
            ),
            confidentiality: Set(a.confidentiality.as_str().to_owned()),
            domain: Set(a.domain.as_str().to_owned()),
            automated_decision: Set(a.automated_decision.clone()),
            valid_from: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(summary)
}

/// A personal data record as a source system holds it.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordInput {
    /// The source's own id; sending it again updates the record (idempotent).
    pub source_record_id: String,
    /// Whose data (sent in the body over TLS; stored only encrypted and as a pseudonym).
    pub bsn: String,
    /// The register entry this record is processed under.
    pub activity_code: String,
    /// Category, e.g. "Gezondheid".
    pub category: String,
    /// Label, e.g. "Indicatie huishoudelijke hulp".
    pub label: String,
    /// The value as shown to the citizen.
    pub value: String,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// Role and organisation, never a person's name: "Wmo-consulent, Gemeente Voorbeeldstad".
    pub recorded_by: String,
    /// Special category (Art. 9 AVG), e.g. health.
    #[serde(default)]
    pub special_category: bool,
    /// End of the retention period, when known.
    #[serde(default)]
    pub retention_until: Option<NaiveDate>,
}

/// Upserts records by the source's record id; a changed value keeps the old one in the history.
pub async fn upsert_records(
    db: &DatabaseConnection,
    vault: &Vault,
    source: &SourceContext,
    items: &[RecordInput],
) -> Result<BatchSummary, IngestError> {
    check_size(items)?;
    let known = known_activities(db).await?;
    let mut problems = Problems::default();
    let mut subjects = Vec::with_capacity(items.len());
    let mut seen = HashSet::new();
    for (i, r) in items.iter().enumerate() {
        subjects.push(problems.bsn(i, &r.bsn));
        problems.text(i, "source_record_id", &r.source_record_id, 200);
        if !seen.insert(r.source_record_id.clone()) {
            problems.add(i, "source_record_id", "appears twice in this batch");
        }
        if !known.contains(&r.activity_code) {
            problems.add(
                i,
                "activity_code",
                "is not a processing activity in the register",
            );
        }
        problems.text(i, "category", &r.category, 200);
        problems.text(i, "label", &r.label, 200);
        problems.text(i, "value", &r.value, 10_000);
        problems.text(i, "recorded_by", &r.recorded_by, 200);
    }
    problems.finish()?;

    let txn = db.begin().await?;
    let mut citizens: BTreeMap<String, i64> = BTreeMap::new();
    let mut summary = BatchSummary::default();
    let now = Utc::now();
    for (r, bsn) in items.iter().zip(subjects) {
        let bsn = bsn.expect("validated above");
        let citizen_id = match citizens.get(bsn.expose()) {
            Some(id) => *id,
            None => {
                let id = people::find_or_create_citizen(&txn, vault, &bsn, None).await?;
                citizens.insert(bsn.expose().to_owned(), id);
                id
            }
        };
        let existing = personal_data_records::Entity::find()
            .filter(personal_data_records::Column::SourceSystemId.eq(source.id))
            .filter(personal_data_records::Column::SourceRecordId.eq(r.source_record_id.clone()))
            .one(&txn)
            .await?;
        match existing {
            Some(row)
                if row.citizen_id == citizen_id
                    && row.activity_code == r.activity_code
                    && row.category == r.category
                    && row.label == r.label
                    && row.value == r.value
                    && row.recorded_at == r.recorded_at
                    && row.recorded_by == r.recorded_by
                    && row.special_category == r.special_category
                    && row.retention_until == r.retention_until =>
            {
                summary.unchanged += 1;
            }
            Some(row) => {
                if row.value != r.value {
                    record_history::ActiveModel {
                        record_id: Set(row.id),
                        old_value: Set(Some(row.value.clone())),
                        new_value: Set(Some(r.value.clone())),
                        cause: Set(format!("bron:{}", source.name)),
                        changed_at: Set(now),
                        ..Default::default()
                    }
                    .insert(&txn)
                    .await?;
                }
                let mut active = row.into_active_model();
                active.citizen_id = Set(citizen_id);
                active.activity_code = Set(r.activity_code.clone());
                active.category = Set(r.category.clone());
                active.label = Set(r.label.clone());
                active.value = Set(r.value.clone());
                active.recorded_at = Set(r.recorded_at);
                active.recorded_by = Set(r.recorded_by.clone());
                active.special_category = Set(r.special_category);
                active.retention_until = Set(r.retention_until);
                active.updated_at = Set(now);
                active.update(&txn).await?;
                summary.updated += 1;
            }
            None => {
                personal_data_records::ActiveModel {
                    citizen_id: Set(citizen_id),
                    source_system_id: Set(source.id),
                    source_record_id: Set(r.source_record_id.clone()),
                    activity_code: Set(r.activity_code.clone()),
                    category: Set(r.category.clone()),
                    label: Set(r.label.clone()),
                    value: Set(r.value.clone()),
                    recorded_at: Set(r.recorded_at),
                    recorded_by: Set(r.recorded_by.clone()),
                    special_category: Set(r.special_category),
                    retention_until: Set(r.retention_until),
                    restricted: Set(false),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                summary.created += 1;
            }
        }
    }
    txn.commit().await?;
    Ok(summary)
}

/// A consent as the source system recorded it.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentInput {
    /// The source's own id.
    pub source_consent_id: String,
    /// Whose consent.
    pub bsn: String,
    /// To whom the data may go.
    pub recipient: String,
    /// For what.
    pub purpose: String,
    /// When it was given.
    pub given_at: DateTime<Utc>,
    /// How: "formulier", "gesprek met consulent", …
    pub channel: String,
    /// When it was withdrawn, if it was.
    #[serde(default)]
    pub withdrawn_at: Option<DateTime<Utc>>,
}

/// Upserts consents by the source's id.
pub async fn upsert_consents(
    db: &DatabaseConnection,
    vault: &Vault,
    source: &SourceContext,
    items: &[ConsentInput],
) -> Result<BatchSummary, IngestError> {
    check_size(items)?;
    let mut problems = Problems::default();
    let mut subjects = Vec::new();
    for (i, c) in items.iter().enumerate() {
        subjects.push(problems.bsn(i, &c.bsn));
        problems.text(i, "source_consent_id", &c.source_consent_id, 200);
        problems.text(i, "recipient", &c.recipient, 200);
        problems.text(i, "purpose", &c.purpose, 2000);
        problems.text(i, "channel", &c.channel, 100);
        if c.withdrawn_at.is_some_and(|w| w < c.given_at) {
            problems.add(i, "withdrawn_at", "is before given_at");
        }
    }
    problems.finish()?;
    let txn = db.begin().await?;
    let mut summary = BatchSummary::default();
    for (c, bsn) in items.iter().zip(subjects) {
        let citizen_id =
            people::find_or_create_citizen(&txn, vault, &bsn.expect("validated"), None).await?;
        let existing = consents::Entity::find()
            .filter(consents::Column::SourceSystemId.eq(source.id))
            .filter(consents::Column::SourceConsentId.eq(c.source_consent_id.clone()))
            .one(&txn)
            .await?;
        let mut active = match existing {
            Some(row) => {
                if row.citizen_id == citizen_id
                    && row.recipient == c.recipient
                    && row.purpose == c.purpose
                    && row.given_at == c.given_at
                    && row.channel == c.channel
                    && row.withdrawn_at == c.withdrawn_at
                {
                    summary.unchanged += 1;
                    continue;
                }
                summary.updated += 1;
                row.into_active_model()
            }
            None => {
                summary.created += 1;
                consents::ActiveModel {
                    source_system_id: Set(source.id),
                    source_consent_id: Set(c.source_consent_id.clone()),
                    withdrawal_channel: Set(None),
                    ..Default::default()
                }
            }
        };
        active.citizen_id = Set(citizen_id);
        active.recipient = Set(c.recipient.clone());
        active.purpose = Set(c.purpose.clone());
        active.given_at = Set(c.given_at);
        active.channel = Set(c.channel.clone());
        active.withdrawn_at = Set(c.withdrawn_at);
        active.save(&txn).await?;
    }
    txn.commit().await?;
    Ok(summary)
}

/// A disclosure (verstrekking) as the source system made it.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisclosureInput {
    /// The source's own id.
    pub source_disclosure_id: String,
    /// Whose data was shared.
    pub bsn: String,
    /// The register entry it was shared under.
    pub activity_code: String,
    /// Who received it.
    pub recipient_name: String,
    /// The recipient's OIN, where known.
    #[serde(default)]
    pub recipient_oin: Option<String>,
    /// Categories shared.
    pub categories: Vec<String>,
    /// Why.
    pub purpose: String,
    /// The legal basis (missing ones are shown to the privacy officer).
    #[serde(default)]
    pub legal_basis: Option<LegalBasis>,
    /// The article in words.
    #[serde(default)]
    pub legal_basis_text: Option<String>,
    /// The source's consent id, when consent is the basis (send the consent first).
    #[serde(default)]
    pub consent_id: Option<String>,
    /// When.
    pub disclosed_at: DateTime<Utc>,
}

/// Upserts disclosures by the source's id.
pub async fn upsert_disclosures(
    db: &DatabaseConnection,
    vault: &Vault,
    source: &SourceContext,
    items: &[DisclosureInput],
) -> Result<BatchSummary, IngestError> {
    check_size(items)?;
    let known = known_activities(db).await?;
    let consent_ids: BTreeMap<String, (i64, i64)> = consents::Entity::find()
        .filter(consents::Column::SourceSystemId.eq(source.id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.source_consent_id, (c.id, c.citizen_id)))
        .collect();
    let mut problems = Problems::default();
    let mut subjects = Vec::new();
    for (i, d) in items.iter().enumerate() {
        subjects.push(problems.bsn(i, &d.bsn));
        problems.text(i, "source_disclosure_id", &d.source_disclosure_id, 200);
        problems.text(i, "recipient_name", &d.recipient_name, 200);
        problems.text(i, "purpose", &d.purpose, 2000);
        if !known.contains(&d.activity_code) {
            problems.add(
                i,
                "activity_code",
                "is not a processing activity in the register",
            );
        }
        if d.categories.is_empty() {
            problems.add(i, "categories", "must name at least one category");
        }
        if let Some(oin) = &d.recipient_oin
            && (oin.len() != 20 || !oin.chars().all(|c| c.is_ascii_digit()))
        {
            problems.add(i, "recipient_oin", "an OIN has 20 digits");
        }
        if let Some(consent) = &d.consent_id
            && !consent_ids.contains_key(consent)
        {
            problems.add(i, "consent_id", "is not a consent this source has sent");
        }
    }
    problems.finish()?;
    let txn = db.begin().await?;
    let mut summary = BatchSummary::default();
    for (i, (d, bsn)) in items.iter().zip(subjects).enumerate() {
        let citizen_id =
            people::find_or_create_citizen(&txn, vault, &bsn.expect("validated"), None).await?;
        let consent_id = match &d.consent_id {
            Some(key) => {
                let (id, owner) = consent_ids[key];
                if owner != citizen_id {
                    txn.rollback().await?;
                    return Err(IngestError::Invalid(vec![FieldError {
                        pointer: format!("/items/{i}/consent_id"),
                        detail: "belongs to someone else".to_owned(),
                    }]));
                }
                Some(id)
            }
            None => None,
        };
        let existing = disclosures::Entity::find()
            .filter(disclosures::Column::SourceSystemId.eq(source.id))
            .filter(disclosures::Column::SourceDisclosureId.eq(d.source_disclosure_id.clone()))
            .one(&txn)
            .await?;
        let mut active = match existing {
            Some(row) => {
                summary.updated += 1;
                row.into_active_model()
            }
            None => {
                summary.created += 1;
                disclosures::ActiveModel {
                    source_system_id: Set(source.id),
                    source_disclosure_id: Set(d.source_disclosure_id.clone()),
                    ..Default::default()
                }
            }
        };
        active.citizen_id = Set(citizen_id);
        active.activity_code = Set(d.activity_code.clone());
        active.recipient_name = Set(d.recipient_name.clone());
        active.recipient_oin = Set(d.recipient_oin.clone());
        active.categories = Set(serde_json::to_string(&d.categories).unwrap_or_default());
        active.purpose = Set(d.purpose.clone());
        active.legal_basis = Set(d.legal_basis.map(|b| b.as_str().to_owned()));
        active.legal_basis_text = Set(d.legal_basis_text.clone());
        active.consent_id = Set(consent_id);
        active.disclosed_at = Set(d.disclosed_at);
        active.save(&txn).await?;
    }
    txn.commit().await?;
    Ok(summary)
}

/// A line of the Logboek Dataverwerkingen.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogLineInput {
    /// W3C trace id: 32 lower-case hex digits.
    pub trace_id: String,
    /// W3C span id: 16 lower-case hex digits.
    pub span_id: String,
    /// The parent span, if any.
    #[serde(default)]
    pub parent_span_id: Option<String>,
    /// What was done, e.g. "Indicatie beoordelen".
    pub name: String,
    /// `ok` or `error`.
    pub status: String,
    /// Start.
    pub start_time: DateTime<Utc>,
    /// End.
    pub end_time: DateTime<Utc>,
    /// The register entry.
    pub activity_code: String,
    /// Whose data (stored only as the keyed pseudonym).
    pub bsn: String,
    /// The organisation unit, never a person: "Gemeente Voorbeeldstad, team Wmo".
    pub processor: String,
}

fn is_hex(value: &str, len: usize) -> bool {
    value.len() == len
        && value
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
}

/// Records log lines; a line sent again (same trace and span) is left as it is.
pub async fn record_log_lines(
    db: &DatabaseConnection,
    vault: &Vault,
    source: &SourceContext,
    items: &[LogLineInput],
) -> Result<BatchSummary, IngestError> {
    check_size(items)?;
    let known = known_activities(db).await?;
    let mut problems = Problems::default();
    let mut subjects = Vec::new();
    for (i, l) in items.iter().enumerate() {
        subjects.push(problems.bsn(i, &l.bsn));
        if !is_hex(&l.trace_id, 32) {
            problems.add(i, "trace_id", "must be 32 lower-case hex digits");
        }
        if !is_hex(&l.span_id, 16) {
            problems.add(i, "span_id", "must be 16 lower-case hex digits");
        }
        if l.parent_span_id.as_deref().is_some_and(|p| !is_hex(p, 16)) {
            problems.add(i, "parent_span_id", "must be 16 lower-case hex digits");
        }
        if !matches!(l.status.as_str(), "ok" | "error") {
            problems.add(i, "status", "must be `ok` or `error`");
        }
        if l.end_time < l.start_time {
            problems.add(i, "end_time", "is before start_time");
        }
        if !known.contains(&l.activity_code) {
            problems.add(
                i,
                "activity_code",
                "is not a processing activity in the register",
            );
        }
        problems.text(i, "name", &l.name, 200);
        problems.text(i, "processor", &l.processor, 200);
    }
    problems.finish()?;
    let txn = db.begin().await?;
    let mut summary = BatchSummary::default();
    for (l, bsn) in items.iter().zip(subjects) {
        let exists = processing_log_lines::Entity::find()
            .filter(processing_log_lines::Column::TraceId.eq(l.trace_id.clone()))
            .filter(processing_log_lines::Column::SpanId.eq(l.span_id.clone()))
            .one(&txn)
            .await?
            .is_some();
        if exists {
            summary.unchanged += 1;
            continue;
        }
        processing_log_lines::ActiveModel {
            trace_id: Set(l.trace_id.clone()),
            span_id: Set(l.span_id.clone()),
            parent_span_id: Set(l.parent_span_id.clone()),
            name: Set(l.name.clone()),
            status: Set(l.status.clone()),
            start_time: Set(l.start_time),
            end_time: Set(l.end_time),
            activity_code: Set(l.activity_code.clone()),
            subject_pseudonym: Set(vault.pseudonym(&bsn.expect("validated"))),
            source_system_id: Set(Some(source.id)),
            processor: Set(l.processor.clone()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        summary.created += 1;
    }
    txn.commit().await?;
    Ok(summary)
}

/// A source system's report that one of its staff opened a citizen's file.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffViewInput {
    /// The source's own id for this view; sent twice, kept once.
    pub source_view_id: String,
    /// Whose file (stored only as the citizen it belongs to).
    pub bsn: String,
    /// The staff member as the source knows them (employee number or account name). Only the
    /// privacy officer sees it; never the citizen.
    pub staff: String,
    /// The register entry the file belongs to.
    pub activity_code: String,
    /// When.
    pub viewed_at: DateTime<Utc>,
    /// The case (zaak) or request the view was for, if any.
    #[serde(default)]
    pub case_reference: Option<String>,
}

/// Records staff views; a view sent twice is kept once.
pub async fn record_staff_views(
    db: &DatabaseConnection,
    vault: &Vault,
    source: &SourceContext,
    items: &[StaffViewInput],
) -> Result<BatchSummary, IngestError> {
    check_size(items)?;
    let known = known_activities(db).await?;
    let mut problems = Problems::default();
    let mut subjects = Vec::new();
    for (i, v) in items.iter().enumerate() {
        subjects.push(problems.bsn(i, &v.bsn));
        problems.text(i, "source_view_id", &v.source_view_id, 128);
        problems.text(i, "staff", &v.staff, 128);
        if v.case_reference
            .as_deref()
            .is_some_and(|c| c.chars().count() > 128)
        {
            problems.add(i, "case_reference", "is longer than 128 characters");
        }
        if !known.contains(&v.activity_code) {
            problems.add(
                i,
                "activity_code",
                "is not a processing activity in the register",
            );
        }
    }
    problems.finish()?;
    let txn = db.begin().await?;
    let mut summary = BatchSummary::default();
    for (v, bsn) in items.iter().zip(subjects) {
        let exists = staff_views::Entity::find()
            .filter(staff_views::Column::SourceSystemId.eq(source.id))
            .filter(staff_views::Column::SourceViewId.eq(v.source_view_id.clone()))
            .one(&txn)
            .await?
            .is_some();
        if exists {
            summary.unchanged += 1;
            continue;
        }
        let citizen_id =
            people::find_or_create_citizen(&txn, vault, &bsn.expect("validated"), None).await?;
        staff_views::ActiveModel {
            source_system_id: Set(source.id),
            source_view_id: Set(v.source_view_id.clone()),
            citizen_id: Set(citizen_id),
            staff_ref: Set(v.staff.trim().to_owned()),
            activity_code: Set(v.activity_code.clone()),
            viewed_at: Set(v.viewed_at),
            case_reference: Set(v
                .case_reference
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned)),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        summary.created += 1;
    }
    txn.commit().await?;
    Ok(summary)
}

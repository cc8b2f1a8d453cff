//! Lines of the Logboek Dataverwerkingen, kept once per source, trace and span. A line that
//! touches a restricted record is kept and shown to the privacy officer.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QuerySelect,
};
use serde::{Deserialize, Serialize};
use types::SpanStatus;
use utoipa::ToSchema;

use super::{
    BatchSummary, IN_CHUNK, IngestError, Kind, Outcome, Partial, Problems, Restrictions,
    SourceContext, Touch, check_size, ingest, ingest_good, insert_all, known_activities,
};
use crate::{
    entities::processing_log_lines,
    identity::{Bsn, BsnVault},
    platform::crypto::Vault,
};

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
    /// The processing at another organisation that caused this one, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub foreign_operation: Option<ForeignOperation>,
}

/// A processing at another organisation (the standard's `foreign_operation`).
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForeignOperation {
    /// That organisation's trace: 32 lower-case hex digits.
    pub trace_id: String,
    /// That organisation's operation (span): 16 lower-case hex digits.
    pub span_id: String,
    /// A URI naming that organisation, e.g. `urn:oin:00000001234567890000`.
    pub entity: String,
}

fn is_hex(value: &str, len: usize) -> bool {
    value.len() == len
        && value
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
}

/// Records log lines; a line the same source sends again (same trace and span) is left as it is.
pub async fn record_log_lines(
    db: &DatabaseConnection,
    vault: &Vault,
    source: &SourceContext,
    items: &[LogLineInput],
) -> Result<BatchSummary, IngestError> {
    check_size(items)?;
    ingest(db, LogLines::load(db, vault, source).await?, items).await
}

/// Records the good lines of `items` and refuses the others, each with its bad fields, instead
/// of refusing the whole batch: what OTLP's partial success asks of a receiver. Writes in one
/// transaction: every good line, or (on a database error) none.
pub async fn record_good_log_lines(
    db: &DatabaseConnection,
    vault: &Vault,
    source: &SourceContext,
    items: &[LogLineInput],
) -> Result<Partial, IngestError> {
    check_size(items)?;
    ingest_good(db, LogLines::load(db, vault, source).await?, items).await
}

/// Log lines as a kind of item, checked against the register. A line names its citizen only by
/// the keyed pseudonym, so no citizen is looked up.
struct LogLines<'a> {
    source: &'a SourceContext,
    vault: &'a Vault,
    known: HashSet<String>,
    restrictions: Restrictions,
}

impl<'a> LogLines<'a> {
    /// What a batch of `source`'s lines is checked against: the register, the restrictions.
    async fn load(
        db: &DatabaseConnection,
        vault: &'a Vault,
        source: &'a SourceContext,
    ) -> Result<Self, IngestError> {
        Ok(Self {
            source,
            vault,
            known: known_activities(db).await?,
            restrictions: Restrictions::load(db).await?,
        })
    }
}

impl Kind for LogLines<'_> {
    type Item = LogLineInput;
    /// The citizen and the status, as read once by the check.
    type Checked = (Bsn, SpanStatus);

    fn check(
        &self,
        i: usize,
        l: &LogLineInput,
        problems: &mut Problems,
    ) -> Option<(Bsn, SpanStatus)> {
        let bsn = problems.bsn(i, &l.bsn);
        if !is_hex(&l.trace_id, 32) {
            problems.add(i, "trace_id", "must be 32 lower-case hex digits");
        }
        if !is_hex(&l.span_id, 16) {
            problems.add(i, "span_id", "must be 16 lower-case hex digits");
        }
        if l.parent_span_id.as_deref().is_some_and(|p| !is_hex(p, 16)) {
            problems.add(i, "parent_span_id", "must be 16 lower-case hex digits");
        }
        let status = SpanStatus::parse(&l.status);
        if status.is_none() {
            problems.add(i, "status", "must be `ok` or `error`");
        }
        if l.end_time < l.start_time {
            problems.add(i, "end_time", "is before start_time");
        }
        problems.activity(i, &l.activity_code, &self.known);
        problems.text(i, "name", &l.name, 200);
        problems.text(i, "processor", &l.processor, 200);
        if let Some(foreign) = &l.foreign_operation {
            if !is_hex(&foreign.trace_id, 32) {
                problems.add(
                    i,
                    "foreign_operation/trace_id",
                    "must be 32 lower-case hex digits",
                );
            }
            if !is_hex(&foreign.span_id, 16) {
                problems.add(
                    i,
                    "foreign_operation/span_id",
                    "must be 16 lower-case hex digits",
                );
            }
            problems.text(i, "foreign_operation/entity", &foreign.entity, 300);
        }
        bsn.zip(status)
    }

    async fn write(
        &mut self,
        txn: &DatabaseTransaction,
        items: &[LogLineInput],
        checked: Vec<(Bsn, SpanStatus)>,
    ) -> Result<BatchSummary, IngestError> {
        // Once per source: another source's line with the same ids is another line. Looked up
        // by the traces (the index's order), the spans picked out here.
        let mut traces: Vec<&str> = items.iter().map(|l| l.trace_id.as_str()).collect();
        traces.sort_unstable();
        traces.dedup();
        let mut kept: HashSet<(String, String)> = HashSet::new();
        for chunk in traces.chunks(IN_CHUNK) {
            let rows: Vec<(String, String)> = processing_log_lines::Entity::find()
                .select_only()
                .column(processing_log_lines::Column::TraceId)
                .column(processing_log_lines::Column::SpanId)
                .filter(processing_log_lines::Column::SourceSystemId.eq(self.source.id))
                .filter(processing_log_lines::Column::TraceId.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(txn)
                .await?;
            kept.extend(rows);
        }
        let now = Utc::now();
        let mut pseudonyms: HashMap<&str, String> = HashMap::new();
        let mut summary = BatchSummary::default();
        let mut lines = Vec::new();
        let mut touches = Vec::new();
        for (l, (bsn, status)) in items.iter().zip(&checked) {
            // A line sent twice, before or in this batch, is kept once.
            if !kept.insert((l.trace_id.clone(), l.span_id.clone())) {
                summary.count(Outcome::Unchanged);
                continue;
            }
            let pseudonym = pseudonyms
                .entry(bsn.expose())
                .or_insert_with(|| self.vault.pseudonym(bsn))
                .clone();
            if let Some(citizen_id) = self.restrictions.citizen(&pseudonym) {
                let touch = Touch {
                    citizen_id,
                    kind: "log_line",
                    item_ref: format!("{}/{}", l.trace_id, l.span_id),
                    activity_code: &l.activity_code,
                    what: &l.name,
                    at: l.end_time,
                };
                touches.extend(self.restrictions.touched(self.source, touch, now));
            }
            lines.push(processing_log_lines::ActiveModel {
                trace_id: Set(l.trace_id.clone()),
                span_id: Set(l.span_id.clone()),
                parent_span_id: Set(l.parent_span_id.clone()),
                name: Set(l.name.clone()),
                status: Set(*status),
                start_time: Set(l.start_time),
                end_time: Set(l.end_time),
                activity_code: Set(l.activity_code.clone()),
                subject_pseudonym: Set(pseudonym),
                source_system_id: Set(Some(self.source.id)),
                processor: Set(l.processor.clone()),
                foreign_trace_id: Set(l.foreign_operation.as_ref().map(|f| f.trace_id.clone())),
                foreign_span_id: Set(l.foreign_operation.as_ref().map(|f| f.span_id.clone())),
                foreign_entity: Set(l.foreign_operation.as_ref().map(|f| f.entity.clone())),
                ..Default::default()
            });
            summary.count(Outcome::Created);
        }
        insert_all(txn, touches).await?;
        insert_all(txn, lines).await?;
        Ok(summary)
    }
}

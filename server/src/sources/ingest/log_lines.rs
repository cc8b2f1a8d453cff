//! Lines of the Logboek Dataverwerkingen, kept once per source, trace and span. A line that
//! touches a restricted record is kept and shown to the privacy officer.

use crate::identity::BsnVault;
use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter,
};
use serde::{Deserialize, Serialize};
use types::SpanStatus;
use utoipa::ToSchema;

use super::{
    BatchSummary, IngestError, Kind, Outcome, Problems, Restrictions, SourceContext, Touch,
    check_size, ingest, known_activities,
};
use crate::{entities::processing_log_lines, identity::Bsn, platform::crypto::Vault};

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

/// Records log lines; a line the same source sends again (same trace and span) is left as it is.
pub async fn record_log_lines(
    db: &DatabaseConnection,
    vault: &Vault,
    source: &SourceContext,
    items: &[LogLineInput],
) -> Result<BatchSummary, IngestError> {
    check_size(items)?;
    let kind = LogLines {
        source,
        vault,
        known: known_activities(db).await?,
        restrictions: Restrictions::load(db).await?,
    };
    ingest(db, kind, items).await
}

/// Log lines as a kind of item, checked against the register. A line names its citizen only by
/// the keyed pseudonym, so no citizen is looked up.
struct LogLines<'a> {
    source: &'a SourceContext,
    vault: &'a Vault,
    known: HashSet<String>,
    restrictions: Restrictions,
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
        bsn.zip(status)
    }

    async fn write(
        &mut self,
        txn: &DatabaseTransaction,
        _: usize,
        l: &LogLineInput,
        (bsn, status): (Bsn, SpanStatus),
    ) -> Result<Outcome, IngestError> {
        // Once per source: another source's line with the same ids is another line.
        let exists = processing_log_lines::Entity::find()
            .filter(processing_log_lines::Column::SourceSystemId.eq(self.source.id))
            .filter(processing_log_lines::Column::TraceId.eq(l.trace_id.clone()))
            .filter(processing_log_lines::Column::SpanId.eq(l.span_id.clone()))
            .one(txn)
            .await?
            .is_some();
        if exists {
            return Ok(Outcome::Unchanged);
        }
        let pseudonym = self.vault.pseudonym(&bsn);
        if let Some(citizen_id) = self.restrictions.citizen(&pseudonym) {
            let touch = Touch {
                citizen_id,
                kind: "log_line",
                item_ref: format!("{}/{}", l.trace_id, l.span_id),
                activity_code: &l.activity_code,
                what: &l.name,
                at: l.end_time,
            };
            self.restrictions.note(txn, self.source, touch).await?;
        }
        processing_log_lines::ActiveModel {
            trace_id: Set(l.trace_id.clone()),
            span_id: Set(l.span_id.clone()),
            parent_span_id: Set(l.parent_span_id.clone()),
            name: Set(l.name.clone()),
            status: Set(status),
            start_time: Set(l.start_time),
            end_time: Set(l.end_time),
            activity_code: Set(l.activity_code.clone()),
            subject_pseudonym: Set(pseudonym),
            source_system_id: Set(Some(self.source.id)),
            processor: Set(l.processor.clone()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        Ok(Outcome::Created)
    }
}

//! `processing_log_lines`: Logboek Dataverwerkingen lines, by pseudonymous subject.

use sea_orm::entity::prelude::*;
use types::SpanStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "processing_log_lines")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub trace_id: String,
    pub span_id: String,
    pub parent_span_id: Option<String>,
    pub name: String,
    pub status: SpanStatus,
    pub start_time: DateTimeUtc,
    pub end_time: DateTimeUtc,
    pub activity_code: String,
    pub subject_pseudonym: String,
    pub source_system_id: Option<i64>,
    pub processor: String,
    pub foreign_trace_id: Option<String>,
    pub foreign_span_id: Option<String>,
    pub foreign_entity: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

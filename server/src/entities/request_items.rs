//! `request_items`: one record (or "all my data") in a request's scope, with its decision.

use sea_orm::entity::prelude::*;
use types::{Decision, Outcome, RefusalGround};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "request_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub request_id: i64,
    pub record_id: Option<i64>,
    pub source_system_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub label: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub proposed_value: Option<String>,
    pub decision: Option<Decision>,
    pub ground: Option<RefusalGround>,
    #[sea_orm(column_type = "Text", nullable)]
    pub decision_note: Option<String>,
    pub outcome: Option<Outcome>,
    pub executed_at: Option<DateTimeUtc>,
    pub special_category: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

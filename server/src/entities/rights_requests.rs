//! `rights_requests`: a citizen's request under GDPR Art. 15–21.

use sea_orm::entity::prelude::*;
use types::{Kind, Status};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rights_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub reference: String,
    pub kind: Kind,
    pub citizen_id: i64,
    pub requester_id: i64,
    pub authority_confirmed_by: Option<i64>,
    pub all_data: bool,
    #[sea_orm(column_type = "Text")]
    pub explanation: String,
    pub status: Status,
    pub received_at: DateTimeUtc,
    pub due_on: Date,
    pub extended_to: Option<Date>,
    #[sea_orm(column_type = "Text", nullable)]
    pub extension_reason: Option<String>,
    pub assignee_id: Option<i64>,
    pub decided_by: Option<i64>,
    #[sea_orm(column_type = "Text", nullable)]
    pub decision_note: Option<String>,
    pub approved_by: Option<i64>,
    pub locale: String,
    pub version: i32,
    pub submit_token: String,
    pub closed_at: Option<DateTimeUtc>,
    pub mandate: Option<String>,
    pub filed_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

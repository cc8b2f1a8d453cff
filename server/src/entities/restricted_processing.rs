//! `restricted_processing`: staff views and log lines that touched a restricted record.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "restricted_processing")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub citizen_id: i64,
    pub source_system_id: i64,
    pub kind: String,
    pub item_ref: String,
    pub activity_code: String,
    pub what: String,
    pub occurred_at: DateTimeUtc,
    pub restricted_by: String,
    pub detected_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

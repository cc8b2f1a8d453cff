//! `consents`: consents given and withdrawn.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub citizen_id: i64,
    pub source_system_id: i64,
    pub source_consent_id: String,
    pub recipient: String,
    #[sea_orm(column_type = "Text")]
    pub purpose: String,
    pub given_at: DateTimeUtc,
    pub channel: String,
    pub withdrawn_at: Option<DateTimeUtc>,
    pub withdrawal_channel: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! `source_tokens`: bearer tokens of source systems, stored hashed.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "source_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub source_system_id: i64,
    pub token_hash: String,
    pub is_admin: bool,
    pub label: String,
    pub created_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! `record_tombstones`: an erased record's source id, so that a re-send of it is refused.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "record_tombstones")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub source_system_id: i64,
    pub source_record_id: String,
    pub request_id: i64,
    pub reference: String,
    pub erased_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

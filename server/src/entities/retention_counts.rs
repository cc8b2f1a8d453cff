//! `retention_counts`: one row per day, the records past their retention date per source.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "retention_counts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: Date,
    pub counted_at: DateTimeUtc,
    /// JSON: `[{"source_system_id": …, "records": …, "oldest": "YYYY-MM-DD"}]`.
    #[sea_orm(column_type = "Text")]
    pub figures: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! `access_answers`: the Art. 15 answer of an access request, as it was sent (insert-only).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "access_answers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub request_id: i64,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    #[sea_orm(column_type = "Text")]
    pub left_out: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub left_out_note: Option<String>,
    pub sent_by: i64,
    pub sent_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

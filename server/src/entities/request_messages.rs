//! `request_messages`: messages between citizen and municipality, and internal notes.

use sea_orm::entity::prelude::*;
use types::ActorKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "request_messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub request_id: i64,
    pub at: DateTimeUtc,
    pub author: ActorKind,
    pub staff_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub internal: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

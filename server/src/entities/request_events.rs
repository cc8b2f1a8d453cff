//! `request_events`: a request's timeline, insert-only.

use sea_orm::entity::prelude::*;
use types::{Action, ActorKind, Status};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "request_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub request_id: i64,
    pub at: DateTimeUtc,
    pub actor_kind: ActorKind,
    pub staff_id: Option<i64>,
    pub action: Action,
    pub from_status: Status,
    pub to_status: Status,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
    pub note_is_public: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! `request_tasks`: execution tasks for connected source systems and Art. 19 notifications.

use sea_orm::entity::prelude::*;
use types::{TaskAction, TaskKind, TaskStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "request_tasks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub request_id: i64,
    pub kind: TaskKind,
    pub source_system_id: Option<i64>,
    pub recipient: Option<String>,
    pub action: TaskAction,
    pub record_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    pub status: TaskStatus,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub done_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

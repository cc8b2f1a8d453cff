//! `citizen_contacts`: a citizen's contact address, used only once verified.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "citizen_contacts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub citizen_id: i64,
    pub email: Option<String>,
    pub verified_at: Option<DateTimeUtc>,
    pub pending_email: Option<String>,
    pub code_hash: Option<String>,
    pub code_expires_at: Option<DateTimeUtc>,
    pub code_attempts: i32,
    pub locale: String,
    pub updated_at: DateTimeUtc,
    pub code_requests: i32,
    pub code_window_started_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

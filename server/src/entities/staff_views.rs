//! `staff_views`: a source system's report that one of its staff opened a citizen's file.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "staff_views")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub source_system_id: i64,
    pub source_view_id: String,
    pub citizen_id: i64,
    pub staff_ref: String,
    pub activity_code: String,
    pub viewed_at: DateTimeUtc,
    pub case_reference: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

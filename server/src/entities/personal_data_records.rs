//! `personal_data_records`: what the municipality holds on a citizen, per source record.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "personal_data_records")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub citizen_id: i64,
    pub source_system_id: i64,
    pub source_record_id: String,
    pub activity_code: String,
    pub category: String,
    pub label: String,
    #[sea_orm(column_type = "Text")]
    pub value: String,
    pub recorded_at: DateTimeUtc,
    pub recorded_by: String,
    pub special_category: bool,
    pub retention_until: Option<Date>,
    pub restricted: bool,
    pub restricted_by: Option<String>,
    pub restricted_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! `disclosures`: verstrekkingen: what was shared with whom, why.

use sea_orm::entity::prelude::*;
use types::LegalBasis;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "disclosures")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub citizen_id: i64,
    pub source_system_id: i64,
    pub source_disclosure_id: String,
    pub activity_code: String,
    pub recipient_name: String,
    pub recipient_oin: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub categories: String,
    #[sea_orm(column_type = "Text")]
    pub purpose: String,
    pub legal_basis: Option<LegalBasis>,
    pub legal_basis_text: Option<String>,
    pub consent_id: Option<i64>,
    pub disclosed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

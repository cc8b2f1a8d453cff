//! `processing_activities`: the versioned Art. 30 register.

use sea_orm::entity::prelude::*;
use types::{Confidentiality, Domain, LegalBasis};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "processing_activities")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub code: String,
    pub version: i32,
    pub is_current: bool,
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub purpose: String,
    pub legal_basis: LegalBasis,
    pub legal_basis_text: String,
    #[sea_orm(column_type = "Text")]
    pub data_categories: String,
    pub retention: String,
    pub source: String,
    #[sea_orm(column_type = "Text")]
    pub recipient_categories: String,
    pub confidentiality: Confidentiality,
    pub domain: Domain,
    pub automated_decision: Option<String>,
    pub valid_from: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! `request_leave_outs`: a record the decision on an access request leaves out of the answer,
//! with its ground and note (approved with the decision).

use sea_orm::entity::prelude::*;
use types::RefusalGround;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "request_leave_outs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub request_id: i64,
    pub record_id: i64,
    pub ground: RefusalGround,
    #[sea_orm(column_type = "Text")]
    pub note: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

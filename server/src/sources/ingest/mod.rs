//! What source systems send: processing activities (admin tokens only), personal data records,
//! disclosures, consents and processing log lines. Each batch is validated whole first, every
//! bad field named by a JSON pointer, and then written in one transaction: all or nothing.
//! The source is always the token's, never something the body says.

use std::collections::HashSet;

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{entities::processing_activities, identity::Bsn};

mod activities;
mod consents;
mod disclosures;
mod log_lines;
mod records;
mod staff_views;

pub use activities::{ActivityInput, upsert_activities};
pub use consents::{ConsentInput, upsert_consents};
pub use disclosures::{DisclosureInput, upsert_disclosures};
pub use log_lines::{LogLineInput, record_log_lines};
pub use records::{RecordInput, upsert_records};
pub use staff_views::{StaffViewInput, record_staff_views};

/// Most items one batch may carry.
pub const MAX_BATCH: usize = 2000;

/// The source system a token belongs to.
#[derive(Clone, Debug)]
pub struct SourceContext {
    /// `source_systems.id`.
    pub id: i64,
    /// `source_systems.name`.
    pub name: String,
    /// Whether the token may maintain the register.
    pub is_admin: bool,
}

/// One bad field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// RFC 6901 pointer into the request body, e.g. `/items/3/bsn`.
    pub pointer: String,
    /// What is wrong, without echoing personal data.
    pub detail: String,
}

/// Why a batch was not written.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// Nothing was written; these fields are wrong.
    #[error("{} invalid field(s)", .0.len())]
    Invalid(Vec<FieldError>),
    /// The token may not do this.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The database failed; nothing was written.
    #[error("database: {0}")]
    Database(#[from] DbErr),
}

/// What a batch changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct BatchSummary {
    /// Items new to Inzage.
    pub created: usize,
    /// Items that existed and changed.
    pub updated: usize,
    /// Items that existed and were the same.
    pub unchanged: usize,
}

/// Collects field errors for one batch.
#[derive(Default)]
struct Problems(Vec<FieldError>);

impl Problems {
    fn add(&mut self, index: usize, field: &str, detail: impl Into<String>) {
        self.0.push(FieldError {
            pointer: format!("/items/{index}/{field}"),
            detail: detail.into(),
        });
    }

    fn text(&mut self, index: usize, field: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.add(index, field, "must not be empty");
        } else if value.chars().count() > max {
            self.add(index, field, format!("must be at most {max} characters"));
        }
    }

    fn bsn(&mut self, index: usize, raw: &str) -> Option<Bsn> {
        match Bsn::parse(raw) {
            Ok(bsn) => Some(bsn),
            Err(e) => {
                // Never echo the number back: it may be a real BSN with a typo.
                self.add(index, "bsn", format!("not a valid BSN: {e}"));
                None
            }
        }
    }

    fn finish(self) -> Result<(), IngestError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(IngestError::Invalid(self.0))
        }
    }
}

fn check_size<T>(items: &[T]) -> Result<(), IngestError> {
    if items.is_empty() || items.len() > MAX_BATCH {
        return Err(IngestError::Invalid(vec![FieldError {
            pointer: "/items".to_owned(),
            detail: format!("must hold between 1 and {MAX_BATCH} items"),
        }]));
    }
    Ok(())
}

/// The codes of the register's current activities.
async fn known_activities<C: ConnectionTrait>(db: &C) -> Result<HashSet<String>, DbErr> {
    Ok(processing_activities::Entity::find()
        .filter(processing_activities::Column::IsCurrent.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.code)
        .collect())
}

//! The processing register as the pages read it, and the portal's own entry in it.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};

use crate::entities::{processing_activities, source_systems};
use types::{Confidentiality, Domain, LegalBasis};

/// The register as the pages need it: current activities by code, source system names by id.
pub(crate) struct Register {
    /// Current register entries by code.
    pub activities: HashMap<String, processing_activities::Model>,
    /// Source system names by id.
    pub sources: HashMap<i64, String>,
}

impl Register {
    /// The name of source system `id` (empty when unknown).
    pub fn source_name(&self, id: i64) -> String {
        self.sources.get(&id).cloned().unwrap_or_default()
    }

    /// The name of activity `code` (the code itself when the register does not know it).
    pub fn activity_name(&self, code: &str) -> String {
        self.activities
            .get(code)
            .map_or_else(|| code.to_owned(), |a| a.name.clone())
    }
}

/// The register's current activities by code, in one query.
pub(crate) async fn current_activities<C: ConnectionTrait>(
    db: &C,
) -> Result<HashMap<String, processing_activities::Model>, DbErr> {
    Ok(processing_activities::Entity::find()
        .filter(processing_activities::Column::IsCurrent.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.code.clone(), a))
        .collect())
}

/// Reads the register in two queries, whatever the number of items a page then looks up in it.
pub(crate) async fn register<C: ConnectionTrait>(db: &C) -> Result<Register, DbErr> {
    let activities = current_activities(db).await?;
    let sources = source_systems::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    Ok(Register {
        activities,
        sources,
    })
}

/// Code of the portal's own processing activity (its log lines about citizens use it).
pub const PORTAL_ACTIVITY: &str = "inzage-portaal";

/// Puts the portal's own processing activity in the register if it is not there.
pub async fn ensure_portal_activity(
    db: &DatabaseConnection,
    municipality: &str,
) -> Result<(), DbErr> {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let exists = processing_activities::Entity::find()
        .filter(processing_activities::Column::Code.eq(PORTAL_ACTIVITY))
        .one(db)
        .await?
        .is_some();
    if exists {
        return Ok(());
    }
    processing_activities::ActiveModel {
        code: Set(PORTAL_ACTIVITY.to_owned()),
        version: Set(1),
        is_current: Set(true),
        name: Set("Inzageportaal".to_owned()),
        purpose: Set(
            "U laten zien welke gegevens de gemeente over u heeft en uw verzoeken behandelen."
                .to_owned(),
        ),
        legal_basis: Set(LegalBasis::LegalObligation),
        legal_basis_text: Set("AVG art. 12 en 15".to_owned()),
        data_categories: Set(r#"["BSN (versleuteld)", "Inloggegevens"]"#.to_owned()),
        retention: Set("P1Y".to_owned()),
        source: Set("DigiD en de aangesloten systemen".to_owned()),
        recipient_categories: Set("[]".to_owned()),
        confidentiality: Set(Confidentiality::Normaal),
        domain: Set(Domain::Brp),
        automated_decision: Set(None),
        valid_from: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    tracing::info!(%municipality, "register: added the portal's own processing activity");
    Ok(())
}

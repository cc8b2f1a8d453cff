//! Staff views: which of a source's staff opened a citizen's file, kept once per view. A view
//! of a restricted record is kept and shown to the privacy officer.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QuerySelect,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    BatchSummary, IN_CHUNK, IngestError, Kind, Outcome, Problems, Restrictions, SourceContext,
    Touch, check_size, citizen_ids, ingest, insert_all, known_activities,
};
use crate::{entities::staff_views, identity::Bsn, platform::crypto::Vault};

/// A source system's report that one of its staff opened a citizen's file.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffViewInput {
    /// The source's own id for this view; sent twice, kept once.
    pub source_view_id: String,
    /// Whose file (stored only as the citizen it belongs to).
    pub bsn: String,
    /// The staff member as the source knows them (employee number or account name). Only the
    /// privacy officer sees it; never the citizen.
    pub staff: String,
    /// The register entry the file belongs to.
    pub activity_code: String,
    /// When.
    pub viewed_at: DateTime<Utc>,
    /// The case (zaak) or request the view was for, if any.
    #[serde(default)]
    pub case_reference: Option<String>,
}

/// Records staff views; a view sent twice is kept once.
pub async fn record_staff_views(
    db: &DatabaseConnection,
    vault: &Vault,
    source: &SourceContext,
    items: &[StaffViewInput],
) -> Result<BatchSummary, IngestError> {
    check_size(items)?;
    let kind = StaffViews {
        source,
        vault,
        known: known_activities(db).await?,
        restrictions: Restrictions::load(db).await?,
    };
    ingest(db, kind, items).await
}

/// Staff views as a kind of item, checked against the register.
struct StaffViews<'a> {
    source: &'a SourceContext,
    vault: &'a Vault,
    known: HashSet<String>,
    restrictions: Restrictions,
}

impl Kind for StaffViews<'_> {
    type Item = StaffViewInput;
    type Checked = Bsn;

    fn check(&self, i: usize, v: &StaffViewInput, problems: &mut Problems) -> Option<Bsn> {
        let bsn = problems.bsn(i, &v.bsn);
        problems.text(i, "source_view_id", &v.source_view_id, 128);
        problems.text(i, "staff", &v.staff, 128);
        if v.case_reference
            .as_deref()
            .is_some_and(|c| c.chars().count() > 128)
        {
            problems.add(i, "case_reference", "is longer than 128 characters");
        }
        problems.activity(i, &v.activity_code, &self.known);
        bsn
    }

    async fn write(
        &mut self,
        txn: &DatabaseTransaction,
        items: &[StaffViewInput],
        bsns: Vec<Bsn>,
    ) -> Result<BatchSummary, IngestError> {
        let ids: Vec<&str> = items.iter().map(|v| v.source_view_id.as_str()).collect();
        let mut kept: HashSet<String> = HashSet::new();
        for chunk in ids.chunks(IN_CHUNK) {
            let rows: Vec<String> = staff_views::Entity::find()
                .select_only()
                .column(staff_views::Column::SourceViewId)
                .filter(staff_views::Column::SourceSystemId.eq(self.source.id))
                .filter(staff_views::Column::SourceViewId.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(txn)
                .await?;
            kept.extend(rows);
        }
        // A view sent twice, before or in this batch, is kept once.
        let mut summary = BatchSummary::default();
        let mut new = Vec::new();
        for (v, bsn) in items.iter().zip(&bsns) {
            if kept.insert(v.source_view_id.clone()) {
                new.push((v, bsn));
                summary.count(Outcome::Created);
            } else {
                summary.count(Outcome::Unchanged);
            }
        }
        // Looked up only for the new views: a view sent again finds (or makes) no citizen.
        let citizens = citizen_ids(
            txn,
            self.vault,
            &new.iter().map(|(_, bsn)| *bsn).collect::<Vec<_>>(),
        )
        .await?;
        let now = Utc::now();
        let mut views = Vec::with_capacity(new.len());
        let mut touches = Vec::new();
        for ((v, _), citizen_id) in new.into_iter().zip(citizens) {
            let touch = Touch {
                citizen_id,
                kind: "staff_view",
                item_ref: v.source_view_id.clone(),
                activity_code: &v.activity_code,
                what: v.staff.trim(),
                at: v.viewed_at,
            };
            touches.extend(self.restrictions.touched(self.source, touch, now));
            views.push(staff_views::ActiveModel {
                source_system_id: Set(self.source.id),
                source_view_id: Set(v.source_view_id.clone()),
                citizen_id: Set(citizen_id),
                staff_ref: Set(v.staff.trim().to_owned()),
                activity_code: Set(v.activity_code.clone()),
                viewed_at: Set(v.viewed_at),
                case_reference: Set(v
                    .case_reference
                    .as_deref()
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned)),
                ..Default::default()
            });
        }
        insert_all(txn, touches).await?;
        insert_all(txn, views).await?;
        Ok(summary)
    }
}

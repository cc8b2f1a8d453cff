//! The overview's figures: how many records in how many domains, and the latest disclosures.

use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::{
    Visibility, consents::consents_by_id, my_data::record_counts, register,
    shared::disclosure_view, visibility::Screen,
};
use crate::entities::disclosures;
use app::models::OverviewView;

/// Disclosures shown on the overview; the rest are one click away under "Gedeeld met".
const RECENT_DISCLOSURES: u64 = 3;

/// The overview's figures.
pub async fn overview(
    db: &DatabaseConnection,
    citizen_id: i64,
    visibility: Visibility,
) -> Result<OverviewView, DbErr> {
    let register = register(db).await?;
    let mut screen = Screen::new(visibility);
    // Counted, not read: the values themselves are not needed.
    let mut shown_records = 0;
    let mut domains = std::collections::BTreeSet::new();
    for count in record_counts(db, citizen_id).await? {
        let activity = register.activities.get(&count.activity_code);
        if let Some(domain) = screen
            .admit(activity, count.special, count.n)
            .map(|a| a.domain)
        {
            shown_records += count.n;
            domains.insert(domain);
        }
    }
    // Disclosures: withheld ones counted per activity, and only the latest shown built.
    let per_activity: Vec<(String, i64)> = disclosures::Entity::find()
        .select_only()
        .column(disclosures::Column::ActivityCode)
        .column_as(disclosures::Column::Id.count(), "n")
        .filter(disclosures::Column::CitizenId.eq(citizen_id))
        .group_by(disclosures::Column::ActivityCode)
        .into_tuple()
        .all(db)
        .await?;
    let shown_codes: Vec<String> = per_activity
        .into_iter()
        .filter(|(code, n)| {
            let n = usize::try_from(*n).unwrap_or(0);
            screen
                .admit(register.activities.get(code), false, n)
                .is_some()
        })
        .map(|(code, _)| code)
        .collect();
    let latest = disclosures::Entity::find()
        .filter(disclosures::Column::CitizenId.eq(citizen_id))
        .filter(disclosures::Column::ActivityCode.is_in(shown_codes))
        .order_by_desc(disclosures::Column::DisclosedAt)
        .order_by_desc(disclosures::Column::Id)
        .limit(RECENT_DISCLOSURES)
        .all(db)
        .await?;
    let consent_ids = latest.iter().filter_map(|d| d.consent_id).collect();
    let consents = consents_by_id(db, citizen_id, Some(consent_ids)).await?;
    Ok(OverviewView {
        records: shown_records,
        domains: domains.len(),
        recent: latest
            .into_iter()
            .map(|d| disclosure_view(d, &consents))
            .collect(),
        withheld_for_level: screen.withheld(),
    })
}

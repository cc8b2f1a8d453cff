//! "Mijn gegevens": the records the municipality keeps about the citizen, grouped by domain and
//! source system, as the page shows them and in full for the downloads.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::{
    Register, SharedFilter, Visibility, iso_date, register, shared::shared_in, visibility::Screen,
};
use types::Domain;

use crate::entities::{personal_data_records, processing_activities};
use app::models::{DomainGroup, MyDataView, RecordView, SharedView, SourceGroup};

/// Which part of "Mijn gegevens" to show: by default the newest records of every source system;
/// with `bron`, that one source system's records page by page.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct MyDataParams {
    /// Source system id.
    pub bron: Option<i64>,
    /// Page, from 1.
    pub pagina: Option<usize>,
}

/// Records shown per source system on the first view of "Mijn gegevens".
pub const PREVIEW_PER_SOURCE: usize = 10;
/// Records per page when one source system is shown.
pub const PAGE_SIZE: usize = 50;

/// One record as the citizen sees it, with its activity's why, basis and retention.
fn record_view(
    r: personal_data_records::Model,
    activity: &processing_activities::Model,
) -> RecordView {
    RecordView {
        id: r.id,
        label: r.label,
        value: r.value,
        category: r.category,
        activity: activity.name.clone(),
        purpose: activity.purpose.clone(),
        legal_basis: activity.legal_basis,
        legal_basis_text: activity.legal_basis_text.clone(),
        retention_until: r.retention_until.map(|d| d.to_string()),
        retention_rule: activity.retention.clone(),
        recorded_at: iso_date(&r.recorded_at),
        recorded_by: r.recorded_by,
        special: r.special_category,
        restricted_by: r.restricted.then(|| r.restricted_by.unwrap_or_default()),
    }
}

/// How many records the citizen has under one source system, activity and special mark.
pub(super) struct RecordCount {
    /// Source system id.
    pub source_id: i64,
    /// Processing activity code.
    pub activity_code: String,
    /// Whether the records are marked special-category.
    pub special: bool,
    /// Number of records.
    pub n: usize,
}

/// The citizen's records counted per source, activity and special mark: enough to decide
/// visibility and totals without reading a single value.
pub(super) async fn record_counts(
    db: &DatabaseConnection,
    citizen_id: i64,
) -> Result<Vec<RecordCount>, DbErr> {
    let counts: Vec<(i64, String, bool, i64)> = personal_data_records::Entity::find()
        .select_only()
        .column(personal_data_records::Column::SourceSystemId)
        .column(personal_data_records::Column::ActivityCode)
        .column(personal_data_records::Column::SpecialCategory)
        .column_as(personal_data_records::Column::Id.count(), "n")
        .filter(personal_data_records::Column::CitizenId.eq(citizen_id))
        .group_by(personal_data_records::Column::SourceSystemId)
        .group_by(personal_data_records::Column::ActivityCode)
        .group_by(personal_data_records::Column::SpecialCategory)
        .into_tuple()
        .all(db)
        .await?;
    Ok(counts
        .into_iter()
        .map(|(source_id, activity_code, special, n)| RecordCount {
            source_id,
            activity_code,
            special,
            n: usize::try_from(n).unwrap_or(0),
        })
        .collect())
}

/// A record a request may name: what filing stores on its item, no value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopeRecord {
    /// Record id.
    pub id: i64,
    /// Its source system.
    pub source_system_id: i64,
    /// Its label.
    pub label: String,
    /// Whether it is marked special-category.
    pub special_category: bool,
}

/// The records of `citizen_id` this login may see (the same rule as "Mijn gegevens"), in id
/// order: all of them, or only those among `only`. Two queries (the register's activities and
/// the records' columns a request item needs), and no record value is read or decrypted.
pub async fn visible_records<C: sea_orm::ConnectionTrait>(
    db: &C,
    citizen_id: i64,
    visibility: Visibility,
    only: Option<&[i64]>,
) -> Result<Vec<ScopeRecord>, DbErr> {
    if only.is_some_and(<[i64]>::is_empty) {
        return Ok(Vec::new());
    }
    let activities = super::register::current_activities(db).await?;
    let mut query = personal_data_records::Entity::find()
        .select_only()
        .column(personal_data_records::Column::Id)
        .column(personal_data_records::Column::SourceSystemId)
        .column(personal_data_records::Column::Label)
        .column(personal_data_records::Column::SpecialCategory)
        .column(personal_data_records::Column::ActivityCode)
        .filter(personal_data_records::Column::CitizenId.eq(citizen_id));
    if let Some(ids) = only {
        query = query.filter(personal_data_records::Column::Id.is_in(ids.iter().copied()));
    }
    let rows: Vec<(i64, i64, String, bool, String)> = query
        .order_by_asc(personal_data_records::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let mut screen = Screen::new(visibility);
    Ok(rows
        .into_iter()
        .filter(|(_, _, _, special, code)| {
            screen.admit(activities.get(code), *special, 1).is_some()
        })
        .map(
            |(id, source_system_id, label, special_category, _)| ScopeRecord {
                id,
                source_system_id,
                label,
                special_category,
            },
        )
        .collect())
}

/// "Mijn gegevens".
pub async fn my_data(
    db: &DatabaseConnection,
    citizen_id: i64,
    visibility: Visibility,
) -> Result<MyDataView, DbErr> {
    my_data_in(db, &register(db).await?, citizen_id, visibility).await
}

/// Every record the citizen may see, against a register already read.
async fn my_data_in(
    db: &DatabaseConnection,
    register: &Register,
    citizen_id: i64,
    visibility: Visibility,
) -> Result<MyDataView, DbErr> {
    let records = personal_data_records::Entity::find()
        .filter(personal_data_records::Column::CitizenId.eq(citizen_id))
        .order_by_desc(personal_data_records::Column::RecordedAt)
        .all(db)
        .await?;
    let mut screen = Screen::new(visibility);
    let mut grouped: BTreeMap<Domain, BTreeMap<(String, i64), Vec<RecordView>>> = BTreeMap::new();
    for r in records {
        let activity = register.activities.get(&r.activity_code);
        let Some(activity) = screen.admit(activity, r.special_category, 1) else {
            continue;
        };
        let domain = activity.domain;
        grouped
            .entry(domain)
            .or_default()
            .entry((register.source_name(r.source_system_id), r.source_system_id))
            .or_default()
            .push(record_view(r, activity));
    }
    Ok(MyDataView {
        domains: grouped
            .into_iter()
            .map(|(domain, sources)| DomainGroup {
                domain,
                sources: sources
                    .into_iter()
                    .map(|((source, source_id), records)| SourceGroup {
                        source_id,
                        source,
                        total: records.len(),
                        records,
                    })
                    .collect(),
            })
            .collect(),
        focus: None,
        withheld_for_level: screen.withheld(),
    })
}

/// "Mijn gegevens" as the page shows it: the newest [`PREVIEW_PER_SOURCE`] records of each
/// source system, or one source system's records [`PAGE_SIZE`] at a time. The whole set stays
/// in the downloads; nobody reads 2,000 items on one page, and rendering them is what costs.
pub async fn my_data_page(
    db: &DatabaseConnection,
    citizen_id: i64,
    visibility: Visibility,
    params: &MyDataParams,
) -> Result<MyDataView, DbErr> {
    let register = register(db).await?;
    let mut screen = Screen::new(visibility);
    let mut groups: BTreeMap<(Domain, String, i64), (usize, BTreeSet<String>)> = BTreeMap::new();
    for count in record_counts(db, citizen_id).await? {
        let activity = register.activities.get(&count.activity_code);
        let Some(domain) = screen
            .admit(activity, count.special, count.n)
            .map(|a| a.domain)
        else {
            continue;
        };
        let source = register.source_name(count.source_id);
        let group = groups.entry((domain, source, count.source_id)).or_default();
        group.0 += count.n;
        group.1.insert(count.activity_code);
    }
    // Only the records the page shows are read: the newest few per group, or one page.
    let focus = params.bron;
    let pages = focus.map(|id| {
        let largest = groups
            .iter()
            .filter(|((_, _, source_id), _)| *source_id == id)
            .map(|(_, (total, _))| *total)
            .max()
            .unwrap_or(0);
        largest.div_ceil(PAGE_SIZE).max(1)
    });
    let page = pages.map(|pages| params.pagina.unwrap_or(1).clamp(1, pages));
    let (offset, limit) = match page {
        Some(page) => (((page - 1) * PAGE_SIZE) as u64, PAGE_SIZE as u64),
        None => (0, PREVIEW_PER_SOURCE as u64),
    };
    let mut domains: Vec<DomainGroup> = Vec::new();
    for ((domain, source, source_id), (total, codes)) in groups {
        if focus.is_some_and(|id| id != source_id) {
            continue;
        }
        let mut query = personal_data_records::Entity::find()
            .filter(personal_data_records::Column::CitizenId.eq(citizen_id))
            .filter(personal_data_records::Column::SourceSystemId.eq(source_id))
            .filter(personal_data_records::Column::ActivityCode.is_in(codes));
        if !visibility.health {
            query = query.filter(personal_data_records::Column::SpecialCategory.eq(false));
        }
        let records = query
            .order_by_desc(personal_data_records::Column::RecordedAt)
            .order_by_desc(personal_data_records::Column::Id)
            .offset(offset)
            .limit(limit)
            .all(db)
            .await?
            .into_iter()
            .filter_map(|r| {
                let activity = register.activities.get(&r.activity_code)?;
                Some(record_view(r, activity))
            })
            .collect();
        let group = SourceGroup {
            source_id,
            source,
            total,
            records,
        };
        match domains.last_mut() {
            Some(last) if last.domain == domain => last.sources.push(group),
            _ => domains.push(DomainGroup {
                domain,
                sources: vec![group],
            }),
        }
    }
    Ok(MyDataView {
        domains,
        focus: focus
            .zip(page)
            .zip(pages)
            .map(|((source_id, page), pages)| app::models::SourcePage {
                source_id,
                page,
                pages,
            }),
        withheld_for_level: screen.withheld(),
    })
}

/// Records and all disclosures, with the register read once: what the downloads contain.
pub async fn my_data_and_shared(
    db: &DatabaseConnection,
    citizen_id: i64,
    visibility: Visibility,
) -> Result<(MyDataView, SharedView), DbErr> {
    let register = register(db).await?;
    let data = my_data_in(db, &register, citizen_id, visibility).await?;
    let shared = shared_in(
        db,
        &register,
        citizen_id,
        visibility,
        &SharedFilter::default(),
    )
    .await?;
    Ok((data, shared))
}

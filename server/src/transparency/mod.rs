//! What a citizen sees of their own data: records, disclosures and the overview. Every query is
//! scoped by the session's citizen id; confidential activities are left out entirely; records
//! and disclosures of health domains (Wmo, Jeugd) or of special categories are withheld, and
//! counted, when the login level is below `oidc.health_data_level`. A fixed number of queries
//! per page, whatever the number of records.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::{
    entities::{
        consents, disclosures, personal_data_records, processing_activities, processing_log_lines,
        source_systems,
    },
    sources::register::Domain,
};
use app::models::{
    DisclosureView, DomainGroup, MyDataView, OverviewView, RecordView, SharedView, SourceGroup,
};

/// What the citizen may see at this login.
#[derive(Clone, Copy, Debug)]
pub struct Visibility {
    /// Whether health (special-category) data may be shown.
    pub health: bool,
}

impl Visibility {
    /// What a login at `level` may see under these settings.
    pub fn at(settings: &crate::config::Settings, level: crate::identity::AssuranceLevel) -> Self {
        Self {
            health: level >= settings.oidc.health_data_level,
        }
    }
}

/// Filters of "Gedeeld met".
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct SharedFilter {
    /// Recipient name, exact.
    pub ontvanger: Option<String>,
    /// From this date (inclusive).
    pub van: Option<String>,
    /// Up to this date (inclusive).
    pub tot: Option<String>,
}

impl SharedFilter {
    /// The period as dates; a date that does not parse is left out (the page shows the filter
    /// as it was applied).
    fn period(&self) -> (Option<NaiveDate>, Option<NaiveDate>) {
        let date = |value: &Option<String>| {
            value
                .as_deref()
                .and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok())
        };
        (date(&self.van), date(&self.tot))
    }
}

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

pub(crate) async fn register<C: ConnectionTrait>(db: &C) -> Result<Register, DbErr> {
    let activities = processing_activities::Entity::find()
        .filter(processing_activities::Column::IsCurrent.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.code.clone(), a))
        .collect();
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

/// Whether an item under `activity` may be shown: `None` hides it, `Some(false)` withholds it.
fn shown(
    activity: Option<&processing_activities::Model>,
    special: bool,
    visibility: Visibility,
) -> Option<bool> {
    let activity = activity?;
    if activity.confidentiality == "vertrouwelijk" {
        return None;
    }
    let health = special || Domain::parse(&activity.domain).is_some_and(Domain::is_health);
    Some(!health || visibility.health)
}

fn iso_date(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.date_naive().to_string()
}

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
        legal_basis: activity.legal_basis.clone(),
        legal_basis_text: activity.legal_basis_text.clone(),
        retention_until: r.retention_until.map(|d| d.to_string()),
        retention_rule: activity.retention.clone(),
        recorded_at: iso_date(&r.recorded_at),
        recorded_by: r.recorded_by,
        special: r.special_category,
    }
}

/// "Mijn gegevens".
pub async fn my_data(
    db: &DatabaseConnection,
    citizen_id: i64,
    visibility: Visibility,
) -> Result<MyDataView, DbErr> {
    my_data_in(db, &register(db).await?, citizen_id, visibility).await
}

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
    let mut withheld = 0;
    let mut grouped: BTreeMap<Domain, BTreeMap<(String, i64), Vec<RecordView>>> = BTreeMap::new();
    for r in records {
        let activity = register.activities.get(&r.activity_code);
        match shown(activity, r.special_category, visibility) {
            None => continue,
            Some(false) => {
                withheld += 1;
                continue;
            }
            Some(true) => {}
        }
        let Some(activity) = activity else { continue };
        let Some(domain) = Domain::parse(&activity.domain) else {
            continue;
        };
        let source = register
            .sources
            .get(&r.source_system_id)
            .cloned()
            .unwrap_or_default();
        grouped
            .entry(domain)
            .or_default()
            .entry((source, r.source_system_id))
            .or_default()
            .push(record_view(r, activity));
    }
    Ok(MyDataView {
        domains: grouped
            .into_iter()
            .map(|(domain, sources)| DomainGroup {
                domain: domain.as_str().to_owned(),
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
        withheld_for_level: withheld,
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
    // Counts per source, activity and special mark decide visibility and totals without
    // reading a single value.
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
    let mut withheld = 0;
    let mut groups: BTreeMap<(Domain, String, i64), (usize, BTreeSet<String>)> = BTreeMap::new();
    for (source_id, code, special, n) in counts {
        let n = usize::try_from(n).unwrap_or(0);
        let activity = register.activities.get(&code);
        match shown(activity, special, visibility) {
            None => continue,
            Some(false) => {
                withheld += n;
                continue;
            }
            Some(true) => {}
        }
        let Some(domain) = activity.and_then(|a| Domain::parse(&a.domain)) else {
            continue;
        };
        let source = register
            .sources
            .get(&source_id)
            .cloned()
            .unwrap_or_default();
        let group = groups.entry((domain, source, source_id)).or_default();
        group.0 += n;
        group.1.insert(code);
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
            Some(last) if last.domain == domain.as_str() => last.sources.push(group),
            _ => domains.push(DomainGroup {
                domain: domain.as_str().to_owned(),
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
        withheld_for_level: withheld,
    })
}

fn disclosure_view(
    d: disclosures::Model,
    consents: &HashMap<i64, consents::Model>,
) -> DisclosureView {
    DisclosureView {
        categories: serde_json::from_str(&d.categories).unwrap_or_default(),
        disclosed_at: d.disclosed_at.date_naive().to_string(),
        consent: d
            .consent_id
            .and_then(|id| consents.get(&id))
            .map(|c| (c.recipient.clone(), c.withdrawn_at.as_ref().map(iso_date))),
        recipient: d.recipient_name,
        purpose: d.purpose,
        legal_basis: d.legal_basis,
        legal_basis_text: d.legal_basis_text,
    }
}

/// "Gedeeld met", filtered.
pub async fn shared(
    db: &DatabaseConnection,
    citizen_id: i64,
    visibility: Visibility,
    filter: &SharedFilter,
) -> Result<SharedView, DbErr> {
    shared_in(db, &register(db).await?, citizen_id, visibility, filter).await
}

async fn shared_in(
    db: &DatabaseConnection,
    register: &Register,
    citizen_id: i64,
    visibility: Visibility,
    filter: &SharedFilter,
) -> Result<SharedView, DbErr> {
    let rows = disclosures::Entity::find()
        .filter(disclosures::Column::CitizenId.eq(citizen_id))
        .order_by_desc(disclosures::Column::DisclosedAt)
        .all(db)
        .await?;
    let consents: HashMap<i64, consents::Model> = consents::Entity::find()
        .filter(consents::Column::CitizenId.eq(citizen_id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let (from, to) = filter.period();
    let recipient = filter.ontvanger.clone().filter(|r| !r.is_empty());
    let mut withheld = 0;
    let mut recipients = Vec::new();
    let mut views = Vec::new();
    for d in rows {
        match shown(register.activities.get(&d.activity_code), false, visibility) {
            None => continue,
            Some(false) => {
                withheld += 1;
                continue;
            }
            Some(true) => {}
        }
        if !recipients.contains(&d.recipient_name) {
            recipients.push(d.recipient_name.clone());
        }
        let date = d.disclosed_at.date_naive();
        if recipient.as_ref().is_some_and(|r| *r != d.recipient_name)
            || from.is_some_and(|f| date < f)
            || to.is_some_and(|t| date > t)
        {
            continue;
        }
        views.push(disclosure_view(d, &consents));
    }
    recipients.sort();
    Ok(SharedView {
        disclosures: views,
        recipients,
        filter_recipient: recipient,
        filter_from: from.map(|d| d.to_string()),
        filter_to: to.map(|d| d.to_string()),
        withheld_for_level: withheld,
    })
}

/// Records and all disclosures, with the register read once.
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

/// The overview's figures.
pub async fn overview(
    db: &DatabaseConnection,
    citizen_id: i64,
    visibility: Visibility,
) -> Result<OverviewView, DbErr> {
    let register = register(db).await?;
    // Counted per activity and special mark: the values themselves are not needed.
    let records: Vec<(String, bool, i64)> = personal_data_records::Entity::find()
        .select_only()
        .column(personal_data_records::Column::ActivityCode)
        .column(personal_data_records::Column::SpecialCategory)
        .column_as(personal_data_records::Column::Id.count(), "n")
        .filter(personal_data_records::Column::CitizenId.eq(citizen_id))
        .group_by(personal_data_records::Column::ActivityCode)
        .group_by(personal_data_records::Column::SpecialCategory)
        .into_tuple()
        .all(db)
        .await?;
    let mut shown_records = 0;
    let mut withheld = 0;
    let mut domains = std::collections::BTreeSet::new();
    for (code, special, n) in records {
        let n = usize::try_from(n).unwrap_or(0);
        let activity = register.activities.get(&code);
        match shown(activity, special, visibility) {
            None => {}
            Some(false) => withheld += n,
            Some(true) => {
                if let Some(domain) = activity.and_then(|a| Domain::parse(&a.domain)) {
                    shown_records += n;
                    domains.insert(domain);
                }
            }
        }
    }
    // Disclosures: withheld ones counted per activity, and only the three latest shown built.
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
        .iter()
        .filter_map(
            |(code, n)| match shown(register.activities.get(code), false, visibility) {
                Some(false) => {
                    withheld += usize::try_from(*n).unwrap_or(0);
                    None
                }
                Some(true) => Some(code.clone()),
                None => None,
            },
        )
        .collect();
    let latest = disclosures::Entity::find()
        .filter(disclosures::Column::CitizenId.eq(citizen_id))
        .filter(disclosures::Column::ActivityCode.is_in(shown_codes))
        .order_by_desc(disclosures::Column::DisclosedAt)
        .order_by_desc(disclosures::Column::Id)
        .limit(3)
        .all(db)
        .await?;
    let consent_ids: Vec<i64> = latest.iter().filter_map(|d| d.consent_id).collect();
    let consents: HashMap<i64, consents::Model> = consents::Entity::find()
        .filter(consents::Column::CitizenId.eq(citizen_id))
        .filter(consents::Column::Id.is_in(consent_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    Ok(OverviewView {
        records: shown_records,
        domains: domains.len(),
        recent: latest
            .into_iter()
            .map(|d| disclosure_view(d, &consents))
            .collect(),
        withheld_for_level: withheld,
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
        legal_basis: Set("LegalObligation".to_owned()),
        legal_basis_text: Set("AVG art. 12 en 15".to_owned()),
        data_categories: Set(r#"["BSN (versleuteld)", "Inloggegevens"]"#.to_owned()),
        retention: Set("P1Y".to_owned()),
        source: Set("DigiD en de aangesloten systemen".to_owned()),
        recipient_categories: Set("[]".to_owned()),
        confidentiality: Set("normaal".to_owned()),
        domain: Set("brp".to_owned()),
        automated_decision: Set(None),
        valid_from: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    tracing::info!(%municipality, "register: added the portal's own processing activity");
    Ok(())
}

/// "Wie gebruikte mijn gegevens", after writing the line that records this very look.
pub async fn usage(
    db: &DatabaseConnection,
    citizen_id: i64,
    visibility: Visibility,
    filter: &SharedFilter,
    processor: &str,
) -> Result<app::models::UsageView, DbErr> {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let Some(citizen) = crate::entities::citizens::Entity::find_by_id(citizen_id)
        .one(db)
        .await?
    else {
        return Ok(Default::default());
    };
    let now = chrono::Utc::now();
    processing_log_lines::ActiveModel {
        trace_id: Set(crate::platform::crypto::random_hex(16)),
        span_id: Set(crate::platform::crypto::random_hex(8)),
        parent_span_id: Set(None),
        name: Set("U bekeek wie uw gegevens gebruikte".to_owned()),
        status: Set("ok".to_owned()),
        start_time: Set(now),
        end_time: Set(now),
        activity_code: Set(PORTAL_ACTIVITY.to_owned()),
        subject_pseudonym: Set(citizen.bsn_pseudonym.clone()),
        source_system_id: Set(None),
        processor: Set(processor.to_owned()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let register = register(db).await?;
    let lines = processing_log_lines::Entity::find()
        .filter(processing_log_lines::Column::SubjectPseudonym.eq(citizen.bsn_pseudonym))
        .order_by_desc(processing_log_lines::Column::StartTime)
        .order_by_desc(processing_log_lines::Column::Id)
        .all(db)
        .await?;
    let (from, to) = filter.period();
    let mut withheld = 0;
    let mut shown_lines = Vec::new();
    for line in lines {
        let activity = register.activities.get(&line.activity_code);
        match shown(activity, false, visibility) {
            None => continue,
            Some(false) => {
                withheld += 1;
                continue;
            }
            Some(true) => {}
        }
        let date = line.start_time.date_naive();
        if from.is_some_and(|f| date < f) || to.is_some_and(|t| date > t) {
            continue;
        }
        shown_lines.push(app::models::UsageLine {
            when: line.start_time.format("%Y-%m-%dT%H:%M").to_string(),
            name: line.name,
            activity: activity.map(|a| a.name.clone()).unwrap_or_default(),
            processor: line.processor,
            status: line.status,
        });
    }
    Ok(app::models::UsageView {
        lines: shown_lines,
        filter_from: from.map(|d| d.to_string()),
        filter_to: to.map(|d| d.to_string()),
        withheld_for_level: withheld,
    })
}

fn consent_view(c: &consents::Model) -> app::models::ConsentView {
    app::models::ConsentView {
        id: c.id,
        recipient: c.recipient.clone(),
        purpose: c.purpose.clone(),
        given_at: iso_date(&c.given_at),
        channel: c.channel.clone(),
        withdrawn_at: c.withdrawn_at.as_ref().map(iso_date),
    }
}

/// "Toestemmingen"; with `confirm` naming one of the citizen's consents in force, the
/// confirmation step for it.
pub async fn consents_view(
    db: &DatabaseConnection,
    citizen_id: i64,
    confirm: Option<i64>,
) -> Result<app::models::ConsentsView, DbErr> {
    let all = consents::Entity::find()
        .filter(consents::Column::CitizenId.eq(citizen_id))
        .order_by_desc(consents::Column::GivenAt)
        .all(db)
        .await?;
    let confirm = confirm.and_then(|id| {
        all.iter()
            .find(|c| c.id == id && c.withdrawn_at.is_none())
            .map(consent_view)
    });
    let (active, withdrawn): (Vec<_>, Vec<_>) = all.iter().partition(|c| c.withdrawn_at.is_none());
    Ok(app::models::ConsentsView {
        active: active.into_iter().map(consent_view).collect(),
        withdrawn: withdrawn.into_iter().map(consent_view).collect(),
        confirm,
    })
}

/// Withdraws one of the citizen's consents at once: the consent, an event for its source
/// system and an audit event, in one transaction. `false` if there is no such consent in force.
pub async fn withdraw_consent(
    db: &DatabaseConnection,
    citizen_id: i64,
    consent_id: i64,
) -> Result<bool, DbErr> {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, TransactionTrait, sea_query::Expr};
    let now = chrono::Utc::now();
    let txn = db.begin().await?;
    let changed = consents::Entity::update_many()
        .col_expr(consents::Column::WithdrawnAt, Expr::value(now))
        .col_expr(consents::Column::WithdrawalChannel, Expr::value("Inzage"))
        .filter(consents::Column::Id.eq(consent_id))
        .filter(consents::Column::CitizenId.eq(citizen_id))
        .filter(consents::Column::WithdrawnAt.is_null())
        .exec(&txn)
        .await?;
    if changed.rows_affected != 1 {
        return Ok(false);
    }
    let Some(consent) = consents::Entity::find_by_id(consent_id).one(&txn).await? else {
        return Ok(false);
    };
    crate::entities::source_events::ActiveModel {
        source_system_id: Set(consent.source_system_id),
        kind: Set("consent.withdrawn".to_owned()),
        payload: Set(serde_json::json!({
            "source_consent_id": consent.source_consent_id,
            "withdrawn_at": now,
            "channel": "Inzage",
        })
        .to_string()),
        created_at: Set(now),
        acknowledged_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    crate::platform::audit::append(
        &txn,
        &crate::platform::audit::AuditEntry {
            actor: crate::platform::audit::Actor::Citizen(citizen_id),
            action: "consent.withdrawn".to_owned(),
            citizen_id: Some(citizen_id),
            details: serde_json::json!({ "consent_id": consent_id }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}

//! The privacy officer's oversight (read-only): deadlines kept, data held past retention,
//! disclosures without a legal basis, and staff views without a case.
//!
//! [`view`] builds the one [`OversightView`] the page shows; [`rows`] gives each of its tables (the CSV export writes them)
//! from that same view, so an export always matches the screen.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
    sea_query::{Expr, OnConflict},
};
use serde::{Deserialize, Serialize};

use crate::{
    entities::{
        disclosures, personal_data_records, request_events, restricted_processing,
        retention_counts, rights_requests, staff_views,
    },
    rights::deadlines,
    rights::workflow::Status,
};
use app::models::{
    DisclosureFlag, MonthFigure, OversightRequest, OversightView, RestrictedUse, RetentionFigure,
    UnlinkedView,
};
use types::{DeadlineState, DisclosureProblem, Kind};

/// Open requests due within this many days are at risk.
pub const AT_RISK_DAYS: i64 = 5;

pub use app::routes::oversight::rows;

/// A decided request, as the monthly figures count it.
#[derive(Clone, Debug)]
pub struct Handled {
    /// What was asked.
    pub kind: Kind,
    /// Received on.
    pub received: NaiveDate,
    /// Due on (extension included).
    pub due: NaiveDate,
    /// Decided on (the decision took effect).
    pub decided: NaiveDate,
}

fn median(values: &mut [u32]) -> u32 {
    values.sort_unstable();
    match values.len() {
        0 => 0,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]).div_ceil(2),
    }
}

/// On-time rate and median handling time per month of decision, for all types and per type.
pub fn monthly(handled: &[Handled]) -> Vec<MonthFigure> {
    let mut groups: BTreeMap<(String, Option<Kind>), Vec<&Handled>> = BTreeMap::new();
    for h in handled {
        let month = h.decided.format("%Y-%m").to_string();
        groups.entry((month.clone(), None)).or_default().push(h);
        groups.entry((month, Some(h.kind))).or_default().push(h);
    }
    figures(groups)
}

/// The same figures per request type over the whole period (`month` is empty).
pub fn per_kind(handled: &[Handled]) -> Vec<MonthFigure> {
    let mut groups: BTreeMap<(String, Option<Kind>), Vec<&Handled>> = BTreeMap::new();
    for h in handled {
        groups
            .entry((String::new(), Some(h.kind)))
            .or_default()
            .push(h);
    }
    figures(groups)
}

fn figures(groups: BTreeMap<(String, Option<Kind>), Vec<&Handled>>) -> Vec<MonthFigure> {
    let mut figures: Vec<MonthFigure> = groups
        .into_iter()
        .map(|((month, kind), group)| {
            let on_time = group.iter().filter(|h| h.decided <= h.due).count();
            let mut days: Vec<u32> = group
                .iter()
                .map(|h| u32::try_from((h.decided - h.received).num_days()).unwrap_or(0))
                .collect();
            MonthFigure {
                month,
                kind,
                handled: group.len(),
                on_time,
                on_time_percent: u32::try_from(on_time * 100 / group.len()).unwrap_or(0),
                median_days: median(&mut days),
            }
        })
        .collect();
    // Per month: all types first, then each type by its stored name.
    figures.sort_by(|a, b| {
        let key = |f: &MonthFigure| (f.month.clone(), f.kind.is_some(), f.kind.map(Kind::as_str));
        key(a).cmp(&key(b))
    });
    figures
}

/// A moment as the tables show it: to the minute, Dutch time.
fn dutch_minute(at: DateTime<Utc>) -> String {
    at.with_timezone(&chrono_tz::Europe::Amsterdam)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// A request as the monthly figures read it: id, kind and status as stored, received, due and
/// extended due date.
type RequestDates = (
    i64,
    String,
    String,
    DateTime<Utc>,
    NaiveDate,
    Option<NaiveDate>,
);

/// One source's records past their retention date, as the daily count stores them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionCount {
    /// The source system.
    pub source_system_id: i64,
    /// Its records whose retention date lies before the day counted.
    pub records: i64,
    /// The oldest of those retention dates.
    pub oldest: NaiveDate,
}

/// Counts the records past their retention date on `today`, per source, in the database
/// (ix_records_retention, an index-only range scan), not record by record.
pub async fn count_retention(
    db: &impl ConnectionTrait,
    today: NaiveDate,
) -> Result<Vec<RetentionCount>, DbErr> {
    Ok(personal_data_records::Entity::find()
        .select_only()
        .column(personal_data_records::Column::SourceSystemId)
        .column_as(personal_data_records::Column::Id.count(), "n")
        .column_as(
            personal_data_records::Column::RetentionUntil.min(),
            "oldest",
        )
        .filter(personal_data_records::Column::RetentionUntil.lt(today))
        .group_by(personal_data_records::Column::SourceSystemId)
        .into_tuple::<(i64, i64, NaiveDate)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(source_system_id, records, oldest)| RetentionCount {
            source_system_id,
            records,
            oldest,
        })
        .collect())
}

/// Makes the day's retention count (Dutch date of `now`) unless it is there already; `true`
/// when this call stored it. Every instance tries each minute; the day's primary key keeps one.
pub async fn count_retention_if_due(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let today = deadlines::received_on(now);
    if retention_counts::Entity::find_by_id(today)
        .one(db)
        .await?
        .is_some()
    {
        return Ok(false);
    }
    let counts = count_retention(db, today).await?;
    let figures = serde_json::to_string(&counts).map_err(|e| DbErr::Custom(e.to_string()))?;
    let stored = retention_counts::Entity::insert(retention_counts::ActiveModel {
        day: Set(today),
        counted_at: Set(now),
        figures: Set(figures),
    })
    .on_conflict(
        OnConflict::column(retention_counts::Column::Day)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(stored == 1)
}

/// The records past retention on the Dutch date of `now`: the day's stored count with the
/// moment it was made, or (before the job has counted today) counted now, with `None`.
pub async fn retention_counts(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<(Vec<RetentionCount>, Option<DateTime<Utc>>), DbErr> {
    let today = deadlines::received_on(now);
    match retention_counts::Entity::find_by_id(today).one(db).await? {
        Some(row) => {
            let counts = serde_json::from_str(&row.figures)
                .map_err(|e| DbErr::Type(format!("retention_counts {}: {e}", row.day)))?;
            Ok((counts, Some(row.counted_at)))
        }
        None => Ok((count_retention(db, today).await?, None)),
    }
}

/// Builds the oversight view as of `now`.
pub async fn view(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<OversightView, DbErr> {
    let today = deadlines::received_on(now);
    // Open requests in full (the table lists them); of the rest only what the figures count.
    let query = rights_requests::Entity::find()
        .filter(Expr::cust(crate::rights::requests::OPEN_SQL))
        .order_by_asc(rights_requests::Column::Id);
    let requests = crate::rights::requests::load_requests(db, query).await?;
    let due = |r: &rights_requests::Model| r.extended_to.unwrap_or(r.due_on);

    let mut open: Vec<OversightRequest> = requests
        .iter()
        .map(|r| {
            let days_left = (due(r) - today).num_days();
            OversightRequest {
                reference: r.reference.clone(),
                kind: r.kind,
                status: r.status,
                due_on: due(r).to_string(),
                days_left,
                state: if days_left < 0 {
                    DeadlineState::Overdue
                } else if days_left <= AT_RISK_DAYS {
                    DeadlineState::AtRisk
                } else {
                    DeadlineState::Open
                },
            }
        })
        .collect();
    open.sort_by(|a, b| (a.days_left, &a.reference).cmp(&(b.days_left, &b.reference)));

    // When each decision took effect: the last move to `decided` or `rejected` (the partial
    // index ix_request_events_decided), with the request's kind and dates beside it.
    // Spelled as the partial index is, so the planner uses it whatever the statement cache.
    let decided = || {
        debug_assert_eq!(
            (Status::Decided.as_str(), Status::Rejected.as_str()),
            ("decided", "rejected")
        );
        Expr::cust("request_events.to_status IN ('decided', 'rejected')")
    };
    let last_decision: HashMap<i64, i64> = request_events::Entity::find()
        .select_only()
        .column(request_events::Column::RequestId)
        .column_as(request_events::Column::Id.max(), "last")
        .filter(decided())
        .group_by(request_events::Column::RequestId)
        .into_tuple::<(i64, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let decided_at: HashMap<i64, DateTime<Utc>> = request_events::Entity::find()
        .select_only()
        .column(request_events::Column::RequestId)
        .column(request_events::Column::Id)
        .column(request_events::Column::At)
        .filter(decided())
        .into_tuple::<(i64, i64, DateTime<Utc>)>()
        .all(db)
        .await?
        .into_iter()
        .filter(|(request, id, _)| last_decision.get(request) == Some(id))
        .map(|(request, _, at)| (request, at))
        .collect();
    let rows: Vec<RequestDates> = rights_requests::Entity::find()
        .select_only()
        .column(rights_requests::Column::Id)
        .column(rights_requests::Column::Kind)
        .column(rights_requests::Column::Status)
        .column(rights_requests::Column::ReceivedAt)
        .column(rights_requests::Column::DueOn)
        .column(rights_requests::Column::ExtendedTo)
        .into_tuple()
        .all(db)
        .await?;
    let mut handled = Vec::new();
    for (id, kind, status, received_at, due_on, extended_to) in rows {
        let (Some(kind), Some(_)) = (Kind::parse(&kind), Status::parse(&status)) else {
            // A word Inzage did not write: fail naming every such row, as every list does.
            crate::rights::requests::load_requests(db, rights_requests::Entity::find()).await?;
            return Err(DbErr::Type(format!(
                "rights_requests id {id}: kind {kind:?}, status {status:?}"
            )));
        };
        if let Some(decided) = decided_at.get(&id) {
            handled.push(Handled {
                kind,
                received: deadlines::received_on(received_at),
                due: extended_to.unwrap_or(due_on),
                decided: deadlines::received_on(*decided),
            });
        }
    }

    let register = crate::transparency::register(db).await?;
    let source_name = |id: i64| register.source_name(id);

    let (counts, counted_at) = retention_counts(db, now).await?;
    let mut retention: BTreeMap<String, (usize, NaiveDate)> = BTreeMap::new();
    for count in counts {
        let entry = retention
            .entry(source_name(count.source_system_id))
            .or_insert((0, count.oldest));
        entry.0 += usize::try_from(count.records).unwrap_or(0);
        entry.1 = entry.1.min(count.oldest);
    }

    let activity_name = |code: &str| register.activity_name(code);
    // Only what is flagged comes from the database: no legal basis (ix_disclosures_no_basis),
    // or made under a consent withdrawn at or before the disclosure (ix_disclosures_consent).
    let consent_gone = Expr::cust(
        "EXISTS (SELECT 1 FROM consents c WHERE c.id = disclosures.consent_id \
         AND c.withdrawn_at IS NOT NULL AND c.withdrawn_at <= disclosures.disclosed_at)",
    );
    let flagged = disclosures::Entity::find()
        .filter(
            Condition::any()
                .add(disclosures::Column::LegalBasis.is_null())
                .add(consent_gone),
        )
        .order_by_asc(disclosures::Column::DisclosedAt)
        .order_by_asc(disclosures::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|d| DisclosureFlag {
            problem: if d.legal_basis.is_none() {
                DisclosureProblem::NoBasis
            } else {
                DisclosureProblem::ConsentWithdrawn
            },
            source: source_name(d.source_system_id),
            source_id: d.source_disclosure_id,
            recipient: d.recipient_name,
            activity: activity_name(&d.activity_code),
            on: d.disclosed_at.date_naive().to_string(),
        })
        .collect();

    let unlinked_views = staff_views::Entity::find()
        // Spelled as the partial index ix_staff_views_unlinked is, so the planner uses it.
        .filter(Expr::cust(
            "(staff_views.case_reference IS NULL OR staff_views.case_reference = '')",
        ))
        .order_by_asc(staff_views::Column::ViewedAt)
        .order_by_asc(staff_views::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter(|v| {
            v.case_reference
                .as_deref()
                .is_none_or(|c| c.trim().is_empty())
        })
        .map(|v| UnlinkedView {
            source: source_name(v.source_system_id),
            staff: v.staff_ref,
            activity: activity_name(&v.activity_code),
            at: dutch_minute(v.viewed_at),
        })
        .collect();

    let restricted = restricted_processing::Entity::find()
        .order_by_desc(restricted_processing::Column::OccurredAt)
        .order_by_desc(restricted_processing::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|r| RestrictedUse {
            at: dutch_minute(r.occurred_at),
            staff_view: r.kind == "staff_view",
            what: r.what,
            activity: activity_name(&r.activity_code),
            source: source_name(r.source_system_id),
            restricted_by: r.restricted_by,
        })
        .collect();

    Ok(OversightView {
        open: open.len(),
        at_risk: open
            .iter()
            .filter(|r| r.state == DeadlineState::AtRisk)
            .count(),
        overdue: open
            .iter()
            .filter(|r| r.state == DeadlineState::Overdue)
            .count(),
        requests: open,
        months: monthly(&handled),
        per_kind: per_kind(&handled),
        retention: retention
            .into_iter()
            .map(|(source, (records, oldest))| RetentionFigure {
                source,
                records,
                oldest: oldest.to_string(),
            })
            .collect(),
        retention_counted_at: counted_at.map(dutch_minute),
        disclosures: flagged,
        unlinked_views,
        restricted,
        audit: None,
    })
}

/// The audit log's latest checkpoint, as Toezicht shows it.
pub async fn audit_checkpoint(
    db: &DatabaseConnection,
    key: &crate::platform::audit::AuditKey,
) -> Result<Option<app::models::AuditCheckpointView>, DbErr> {
    Ok(crate::platform::audit::latest_checkpoint(db)
        .await?
        .map(|c| app::models::AuditCheckpointView {
            sequence: c.id,
            events: c.events,
            head: c.head,
            sealed_at: dutch_minute(c.sealed_at),
            key_id: c.key_id,
            public_key: key.public_key(),
        }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn monthly_figures_count_on_time_and_take_the_median() {
        let handled = vec![
            // Received 1 March, due 1 April, decided 20 March: 19 days, on time.
            Handled {
                kind: Kind::Access,
                received: d(3, 1),
                due: d(4, 1),
                decided: d(3, 20),
            },
            // Decided 3 April, due 1 April: late, 33 days.
            Handled {
                kind: Kind::Erasure,
                received: d(3, 1),
                due: d(4, 1),
                decided: d(4, 3),
            },
            // Decided on the due date: on time, 31 days.
            Handled {
                kind: Kind::Access,
                received: d(3, 1),
                due: d(4, 1),
                decided: d(4, 1),
            },
        ];
        let figures = monthly(&handled);
        let find = |month: &str, kind: Option<Kind>| {
            figures
                .iter()
                .find(|f| f.month == month && f.kind == kind)
                .cloned()
                .unwrap()
        };
        assert_eq!(figures[0].kind, None);
        let april = find("2026-04", None);
        assert_eq!(
            (april.handled, april.on_time, april.on_time_percent),
            (2, 1, 50)
        );
        assert_eq!(april.median_days, 32);
        assert_eq!(find("2026-04", Some(Kind::Erasure)).on_time_percent, 0);
        assert_eq!(find("2026-03", Some(Kind::Access)).median_days, 19);
        let kinds = per_kind(&handled);
        assert_eq!(kinds.len(), 2);
        assert_eq!(
            (
                kinds[0].kind,
                kinds[0].on_time_percent,
                kinds[0].median_days
            ),
            (Some(Kind::Access), 100, 25)
        );
    }

    #[test]
    fn the_median_of_nothing_is_zero_and_of_an_odd_count_the_middle() {
        assert_eq!(median(&mut []), 0);
        assert_eq!(median(&mut [9, 1, 5]), 5);
    }
}

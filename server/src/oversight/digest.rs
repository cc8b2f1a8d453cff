//! The staff's daily digest: how many open requests are due within five days and how many are
//! overdue, mailed once a day from 07:00 Dutch time. Every instance tries; the day's row in
//! `staff_digests` (primary key) lets exactly one of them send it.

use chrono::{DateTime, NaiveTime, Utc};
use sea_orm::{
    ActiveValue::Set, DatabaseConnection, EntityTrait, TransactionTrait, sea_query::OnConflict,
};

use crate::{
    config::Settings,
    entities::staff_digests,
    mail::{self, Mail, MailError},
    rights::deadlines,
};

/// Local time after which the day's digest goes out.
const SEND_FROM: NaiveTime = match NaiveTime::from_hms_opt(7, 0, 0) {
    Some(t) => t,
    None => panic!("07:00 is a time"),
};

/// The figures of a digest.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    /// Open and due within five days (today included).
    pub due_soon: u32,
    /// Open and past their due date.
    pub overdue: u32,
}

/// Counts the open requests due soon and overdue on the Dutch date of `now`.
pub async fn figures(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<Figures, sea_orm::DbErr> {
    let counts = crate::rights::requests::open_counts(db, deadlines::received_on(now)).await?;
    let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(Figures {
        due_soon: count(counts.due_soon),
        overdue: count(counts.overdue),
    })
}

/// Sends today's digest if it is time and no instance sent it yet; `Some` with what was sent.
/// A day with nothing to report is marked as done without a mail.
pub async fn send_if_due(
    db: &DatabaseConnection,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<Option<Figures>, MailError> {
    let local = now.with_timezone(&chrono_tz::Europe::Amsterdam);
    if local.time() < SEND_FROM {
        return Ok(None);
    }
    let figures = figures(db, now).await?;
    let txn = db.begin().await?;
    let claimed = staff_digests::Entity::insert(staff_digests::ActiveModel {
        day: Set(local.date_naive()),
        sent_at: Set(now),
        due_soon: Set(figures.due_soon as i32),
        overdue: Set(figures.overdue as i32),
    })
    .on_conflict(
        OnConflict::column(staff_digests::Column::Day)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    if claimed != 1 {
        return Ok(None);
    }
    if figures != Figures::default() {
        mail::notify_staff(
            &txn,
            settings,
            &Mail::StaffDigest {
                due_soon: figures.due_soon,
                overdue: figures.overdue,
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(Some(figures))
}

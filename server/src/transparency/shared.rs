//! "Gedeeld met": the disclosures of the citizen's data to others, and the filters that page and
//! "Wie gebruikte mijn gegevens" have in common.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::{
    Register, Visibility, consents::consents_by_id, iso_date, register, visibility::Screen,
};
use crate::entities::{consents, disclosures};
use app::models::{DisclosureView, SharedView};

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
    pub(super) fn period(&self) -> Period {
        let date = |value: &Option<String>| {
            value
                .as_deref()
                .and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok())
        };
        Period {
            from: date(&self.van),
            to: date(&self.tot),
        }
    }
}

/// A period of days; an end that is `None` is open.
#[derive(Clone, Copy, Debug)]
pub(super) struct Period {
    /// First day, inclusive.
    pub from: Option<NaiveDate>,
    /// Last day, inclusive.
    pub to: Option<NaiveDate>,
}

impl Period {
    /// Whether `date` falls within the period.
    pub(super) fn contains(&self, date: NaiveDate) -> bool {
        !(self.from.is_some_and(|f| date < f) || self.to.is_some_and(|t| date > t))
    }
}

/// One disclosure as the citizen sees it, with the consent it rests on, if any.
pub(super) fn disclosure_view(
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

/// "Gedeeld met" against a register already read.
pub(super) async fn shared_in(
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
    let consents = consents_by_id(db, citizen_id, None).await?;
    let period = filter.period();
    let recipient = filter.ontvanger.clone().filter(|r| !r.is_empty());
    let mut screen = Screen::new(visibility);
    let mut recipients = Vec::new();
    let mut views = Vec::new();
    for d in rows {
        if screen
            .admit(register.activities.get(&d.activity_code), false, 1)
            .is_none()
        {
            continue;
        }
        // The recipient list offers every recipient the citizen may see, filtered or not.
        if !recipients.contains(&d.recipient_name) {
            recipients.push(d.recipient_name.clone());
        }
        if recipient.as_ref().is_some_and(|r| *r != d.recipient_name)
            || !period.contains(d.disclosed_at.date_naive())
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
        filter_from: period.from.map(|d| d.to_string()),
        filter_to: period.to.map(|d| d.to_string()),
        withheld_for_level: screen.withheld(),
    })
}

//! What a citizen sees of their own data: records, disclosures and the overview. Every query is
//! scoped by the session's citizen id; confidential activities are left out entirely; records
//! and disclosures of health domains (Wmo, Jeugd) or of special categories are withheld, and
//! counted, when the login level is below `oidc.health_data_level`. A fixed number of queries
//! per page, whatever the number of records.
//!
//! One file per page: `overview`, `my_data` ("Mijn gegevens" and the downloads), `shared`
//! ("Gedeeld met"), `usage` ("Wie gebruikte mijn gegevens") and `consents` ("Toestemmingen").
//! What they share: the register as the pages read it (`register`) and the rule of what a login
//! may see (`visibility`).

mod consents;
mod my_data;
mod overview;
mod register;
mod shared;
mod usage;
mod visibility;

pub use consents::{PORTAL_CHANNEL, consents_view, withdraw_consent};
pub use my_data::{
    MyDataParams, PAGE_SIZE, PREVIEW_PER_SOURCE, ScopeRecord, my_data, my_data_and_shared,
    my_data_page, visible_records,
};
pub use overview::overview;
pub use register::{PORTAL_ACTIVITY, ensure_portal_activity};
pub(crate) use register::{Register, register};
pub use shared::{SharedFilter, shared};
pub use usage::{log_portal_step, logboek, usage};
pub use visibility::Visibility;

/// A moment as the pages show it: its date.
fn iso_date(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.date_naive().to_string()
}

//! What the municipality holds, shared and used: "Mijn gegevens", "Gedeeld met", "Wie gebruikte mijn gegevens", consents and the overview.

use serde::{Deserialize, Serialize};
use types::{Domain, LegalBasis};

/// One personal data record as the citizen sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordView {
    /// The record's id, for "Klopt dit niet?" and "Verwijderen aanvragen" (only ever looked up
    /// within the logged-in citizen's own records).
    pub id: i64,
    /// What it is, e.g. "Indicatie hulp bij het huishouden".
    pub label: String,
    /// The value as recorded.
    pub value: String,
    /// Category of data.
    pub category: String,
    /// The processing activity's name.
    pub activity: String,
    /// Its purpose in plain words.
    pub purpose: String,
    /// The legal basis (its plain words are its translation).
    pub legal_basis: LegalBasis,
    /// The article, e.g. "Wmo 2015 art. 2.3.5".
    pub legal_basis_text: String,
    /// Kept until (ISO date), when known.
    pub retention_until: Option<String>,
    /// The register's retention rule otherwise.
    pub retention_rule: String,
    /// When it was recorded (ISO date).
    pub recorded_at: String,
    /// Role and organisation.
    pub recorded_by: String,
    /// Special category (e.g. health).
    pub special: bool,
    /// Processing is restricted (Art. 18, or an objection granted): the request that did it.
    /// `Some("")` for a restriction from before Inzage recorded its request.
    pub restricted_by: Option<String>,
}

/// Records of one source system.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceGroup {
    /// Source system id (for the link to all its records).
    pub source_id: i64,
    /// Source system name.
    pub source: String,
    /// How many records it holds on the citizen, shown or not.
    pub total: usize,
    /// Its records, newest first: all of them, or the part this page shows.
    pub records: Vec<RecordView>,
}

/// Records of one domain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGroup {
    /// The domain.
    pub domain: Domain,
    /// Per source system.
    pub sources: Vec<SourceGroup>,
}

/// "Mijn gegevens".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyDataView {
    /// Grouped by domain, then source.
    pub domains: Vec<DomainGroup>,
    /// When the page shows one source system page by page: which page.
    pub focus: Option<SourcePage>,
    /// Items of special categories not shown because the login level is too low.
    pub withheld_for_level: usize,
}

/// One page of one source system's records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourcePage {
    /// The source system's id.
    pub source_id: i64,
    /// This page, from 1.
    pub page: usize,
    /// Number of pages.
    pub pages: usize,
}

/// One disclosure as the citizen sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureView {
    /// Who received it.
    pub recipient: String,
    /// What (categories).
    pub categories: Vec<String>,
    /// When (ISO date).
    pub disclosed_at: String,
    /// Why.
    pub purpose: String,
    /// The legal basis, when the source reported one.
    pub legal_basis: Option<LegalBasis>,
    /// The article.
    pub legal_basis_text: Option<String>,
    /// The consent it rests on: recipient and whether it was withdrawn (ISO date).
    pub consent: Option<(String, Option<String>)>,
}

/// "Gedeeld met".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedView {
    /// Newest first, after the filters.
    pub disclosures: Vec<DisclosureView>,
    /// Every recipient, for the filter.
    pub recipients: Vec<String>,
    /// The filter as applied.
    pub filter_recipient: Option<String>,
    /// The filter as applied (ISO dates).
    pub filter_from: Option<String>,
    /// The filter as applied.
    pub filter_to: Option<String>,
    /// Disclosures of special categories not shown because the login level is too low.
    pub withheld_for_level: usize,
}

/// One line of "Wie gebruikte mijn gegevens".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageLine {
    /// When (ISO date-time, UTC).
    pub when: String,
    /// What was done.
    pub name: String,
    /// For which processing activity.
    pub activity: String,
    /// The organisation unit, never a person.
    pub processor: String,
    /// How the step ended.
    pub status: types::SpanStatus,
}

/// "Wie gebruikte mijn gegevens".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageView {
    /// Newest first.
    pub lines: Vec<UsageLine>,
    /// The filter as applied (ISO dates).
    pub filter_from: Option<String>,
    /// The filter as applied.
    pub filter_to: Option<String>,
    /// Lines about health data withheld until a higher login level.
    pub withheld_for_level: usize,
}

/// A consent as the citizen sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentView {
    /// Id, for the withdrawal form.
    pub id: i64,
    /// To whom.
    pub recipient: String,
    /// For what.
    pub purpose: String,
    /// Given (ISO date).
    pub given_at: String,
    /// How it was given.
    pub channel: String,
    /// Withdrawn (ISO date), if it was.
    pub withdrawn_at: Option<String>,
}

/// "Toestemmingen".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentsView {
    /// Consents in force.
    pub active: Vec<ConsentView>,
    /// Consents withdrawn.
    pub withdrawn: Vec<ConsentView>,
    /// The consent the citizen is about to withdraw (confirmation step).
    pub confirm: Option<ConsentView>,
}

/// The overview's figures.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverviewView {
    /// Records shown to the citizen.
    pub records: usize,
    /// In how many domains.
    pub domains: usize,
    /// The three latest disclosures.
    pub recent: Vec<DisclosureView>,
    /// Items withheld until a higher login level.
    pub withheld_for_level: usize,
}

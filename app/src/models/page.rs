//! What a page is handed: the portal context and the page's own data.

use super::{
    AccessAnswerView, ConsentsView, ContactView, LetterView, MyDataView, NewRequestView,
    OutboxView, OversightView, OverviewView, QueueView, RequestDetailView, RequestSummaryView,
    SessionClock, SharedView, StaffRequestView, UsageView, Viewer,
};
use crate::i18n::Locale;

/// Data a particular page needs, loaded by the server for that page only.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum PageData {
    /// The page needs nothing beyond the context.
    #[default]
    None,
    /// `/instellingen`.
    Settings(ContactView),
    /// `/backoffice/post`.
    Outbox(OutboxView),
    /// `/overzicht`.
    Overview(OverviewView),
    /// `/mijn-gegevens`.
    MyData(MyDataView),
    /// `/gedeeld`.
    Shared(SharedView),
    /// `/gebruik`.
    Usage(UsageView),
    /// `/toestemmingen`.
    Consents(ConsentsView),
    /// `/verzoeken`.
    Requests(Vec<RequestSummaryView>),
    /// `/verzoeken/nieuw`.
    NewRequest(NewRequestView),
    /// `/verzoeken/{reference}`.
    Request(RequestDetailView),
    /// `/backoffice/verzoeken`.
    Queue(QueueView),
    /// `/backoffice/verzoeken/{reference}`.
    StaffRequest(StaffRequestView),
    /// `/verzoeken/{reference}/antwoord`.
    AccessAnswer(AccessAnswerView),
    /// `/verzoeken/{reference}/besluit` and `/verzoeken/{reference}/verlenging`.
    Letter(LetterView),
    /// `/backoffice/toezicht`.
    Oversight(OversightView),
}

/// Everything the server tells a page about the request it renders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortalContext {
    /// The municipality this instance serves.
    pub municipality_name: String,
    /// URL of the content-hashed stylesheet.
    pub stylesheet_href: String,
    /// URL of the design tokens (the theme), loaded before the stylesheet.
    pub theme_href: String,
    /// The class the theme's tokens are scoped to, on `<body>`.
    pub theme_class: String,
    /// Language of the page.
    pub locale: Locale,
    /// Who is logged in.
    pub viewer: Viewer,
    /// Session clock, when logged in.
    pub session: Option<SessionClock>,
    /// Path and query of this page, to come back to after switching language.
    pub current_path: String,
    /// Whether the DigiD stand-in runs (the start page says so).
    pub dev_idp: bool,
    /// Page-specific data.
    pub page: PageData,
}

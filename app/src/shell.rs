//! The HTML document and the route table.

use leptos::prelude::*;
use leptos_meta::{MetaTags, provide_meta_context};
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

use crate::{
    models::PortalContext,
    routes::{
        AccessibilityPage, AnswerPage, BackofficePage, ConsentsPage, LetterPage, LoggedOutPage,
        LoginFailedPage, MyDataPage, NewRequestPage, NotFoundPage, OutboxPage, OversightPage,
        OverviewPage, PrivacyPage, QueuePage, RequestPage, RequestsPage, SettingsPage, SharedPage,
        StaffRequestPage, StartPage, TooOftenPage, UsagePage,
    },
};

/// The page context the server provided, or a neutral one (never reached on the server).
pub fn portal() -> PortalContext {
    use_context::<PortalContext>().unwrap_or_else(|| PortalContext {
        municipality_name: String::new(),
        stylesheet_href: String::new(),
        theme_href: String::new(),
        theme_class: String::new(),
        locale: Default::default(),
        viewer: crate::models::Viewer::Anonymous,
        session: None,
        current_path: "/".to_owned(),
        dev_idp: false,
        page: crate::models::PageData::None,
    })
}

/// The whole document, rendered on the server.
///
/// No page has an island, so no WASM is loaded: the session clock is plain script
/// (`components::session_timer`). The first island needs `<HydrationScripts options
/// islands=true />` back in the head, `/pkg` served again and `'wasm-unsafe-eval'` in the CSP.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let _ = options;
    let portal = portal();
    view! {
        <!DOCTYPE html>
        <html lang=portal.locale.code()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="stylesheet" href=portal.theme_href.clone() />
                <link rel="stylesheet" href=portal.stylesheet_href.clone() />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <MetaTags />
            </head>
            <body class=format!("{} min-h-screen bg-white text-ink antialiased", portal.theme_class)>
                <App />
            </body>
        </html>
    }
}

/// The routes of the portal.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Router>
            <Routes fallback=|| view! { <NotFoundPage /> }>
                <Route path=path!("/") view=StartPage />
                <Route path=path!("/overzicht") view=OverviewPage />
                <Route path=path!("/mijn-gegevens") view=MyDataPage />
                <Route path=path!("/gedeeld") view=SharedPage />
                <Route path=path!("/gebruik") view=UsagePage />
                <Route path=path!("/toestemmingen") view=ConsentsPage />
                <Route path=path!("/toestemmingen/intrekken") view=ConsentsPage />
                <Route path=path!("/instellingen") view=SettingsPage />
                <Route path=path!("/verzoeken") view=RequestsPage />
                <Route path=path!("/verzoeken/nieuw") view=NewRequestPage />
                <Route path=path!("/verzoeken/:reference") view=RequestPage />
                <Route path=path!("/verzoeken/:reference/antwoord") view=AnswerPage />
                <Route path=path!("/verzoeken/:reference/besluit") view=LetterPage />
                <Route path=path!("/verzoeken/:reference/verlenging") view=LetterPage />
                <Route path=path!("/backoffice/toezicht") view=OversightPage />
                <Route path=path!("/backoffice/verzoeken") view=QueuePage />
                <Route path=path!("/backoffice/verzoeken/:reference") view=StaffRequestPage />
                <Route path=path!("/backoffice") view=BackofficePage />
                <Route path=path!("/backoffice/post") view=OutboxPage />
                <Route path=path!("/inloggen/mislukt") view=LoginFailedPage />
                <Route path=path!("/uitgelogd") view=LoggedOutPage />
                <Route path=path!("/te-vaak") view=TooOftenPage />
                <Route path=path!("/toegankelijkheid") view=AccessibilityPage />
                <Route path=path!("/privacy") view=PrivacyPage />
            </Routes>
        </Router>
    }
}

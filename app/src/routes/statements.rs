//! The accessibility and privacy statements.

use leptos::prelude::*;

use crate::{
    i18n::{tr, tr_with},
    layouts::Page,
    shell::portal,
};

/// Toegankelijkheidsverklaring.
#[component]
pub fn AccessibilityPage() -> impl IntoView {
    let p = portal();
    let l = p.locale;
    let m = p.municipality_name.clone();
    view! {
        <Page title_key="accessibility.title">
            <h1>{tr(l, "accessibility.title")}</h1>
            <p class="lead">{tr_with(l, "accessibility.intro", &[("gemeente", &m)])}</p>
            <h2>{tr(l, "accessibility.status_heading")}</h2>
            <p>{tr(l, "accessibility.status")}</p>
            <h2>{tr(l, "accessibility.measures_heading")}</h2>
            <ul class="list">
                <li>{tr(l, "accessibility.measure_keyboard")}</li>
                <li>{tr(l, "accessibility.measure_screenreader")}</li>
                <li>{tr(l, "accessibility.measure_nojs")}</li>
                <li>{tr(l, "accessibility.measure_tests")}</li>
            </ul>
            <h2>{tr(l, "accessibility.contact_heading")}</h2>
            <p>{tr_with(l, "accessibility.contact", &[("gemeente", &m)])}</p>
        </Page>
    }
}

/// Privacyverklaring of the portal itself.
#[component]
pub fn PrivacyPage() -> impl IntoView {
    let p = portal();
    let l = p.locale;
    let m = p.municipality_name.clone();
    view! {
        <Page title_key="privacy.title">
            <h1>{tr(l, "privacy.title")}</h1>
            <p class="lead">{tr_with(l, "privacy.intro", &[("gemeente", &m)])}</p>
            <h2>{tr(l, "privacy.what_heading")}</h2>
            <ul class="list">
                <li>{tr(l, "privacy.what_bsn")}</li>
                <li>{tr(l, "privacy.what_session")}</li>
                <li>{tr(l, "privacy.what_cookies")}</li>
            </ul>
            <h2>{tr(l, "privacy.basis_heading")}</h2>
            <p>{tr(l, "privacy.basis")}</p>
            <h2>{tr(l, "privacy.rights_heading")}</h2>
            <p>{tr(l, "privacy.rights")}</p>
        </Page>
    }
}

//! The back-office start page for staff.

use leptos::prelude::*;

use crate::{
    i18n::{tr, tr_with},
    layouts::Page,
    models::Viewer,
    shell::portal,
};

/// Greets the staff member and lists their roles and what each allows.
#[component]
pub fn BackofficePage() -> impl IntoView {
    let p = portal();
    let l = p.locale;
    let Viewer::Staff(staff) = p.viewer.clone() else {
        return view! { <Page title_key="backoffice.title"><p>{tr(l, "backoffice.not_logged_in")}</p></Page> }.into_any();
    };
    view! {
        <Page title_key="backoffice.title">
            <h1>{tr(l, "backoffice.title")}</h1>
            <p class="lead" data-testid="staff-name">
                {tr_with(l, "backoffice.welcome", &[("naam", &staff.name)])}
            </p>
            <section aria-labelledby="rollen" class="card my-6">
                <h2 id="rollen">{tr(l, "backoffice.roles")}</h2>
                <ul class="list" data-testid="staff-roles">
                    {staff.roles.iter().map(|role| view! {
                        <li><strong>{tr(l, role.key())}</strong>": "{tr(l, role.does_key())}</li>
                    }).collect_view()}
                </ul>
            </section>
            <p>{tr(l, "backoffice.coming")}</p>
        </Page>
    }
    .into_any()
}

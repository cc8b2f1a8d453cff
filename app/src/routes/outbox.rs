//! The mail outbox for administrators: what is waiting, retrying, sent and given up on.

use leptos::prelude::*;

use crate::{i18n::tr, layouts::Page, models::PageData, shell::portal};

/// Counts per state and the failed mails with their last error.
#[component]
pub fn OutboxPage() -> impl IntoView {
    let p = portal();
    let l = p.locale;
    let PageData::Outbox(outbox) = p.page.clone() else {
        return view! { <Page title_key="outbox.title"><p>{tr(l, "backoffice.not_logged_in")}</p></Page> }.into_any();
    };
    let counts = [
        ("outbox.pending", outbox.pending, "count-pending"),
        ("outbox.retrying", outbox.retrying, "count-retrying"),
        ("outbox.sent", outbox.sent, "count-sent"),
        ("outbox.failed", outbox.failed, "count-failed"),
    ];
    view! {
        <Page title_key="outbox.title">
            <h1>{tr(l, "outbox.title")}</h1>
            <p class="lead">{tr(l, "outbox.intro")}</p>
            <dl class="facts card my-6">
                {counts.into_iter().map(|(key, count, id)| view! {
                    <dt>{tr(l, key)}</dt>
                    <dd data-testid=id>{count}</dd>
                }).collect_view()}
            </dl>
            <h2>{tr(l, "outbox.failed_heading")}</h2>
            {if outbox.failed_mails.is_empty() {
                view! { <p>{tr(l, "outbox.none_failed")}</p> }.into_any()
            } else {
                view! {
                    <table class="w-full text-left">
                        <caption class="sr-only">{tr(l, "outbox.failed_heading")}</caption>
                        <thead><tr>
                            <th scope="col">{tr(l, "outbox.col_kind")}</th>
                            <th scope="col">{tr(l, "outbox.col_created")}</th>
                            <th scope="col">{tr(l, "outbox.col_attempts")}</th>
                            <th scope="col">{tr(l, "outbox.col_error")}</th>
                        </tr></thead>
                        <tbody>
                            {outbox.failed_mails.iter().map(|m| view! {
                                <tr>
                                    <td>{m.kind.clone()}</td>
                                    <td>{m.created_at.clone()}</td>
                                    <td>{m.attempts}</td>
                                    <td>{m.last_error.clone()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </Page>
    }
    .into_any()
}

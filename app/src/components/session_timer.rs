//! The idle-timeout clock: states the time left and offers to stay logged in.
//!
//! Rendered on the server only. Without JavaScript the text states the time left when the page
//! was made and the "stay logged in" button is always shown. With JavaScript the few lines of
//! `public/session-clock.js` count down, and show the warning (or the notice that the session
//! ended) and the button from `warning_seconds` before the end. The texts wait in `<template>`s,
//! which are inert, and go into the `role="status"` region when they apply, so a screen reader
//! announces them.
//!
//! It was a WASM island: 70 KB for a countdown. A Leptos island cannot get near 15 KB, and this
//! needs nothing from Leptos in the browser.

use leptos::prelude::*;

fn minutes_seconds(total: u32) -> String {
    format!("{}:{:02}", total / 60, total % 60)
}

/// Countdown to the end of the session, with a warning and a "stay logged in" form.
#[component]
pub fn SessionTimer(
    /// Seconds left when the page was rendered.
    seconds_left: u32,
    /// Seconds before the end at which to warn.
    warning_seconds: u32,
    /// URL of the content-hashed clock script.
    script_href: String,
    /// "Time left" label.
    label: String,
    /// The warning text.
    warning: String,
    /// Shown once the session has ended.
    expired: String,
    /// Button text of the "stay logged in" action.
    stay: String,
    /// Link text to log in again.
    login_again: String,
    /// Where the "stay logged in" form returns to.
    return_to: String,
) -> impl IntoView {
    view! {
        <div
            class="session-timer flex flex-wrap items-center gap-3 text-sm"
            data-live="false"
            data-seconds-left=seconds_left.to_string()
            data-warning-seconds=warning_seconds.to_string()
        >
            <p>
                {label}" "
                <strong data-testid="session-time-left">{minutes_seconds(seconds_left)}</strong>
            </p>
            <div role="status" aria-live="polite"></div>
            <template data-clock="warning">
                <p class="font-semibold text-warning">{warning}</p>
            </template>
            <template data-clock="ended">
                <p class="font-semibold text-warning">
                    {expired}" "<a href="/inloggen">{login_again}</a>
                </p>
            </template>
            <form method="post" action="/sessie/verlengen">
                <input type="hidden" name="terug" value=return_to />
                <button type="submit" class="nl-button nl-button--secondary">{stay}</button>
            </form>
            <script src=script_href defer></script>
        </div>
    }
}

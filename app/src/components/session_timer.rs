//! The idle-timeout clock: counts down in the browser and warns before the session ends.
//!
//! Without JavaScript the server-rendered text states the time left when the page was made and
//! the "stay logged in" button is always shown; with JavaScript the clock runs and the button
//! appears with the warning.

use leptos::prelude::*;

fn minutes_seconds(total: u32) -> String {
    format!("{}:{:02}", total / 60, total % 60)
}

/// Countdown to the end of the session, with a warning and a "stay logged in" form.
#[island]
pub fn SessionTimer(
    /// Seconds left when the page was rendered.
    seconds_left: u32,
    /// Seconds before the end at which to warn.
    warning_seconds: u32,
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
    let (left, set_left) = signal(seconds_left);
    let (live, set_live) = signal(false);
    Effect::new(move |_| {
        set_live.set(true);
        // Count down to a deadline rather than counting ticks: browsers throttle timers in
        // background tabs, and a counted clock would then claim time the session no longer has.
        let deadline = js_sys::Date::now() + f64::from(seconds_left) * 1000.0;
        set_interval(
            move || {
                let remaining = ((deadline - js_sys::Date::now()) / 1000.0).ceil().max(0.0);
                set_left.set(remaining as u32);
            },
            std::time::Duration::from_millis(500),
        );
    });
    let warn = move || left.get() <= warning_seconds;
    let warning_shown = move || live.get() && warn() && left.get() != 0;
    let ended = move || live.get() && left.get() == 0;
    let offer_stay = move || !live.get() || (warn() && left.get() != 0);
    view! {
        <div class="session-timer flex flex-wrap items-center gap-3 text-sm" data-live=move || live.get().to_string()>
            <p>
                {label}" "
                <strong data-testid="session-time-left">{move || minutes_seconds(left.get())}</strong>
            </p>
            <div role="status" aria-live="polite">
                <Show when=warning_shown>
                    <p class="font-semibold text-warning">{warning.clone()}</p>
                </Show>
                <Show when=ended>
                    <p class="font-semibold text-warning">
                        {expired.clone()}" "<a href="/inloggen">{login_again.clone()}</a>
                    </p>
                </Show>
            </div>
            <Show when=offer_stay>
                <form method="post" action="/sessie/verlengen">
                    <input type="hidden" name="terug" value=return_to.clone() />
                    <button type="submit" class="btn-secondary">{stay.clone()}</button>
                </form>
            </Show>
        </div>
    }
}

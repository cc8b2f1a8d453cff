//! Reusable pieces; the islands among them are the only code hydrated in the browser.

mod session_timer;

pub use session_timer::SessionTimer;

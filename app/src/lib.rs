//! Inzage's user interface: pages rendered on the server, with small islands hydrated in the
//! browser. This crate knows nothing of the database; the server hands it what a page shows.

#![recursion_limit = "256"]

rust_i18n::i18n!("locales", fallback = "nl");

pub mod components;
pub mod i18n;
pub mod layouts;
pub mod models;
pub mod routes;
pub mod shell;

pub use shell::{App, shell};

/// Entry point of the WASM bundle: hydrates the islands on the page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}

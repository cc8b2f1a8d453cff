//! The Inzage server: configuration, database, identity, sessions and the HTTP application.
//!
//! `main.rs` only parses the command line; everything a test needs to build the real router
//! against a real database is here.

// Leptos' typed views nest deeply; release builds need more room than the default 128.
#![recursion_limit = "256"]

pub mod config;
pub mod dev;
pub mod entities;
pub mod http;
pub mod identity;
pub mod jobs;
pub mod mail;
pub mod oversight;
pub mod platform;
pub mod rights;
pub mod sources;
pub mod state;
pub mod transparency;

pub use jobs::spawn_background_jobs;
pub use state::AppState;

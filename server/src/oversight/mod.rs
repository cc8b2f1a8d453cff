//! The privacy officer's view (Toezicht) and the daily staff digest.

pub mod digest;
pub mod toezicht;

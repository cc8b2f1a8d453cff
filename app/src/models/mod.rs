//! Types the server hands to the pages, by area. Plain data, safe to compile to WASM; the domain
//! words in them (kinds, statuses, decisions, …) are the vocabulary crate's enums.

mod contact;
mod documents;
mod oversight;
mod page;
mod people;
mod requests;
mod transparency;

pub use contact::*;
pub use documents::*;
pub use oversight::*;
pub use page::*;
pub use people::*;
pub use requests::*;
pub use transparency::*;

pub use types::{AssuranceLevel, StaffRole, StatusFilter};

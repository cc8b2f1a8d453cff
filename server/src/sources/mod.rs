//! Source systems: their register of processing activities, their tokens, the REST API they
//! push into, and the ingest of each kind of item.

pub mod api;
pub mod events;
pub mod ingest;
pub mod otlp;
pub mod register;
pub mod systems;

//! What every domain module stands on: the database, keys and hashing, the audit log, PDFs and
//! the operators' metrics.

pub mod audit;
pub mod crypto;
pub mod db;
pub mod metrics;
pub mod pdf;

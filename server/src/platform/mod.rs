//! What every domain module stands on: the database, keys and hashing, the audit log and PDFs.

pub mod audit;
pub mod crypto;
pub mod db;
pub mod pdf;

//! sea-orm entities, one per table, in the shape `sea-orm-cli generate entity` writes them.
//! Behaviour lives in the domain modules, not here.

pub mod access_answers;
pub mod audit_checkpoints;
pub mod audit_events;
pub mod audit_seals;
pub mod citizen_contacts;
pub mod citizens;
pub mod consents;
pub mod dev_idp_codes;
pub mod dev_idp_keys;
pub mod disclosures;
pub mod guardianships;
pub mod login_attempts;
pub mod outbox_mails;
pub mod personal_data_records;
pub mod processing_activities;
pub mod processing_log_lines;
pub mod record_guards;
pub mod record_history;
pub mod record_tombstones;
pub mod request_events;
pub mod request_items;
pub mod request_leave_outs;
pub mod request_messages;
pub mod request_tasks;
pub mod restricted_processing;
pub mod retention_counts;
pub mod rights_requests;
pub mod sessions;
pub mod source_events;
pub mod source_systems;
pub mod source_tokens;
pub mod staff_accounts;
pub mod staff_digests;
pub mod staff_views;

//! One module per page, named after what the page is for.

mod backoffice;
mod consents;
pub mod documents;
mod errors;
pub mod my_data;
mod outbox;
pub mod oversight;
mod overview;
pub mod requests;
mod settings;
pub mod shared;
mod staff_requests;
mod start;
mod statements;
mod usage;

pub use backoffice::BackofficePage;
pub use consents::ConsentsPage;
pub use documents::{AnswerPage, LetterPage};
pub use errors::{LoggedOutPage, LoginFailedPage, NotFoundPage, TooOftenPage};
pub use my_data::MyDataPage;
pub use outbox::OutboxPage;
pub use oversight::OversightPage;
pub use overview::OverviewPage;
pub use requests::{NewRequestPage, RequestPage, RequestsPage};
pub use settings::SettingsPage;
pub use shared::SharedPage;
pub use staff_requests::{QueuePage, StaffRequestPage};
pub use start::StartPage;
pub use statements::{AccessibilityPage, PrivacyPage};
pub use usage::UsagePage;

//! Notifications that are never lost. A mail is a row in `outbox_mails`, written in the same
//! transaction as the event that causes it; background workers deliver it (see [`worker`]).
//!
//! What a mail may say is fixed by [`Mail`]: a request reference, a confirmation code or counts,
//! never personal data. Everything else is behind a DigiD login.

pub mod templates;
pub mod worker;

use std::collections::BTreeMap;

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};

use crate::{
    config::Settings,
    entities::{citizen_contacts, outbox_mails},
};
use app::i18n::Locale;

pub use templates::RenderError;

pub use types::RequestReference;

/// Every mail Inzage sends, with the only facts it may carry.
#[derive(Clone, Debug)]
pub enum Mail {
    /// Citizen: the request was received.
    RequestReceived(RequestReference),
    /// Citizen: the deadline was extended.
    DeadlineExtended(RequestReference),
    /// Citizen: staff need information.
    InformationNeeded(RequestReference),
    /// Citizen: a new message in the portal.
    NewMessage(RequestReference),
    /// Citizen: a decision was taken.
    DecisionTaken(RequestReference),
    /// Citizen: the request is completed.
    RequestCompleted(RequestReference),
    /// Citizen: confirm this contact address.
    VerifyContact {
        /// The confirmation code.
        code: String,
    },
    /// Staff: a new request in the queue.
    StaffNewRequest(RequestReference),
    /// Staff: the daily digest.
    StaffDigest {
        /// Requests due within five days.
        due_soon: u32,
        /// Requests past their due date.
        overdue: u32,
    },
}

impl Mail {
    /// The message key in `messages.toml`.
    pub fn key(&self) -> &'static str {
        match self {
            Mail::RequestReceived(_) => "request_received",
            Mail::DeadlineExtended(_) => "deadline_extended",
            Mail::InformationNeeded(_) => "information_needed",
            Mail::NewMessage(_) => "new_message",
            Mail::DecisionTaken(_) => "decision_taken",
            Mail::RequestCompleted(_) => "request_completed",
            Mail::VerifyContact { .. } => "verify_contact",
            Mail::StaffNewRequest(_) => "staff_new_request",
            Mail::StaffDigest { .. } => "staff_digest",
        }
    }

    fn vars(&self) -> BTreeMap<&'static str, String> {
        match self {
            Mail::RequestReceived(r)
            | Mail::DeadlineExtended(r)
            | Mail::InformationNeeded(r)
            | Mail::NewMessage(r)
            | Mail::DecisionTaken(r)
            | Mail::RequestCompleted(r)
            | Mail::StaffNewRequest(r) => BTreeMap::from([("reference", r.as_str().to_owned())]),
            Mail::VerifyContact { code } => BTreeMap::from([("code", code.clone())]),
            Mail::StaffDigest { due_soon, overdue } => BTreeMap::from([
                ("due_soon", due_soon.to_string()),
                ("overdue", overdue.to_string()),
            ]),
        }
    }

    /// Where the mail's button leads: always a page behind a login.
    fn link(&self, base: &str) -> String {
        match self {
            Mail::VerifyContact { code } => format!("{base}/instellingen?code={code}"),
            Mail::StaffNewRequest(_) | Mail::StaffDigest { .. } => format!("{base}/backoffice"),
            _ => format!("{base}/overzicht"),
        }
    }

    /// Renders the mail in `locale`.
    pub fn render(
        &self,
        settings: &Settings,
        locale: Locale,
    ) -> Result<templates::Rendered, RenderError> {
        templates::render(
            self.key(),
            locale,
            &settings.municipality_name,
            &self.link(&settings.public_base_url),
            &self.vars(),
        )
    }
}

/// A mail that could not be queued.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The database refused; the caller's transaction rolls back with it.
    #[error("database: {0}")]
    Database(#[from] DbErr),
    /// A template failed (a programming error).
    #[error(transparent)]
    Render(#[from] RenderError),
}

/// Puts a mail in the outbox on `db`, which should be the transaction of the causing event.
pub async fn enqueue<C: ConnectionTrait>(
    db: &C,
    settings: &Settings,
    recipient: &lettre::Address,
    locale: Locale,
    mail: &Mail,
) -> Result<i64, MailError> {
    let row = outbox_row(
        settings,
        recipient,
        locale,
        &mail.render(settings, locale)?,
        mail,
    )
    .insert(db)
    .await?;
    Ok(row.id)
}

/// The same mail to several recipients in one language: rendered once, queued in one statement.
async fn enqueue_all<C: ConnectionTrait>(
    db: &C,
    settings: &Settings,
    recipients: &[lettre::Address],
    locale: Locale,
    mail: &Mail,
) -> Result<(), MailError> {
    if recipients.is_empty() {
        return Ok(());
    }
    let rendered = mail.render(settings, locale)?;
    outbox_mails::Entity::insert_many(
        recipients
            .iter()
            .map(|r| outbox_row(settings, r, locale, &rendered, mail)),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

fn outbox_row(
    settings: &Settings,
    recipient: &lettre::Address,
    locale: Locale,
    rendered: &templates::Rendered,
    mail: &Mail,
) -> outbox_mails::ActiveModel {
    let domain = settings
        .mail
        .from
        .parse::<lettre::message::Mailbox>()
        .map(|m| m.email.domain().to_owned())
        .unwrap_or_else(|_| "inzage.invalid".to_owned());
    let now = Utc::now();
    outbox_mails::ActiveModel {
        message_id: Set(format!("<{}@{domain}>", uuid::Uuid::new_v4())),
        kind: Set(mail.key().to_owned()),
        locale: Set(locale.code().to_owned()),
        recipient: Set(recipient.to_string()),
        subject: Set(rendered.subject.clone()),
        text_body: Set(rendered.text.clone()),
        html_body: Set(rendered.html.clone()),
        status: Set(types::MailStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        locked_until: Set(None),
        locked_by: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
        ..Default::default()
    }
}

/// Mails a citizen at their *verified* address, in their language; `false` if they have none.
pub async fn notify_citizen<C: ConnectionTrait>(
    db: &C,
    settings: &Settings,
    citizen_id: i64,
    mail: &Mail,
) -> Result<bool, MailError> {
    let Some(contact) = citizen_contacts::Entity::find_by_id(citizen_id)
        .one(db)
        .await?
    else {
        return Ok(false);
    };
    let (Some(email), Some(_)) = (contact.email.as_deref(), contact.verified_at) else {
        return Ok(false);
    };
    let Ok(address) = email.parse::<lettre::Address>() else {
        tracing::error!(citizen_id, "stored contact address does not parse");
        return Ok(false);
    };
    enqueue(db, settings, &address, Locale::parse(&contact.locale), mail).await?;
    Ok(true)
}

/// Mails every staff recipient from the settings (in Dutch).
pub async fn notify_staff<C: ConnectionTrait>(
    db: &C,
    settings: &Settings,
    mail: &Mail,
) -> Result<usize, MailError> {
    let recipients: Vec<lettre::Address> = settings
        .mail
        .staff_recipients
        .iter()
        .filter_map(|r| r.parse().ok())
        .collect();
    enqueue_all(db, settings, &recipients, Locale::Nl, mail).await?;
    Ok(recipients.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_mail() -> Vec<Mail> {
        let r = RequestReference::parse("AVG-2026-000123").unwrap();
        vec![
            Mail::RequestReceived(r.clone()),
            Mail::DeadlineExtended(r.clone()),
            Mail::InformationNeeded(r.clone()),
            Mail::NewMessage(r.clone()),
            Mail::DecisionTaken(r.clone()),
            Mail::RequestCompleted(r.clone()),
            Mail::VerifyContact {
                code: "K7PM-Q2XD".to_owned(),
            },
            Mail::StaffNewRequest(r),
            Mail::StaffDigest {
                due_soon: 3,
                overdue: 1,
            },
        ]
    }

    #[test]
    fn every_message_has_both_languages_and_every_key_a_variant() {
        let keys: Vec<&str> = every_mail().iter().map(Mail::key).collect();
        assert_eq!(templates::message_keys().len(), keys.len());
        for key in templates::message_keys() {
            assert!(keys.contains(&key.as_str()), "{key} has no Mail variant");
        }
    }

    #[test]
    fn no_mail_carries_personal_data() {
        let settings = Settings::default();
        // What the demo municipality holds about people: none of it may reach a mail.
        let mut forbidden: Vec<String> = crate::dev::digid::personas::CITIZENS
            .iter()
            .flat_map(|c| [c.bsn.to_owned(), c.name.to_owned()])
            .collect();
        forbidden.extend(
            [
                "Zorgbureau",
                "Veilig Thuis",
                "GGD",
                "huishoudelijke hulp",
                "bijstand",
            ]
            .map(str::to_owned),
        );
        for mail in every_mail() {
            for locale in [Locale::Nl, Locale::En] {
                let r = mail.render(&settings, locale).unwrap();
                let all = format!("{}\n{}\n{}", r.subject, r.text, r.html);
                for word in &forbidden {
                    assert!(
                        !all.contains(word.as_str()),
                        "{} ({}) contains {word}",
                        mail.key(),
                        locale.code()
                    );
                }
                // Nothing shaped like a BSN: no run of eight or nine digits.
                let longest_digits = all
                    .split(|c: char| !c.is_ascii_digit())
                    .map(str::len)
                    .max()
                    .unwrap_or(0);
                assert!(
                    longest_digits < 8,
                    "{} ({}) has a BSN-like number",
                    mail.key(),
                    locale.code()
                );
                assert!(
                    r.text.contains(&settings.public_base_url),
                    "{}: link in text",
                    mail.key()
                );
                assert!(
                    r.html.contains(&settings.public_base_url),
                    "{}: link in html",
                    mail.key()
                );
                assert!(
                    r.html.starts_with("<!DOCTYPE html>")
                        && r.html.contains(&format!("lang=\"{}\"", locale.code()))
                );
                if let Mail::RequestReceived(reference) = &mail {
                    assert!(r.subject.contains(reference.as_str()));
                }
            }
        }
    }

    #[test]
    fn the_two_languages_differ() {
        let settings = Settings::default();
        for mail in every_mail() {
            let nl = mail.render(&settings, Locale::Nl).unwrap();
            let en = mail.render(&settings, Locale::En).unwrap();
            assert_ne!(nl.subject, en.subject, "{}", mail.key());
        }
    }

    #[test]
    fn html_is_escaped() {
        let settings = Settings {
            municipality_name: "Gemeente <script>".to_owned(),
            ..Settings::default()
        };
        let r = Mail::NewMessage(RequestReference::parse("AVG-2026-000001").unwrap())
            .render(&settings, Locale::Nl)
            .unwrap();
        assert!(!r.html.contains("<script>") && r.html.contains("&lt;script&gt;"));
    }

    #[test]
    fn references_are_parsed() {
        assert!(RequestReference::parse("AVG-2026-000123").is_some());
        for bad in [
            "AVG-26-000123",
            "avg-2026-000123",
            "AVG-2026-12345",
            "AVG-2026-00012a",
            "",
        ] {
            assert!(RequestReference::parse(bad).is_none(), "{bad}");
        }
    }
}

//! A citizen's contact address: used only after the citizen confirms a code sent to it; it can
//! be changed (the old address stays in use until the new one is confirmed) or removed.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, IntoActiveModel, QueryFilter,
    TransactionTrait,
    sea_query::{Expr, ExprTrait},
};

use crate::{
    config::Settings,
    entities::citizen_contacts,
    mail::{self, Mail, MailError},
    platform::crypto::sha256_hex,
};
use app::{i18n::Locale, models::ContactView};

/// How long a confirmation code is valid.
const CODE_LIFETIME: chrono::Duration = chrono::Duration::hours(24);
/// Wrong codes allowed before a new one must be requested.
const MAX_CODE_ATTEMPTS: i32 = 5;
/// Codes a citizen may request per day.
const MAX_CODES_PER_DAY: i32 = 5;
/// Time between two code requests.
const CODE_COOLDOWN: chrono::Duration = chrono::Duration::seconds(60);
/// Alphabet without look-alikes (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// An e-mail address that lettre accepts and that fits the column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailAddress(lettre::Address);

impl EmailAddress {
    /// Parses and normalises (trimmed, domain lower-cased).
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        if raw.is_empty() || raw.len() > 254 {
            return None;
        }
        let address: lettre::Address = raw.parse().ok()?;
        let normalised = format!(
            "{}@{}",
            address.user(),
            address.domain().to_ascii_lowercase()
        );
        normalised.parse().ok().map(Self)
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        self.0.as_ref()
    }
}

/// Why no code was sent.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// The previous code went out less than a minute ago.
    #[error("a code was sent less than a minute ago")]
    TooSoon,
    /// The daily number of codes is used up.
    #[error("too many codes today")]
    TooMany,
    /// Storing or queueing failed; nothing changed.
    #[error(transparent)]
    Mail(#[from] MailError),
}

impl From<DbErr> for RequestError {
    fn from(e: DbErr) -> Self {
        Self::Mail(MailError::Database(e))
    }
}

/// Result of entering a code.
#[derive(Debug, PartialEq, Eq)]
pub enum Confirmation {
    /// The address is now in use.
    Confirmed,
    /// The code does not match.
    WrongCode,
    /// No code is outstanding, it expired, or too many wrong tries.
    NoValidCode,
}

fn new_code() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    let chars: String = (0..8)
        .map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char)
        .collect();
    format!("{}-{}", &chars[..4], &chars[4..])
}

fn normalise_code(code: &str) -> String {
    let compact: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if compact.len() == 8 {
        format!("{}-{}", &compact[..4], &compact[4..])
    } else {
        compact
    }
}

/// What the settings page shows.
pub async fn view(db: &DatabaseConnection, citizen_id: i64) -> Result<ContactView, DbErr> {
    let contact = citizen_contacts::Entity::find_by_id(citizen_id)
        .one(db)
        .await?;
    Ok(ContactView {
        verified_email: contact
            .as_ref()
            .and_then(|c| c.verified_at.and(c.email.clone())),
        pending_email: contact.and_then(|c| c.pending_email),
    })
}

/// Stores `email` as pending and mails it a code, in one transaction.
pub async fn request_verification(
    db: &DatabaseConnection,
    settings: &Settings,
    citizen_id: i64,
    email: &EmailAddress,
    locale: Locale,
) -> Result<(), RequestError> {
    let code = new_code();
    let now = Utc::now();
    let txn = db.begin().await?;
    let existing = citizen_contacts::Entity::find_by_id(citizen_id)
        .one(&txn)
        .await?;
    let is_new = existing.is_none();
    let (requests, window) = match &existing {
        Some(row) => {
            // The last code (or confirmation) is what `updated_at` marks; removing the address
            // leaves it, so remove-and-add does not get round the wait.
            if row.updated_at > now - CODE_COOLDOWN {
                return Err(RequestError::TooSoon);
            }
            match row.code_window_started_at {
                Some(start) if start > now - chrono::Duration::days(1) => {
                    if row.code_requests >= MAX_CODES_PER_DAY {
                        return Err(RequestError::TooMany);
                    }
                    (row.code_requests + 1, start)
                }
                _ => (1, now),
            }
        }
        None => (1, now),
    };
    let mut row = match existing {
        Some(row) => row.into_active_model(),
        None => citizen_contacts::ActiveModel {
            citizen_id: Set(citizen_id),
            email: Set(None),
            verified_at: Set(None),
            ..Default::default()
        },
    };
    row.pending_email = Set(Some(email.as_str().to_owned()));
    row.code_hash = Set(Some(sha256_hex(&code)));
    row.code_expires_at = Set(Some(now + CODE_LIFETIME));
    row.code_attempts = Set(0);
    row.locale = Set(locale.code().to_owned());
    row.updated_at = Set(now);
    row.code_requests = Set(requests);
    row.code_window_started_at = Set(Some(window));
    // The key is the citizen's id, so `save` cannot tell a new row from an old one. Two first
    // requests at once: the second finds the first's row, and is too soon.
    if is_new {
        let inserted = citizen_contacts::Entity::insert(row)
            .on_conflict_do_nothing_on([citizen_contacts::Column::CitizenId])
            .exec(&txn)
            .await?;
        if matches!(inserted, sea_orm::TryInsertResult::Conflicted) {
            return Err(RequestError::TooSoon);
        }
    } else {
        row.update(&txn).await?;
    }
    mail::enqueue(
        &txn,
        settings,
        &email.0,
        locale,
        &Mail::VerifyContact { code },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Confirms the pending address with `code`.
pub async fn confirm(
    db: &DatabaseConnection,
    citizen_id: i64,
    code: &str,
) -> Result<Confirmation, DbErr> {
    let now = Utc::now();
    let txn = db.begin().await?;
    // Count the try before comparing, in one conditional UPDATE: parallel guesses each use up a
    // try, and nothing is compared once the tries are gone.
    let counted = citizen_contacts::Entity::update_many()
        .col_expr(
            citizen_contacts::Column::CodeAttempts,
            Expr::col(citizen_contacts::Column::CodeAttempts).add(1),
        )
        .filter(citizen_contacts::Column::CitizenId.eq(citizen_id))
        .filter(citizen_contacts::Column::PendingEmail.is_not_null())
        .filter(citizen_contacts::Column::CodeHash.is_not_null())
        .filter(citizen_contacts::Column::CodeExpiresAt.gt(now))
        .filter(citizen_contacts::Column::CodeAttempts.lt(MAX_CODE_ATTEMPTS))
        .exec(&txn)
        .await?;
    if counted.rows_affected != 1 {
        return Ok(Confirmation::NoValidCode);
    }
    let Some(contact) = citizen_contacts::Entity::find_by_id(citizen_id)
        .one(&txn)
        .await?
    else {
        return Ok(Confirmation::NoValidCode);
    };
    if contact.code_hash.as_deref() != Some(sha256_hex(&normalise_code(code)).as_str()) {
        txn.commit().await?;
        return Ok(Confirmation::WrongCode);
    }
    let mut row = contact.clone().into_active_model();
    row.email = Set(contact.pending_email.clone());
    row.verified_at = Set(Some(now));
    row.pending_email = Set(None);
    row.code_hash = Set(None);
    row.code_expires_at = Set(None);
    row.code_attempts = Set(0);
    row.updated_at = Set(now);
    row.update(&txn).await?;
    txn.commit().await?;
    Ok(Confirmation::Confirmed)
}

/// Forgets the citizen's address(es) and any code. The count of codes and the time of the last
/// one stay: removing and adding an address must not reset the limits.
pub async fn remove(db: &DatabaseConnection, citizen_id: i64) -> Result<(), DbErr> {
    citizen_contacts::Entity::update_many()
        .col_expr(
            citizen_contacts::Column::Email,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            citizen_contacts::Column::VerifiedAt,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .col_expr(
            citizen_contacts::Column::PendingEmail,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            citizen_contacts::Column::CodeHash,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            citizen_contacts::Column::CodeExpiresAt,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .col_expr(citizen_contacts::Column::CodeAttempts, Expr::value(0))
        .filter(citizen_contacts::Column::CitizenId.eq(citizen_id))
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_and_normalised() {
        assert_eq!(
            EmailAddress::parse(" Sanne@Voorbeeld.NL ")
                .unwrap()
                .as_str(),
            "Sanne@voorbeeld.nl"
        );
        for bad in ["", "geen-adres", "a@", "@b.nl", "a b@c.nl"] {
            assert!(EmailAddress::parse(bad).is_none(), "{bad}");
        }
        assert!(EmailAddress::parse(&format!("{}@x.nl", "a".repeat(260))).is_none());
    }

    #[test]
    fn codes_are_readable_and_forgiving() {
        let code = new_code();
        assert_eq!(code.len(), 9);
        assert!(
            code.chars()
                .all(|c| c == '-' || CODE_ALPHABET.contains(&(c as u8)))
        );
        assert_eq!(normalise_code(" k7pm q2xd "), "K7PM-Q2XD");
        assert_eq!(normalise_code("K7PM-Q2XD"), "K7PM-Q2XD");
    }
}

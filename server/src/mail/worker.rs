//! Delivers the outbox. Each worker claims one due mail at a time under a lease: on PostgreSQL
//! the candidate is selected `FOR UPDATE SKIP LOCKED`, and on both databases the claim is a
//! conditional `UPDATE` that only one worker can win, so with several instances each mail is
//! sent once. A crash after the SMTP server accepted a mail but before it was marked sent makes
//! the lease run out and the mail go again, with the same Message-ID.

use std::time::Duration;

use chrono::Utc;
use lettre::{
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, MultiPart},
    transport::smtp::authentication::Credentials,
};
use sea_orm::{
    ColumnTrait, Condition, DatabaseBackend, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
    sea_query::{Expr, LockBehavior, LockType},
};
use secrecy::ExposeSecret;
use types::MailStatus;

use crate::{
    config::{MailSettings, MailTransportKind, SmtpTls},
    entities::outbox_mails,
};

/// How long a claimed mail is reserved for its worker.
const LEASE: chrono::Duration = chrono::Duration::seconds(120);

/// Where mail goes.
pub enum Transport {
    /// An SMTP server.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// `.eml` files in a directory (development).
    File(AsyncFileTransport<Tokio1Executor>),
}

impl Transport {
    /// Builds the transport the settings name.
    pub fn from_settings(mail: &MailSettings) -> anyhow::Result<Self> {
        Ok(match mail.transport {
            MailTransportKind::File => {
                std::fs::create_dir_all(&mail.file_dir).map_err(|e| {
                    anyhow::anyhow!("mail.file_dir: cannot create {}: {e}", mail.file_dir)
                })?;
                Transport::File(AsyncFileTransport::new(&mail.file_dir))
            }
            MailTransportKind::Smtp => {
                let mut builder = match mail.smtp_tls {
                    SmtpTls::None => {
                        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&mail.smtp_host)
                    }
                    SmtpTls::Starttls => {
                        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&mail.smtp_host)?
                    }
                    SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&mail.smtp_host)?,
                }
                .port(mail.smtp_port)
                .timeout(Some(Duration::from_secs(30)));
                if let (Some(user), Some(password)) = (&mail.smtp_username, &mail.smtp_password) {
                    builder = builder.credentials(Credentials::new(
                        user.clone(),
                        password.expose_secret().to_owned(),
                    ));
                }
                Transport::Smtp(builder.build())
            }
        })
    }

    async fn send(&self, message: Message) -> Result<(), String> {
        match self {
            Transport::Smtp(smtp) => smtp
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Transport::File(file) => file
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
        }
    }
}

/// One delivery worker.
pub struct Worker {
    db: DatabaseConnection,
    transport: Transport,
    settings: MailSettings,
    from: Mailbox,
    id: String,
}

/// What one round of work did.
#[derive(Debug, PartialEq, Eq)]
pub enum Round {
    /// Nothing was due.
    Idle,
    /// A mail was accepted.
    Sent,
    /// A mail failed and will be retried, or was marked failed.
    Failed,
}

impl Worker {
    /// A worker named `id` (shown in `locked_by`).
    pub fn new(
        db: DatabaseConnection,
        settings: &MailSettings,
        id: impl Into<String>,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            db,
            transport: Transport::from_settings(settings)?,
            from: settings
                .from
                .parse()
                .map_err(|e| anyhow::anyhow!("mail.from: {e}"))?,
            settings: settings.clone(),
            id: id.into(),
        })
    }

    /// Works until the process ends.
    pub async fn run(self) {
        loop {
            match self.work_once().await {
                Ok(Round::Idle) => tokio::time::sleep(Duration::from_millis(500)).await,
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, worker = %self.id, "mail worker: database error");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
            }
        }
    }

    /// Claims and delivers at most one due mail.
    pub async fn work_once(&self) -> Result<Round, DbErr> {
        let Some(mail) = self.claim().await? else {
            return Ok(Round::Idle);
        };
        let outcome = match self.message(&mail) {
            Ok(message) => self.transport.send(message).await,
            Err(e) => Err(e),
        };
        let now = Utc::now();
        let attempts = mail.attempts + 1;
        let update = outbox_mails::Entity::update_many()
            .col_expr(outbox_mails::Column::Attempts, Expr::value(attempts))
            .col_expr(
                outbox_mails::Column::LockedUntil,
                Expr::value(Option::<chrono::DateTime<Utc>>::None),
            )
            .filter(outbox_mails::Column::Id.eq(mail.id));
        match outcome {
            Ok(()) => {
                update
                    .col_expr(outbox_mails::Column::Status, Expr::value(MailStatus::Sent))
                    .col_expr(outbox_mails::Column::SentAt, Expr::value(now))
                    .col_expr(
                        outbox_mails::Column::LastError,
                        Expr::value(Option::<String>::None),
                    )
                    .exec(&self.db)
                    .await?;
                tracing::info!(mail_id = mail.id, kind = %mail.kind, "mail sent");
                Ok(Round::Sent)
            }
            Err(error) => {
                let give_up = attempts as u32 >= self.settings.max_attempts;
                let delay = retry_delay(&self.settings, attempts as u32);
                // SMTP errors often quote the recipient; an address is personal data, keep it out.
                let error: String = error
                    .split_whitespace()
                    .map(|word| if word.contains('@') { "<adres>" } else { word })
                    .collect::<Vec<_>>()
                    .join(" ")
                    .chars()
                    .take(500)
                    .collect();
                update
                    .col_expr(
                        outbox_mails::Column::Status,
                        Expr::value(if give_up {
                            MailStatus::Failed
                        } else {
                            MailStatus::Pending
                        }),
                    )
                    .col_expr(
                        outbox_mails::Column::NextAttemptAt,
                        Expr::value(now + delay),
                    )
                    .col_expr(outbox_mails::Column::LastError, Expr::value(error.clone()))
                    .exec(&self.db)
                    .await?;
                tracing::warn!(mail_id = mail.id, attempts, give_up, %error, "mail not delivered");
                Ok(Round::Failed)
            }
        }
    }

    fn message(&self, mail: &outbox_mails::Model) -> Result<Message, String> {
        let to: Mailbox = mail
            .recipient
            .parse()
            .map_err(|e| format!("recipient: {e}"))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .message_id(Some(mail.message_id.clone()))
            .multipart(MultiPart::alternative_plain_html(
                mail.text_body.clone(),
                mail.html_body.clone(),
            ))
            .map_err(|e| e.to_string())
    }

    async fn claim(&self) -> Result<Option<outbox_mails::Model>, DbErr> {
        let now = Utc::now();
        let free = Condition::any()
            .add(outbox_mails::Column::LockedUntil.is_null())
            .add(outbox_mails::Column::LockedUntil.lt(now));
        let txn = self.db.begin().await?;
        let mut candidate = outbox_mails::Entity::find()
            .filter(outbox_mails::Column::Status.eq(MailStatus::Pending))
            .filter(outbox_mails::Column::NextAttemptAt.lte(now))
            .filter(free.clone())
            .order_by_asc(outbox_mails::Column::Id)
            .limit(1);
        if self.db.get_database_backend() == DatabaseBackend::Postgres {
            candidate = candidate.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let Some(mail) = candidate.one(&txn).await? else {
            txn.commit().await?;
            return Ok(None);
        };
        let claimed = outbox_mails::Entity::update_many()
            .col_expr(outbox_mails::Column::LockedUntil, Expr::value(now + LEASE))
            .col_expr(outbox_mails::Column::LockedBy, Expr::value(self.id.clone()))
            .filter(outbox_mails::Column::Id.eq(mail.id))
            .filter(outbox_mails::Column::Status.eq(MailStatus::Pending))
            .filter(free)
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok((claimed.rows_affected == 1).then_some(mail))
    }
}

/// Exponential backoff: base, 2·base, 4·base, … capped.
pub fn retry_delay(settings: &MailSettings, attempts: u32) -> chrono::Duration {
    let factor = 2u64.saturating_pow(attempts.saturating_sub(1));
    let seconds = settings
        .retry_base_seconds
        .saturating_mul(factor)
        .min(settings.retry_max_seconds);
    chrono::Duration::seconds(seconds as i64)
}

/// Deletes delivered mail after 30 days and failed mail after 90: the outbox is a queue, not an
/// archive, and rows hold addresses and codes.
pub async fn purge(db: &DatabaseConnection) -> Result<u64, DbErr> {
    let now = Utc::now();
    let sent = outbox_mails::Entity::delete_many()
        .filter(outbox_mails::Column::Status.eq(MailStatus::Sent))
        .filter(outbox_mails::Column::SentAt.lt(now - chrono::Duration::days(30)))
        .exec(db)
        .await?;
    let failed = outbox_mails::Entity::delete_many()
        .filter(outbox_mails::Column::Status.eq(MailStatus::Failed))
        .filter(outbox_mails::Column::CreatedAt.lt(now - chrono::Duration::days(90)))
        .exec(db)
        .await?;
    Ok(sent.rows_affected + failed.rows_affected)
}

/// Counts per state and the failed mails, for the administrators' outbox page.
pub async fn outbox_view(db: &DatabaseConnection) -> Result<app::models::OutboxView, DbErr> {
    use sea_orm::PaginatorTrait;
    let count = |status: MailStatus| {
        outbox_mails::Entity::find()
            .filter(outbox_mails::Column::Status.eq(status))
            .count(db)
    };
    let retrying = outbox_mails::Entity::find()
        .filter(outbox_mails::Column::Status.eq(MailStatus::Pending))
        .filter(outbox_mails::Column::Attempts.gt(0))
        .count(db)
        .await?;
    let failed_mails = outbox_mails::Entity::find()
        .filter(outbox_mails::Column::Status.eq(MailStatus::Failed))
        .order_by_desc(outbox_mails::Column::Id)
        .limit(100)
        .all(db)
        .await?
        .into_iter()
        .map(|m| app::models::FailedMailView {
            id: m.id,
            kind: m.kind,
            created_at: m.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            attempts: m.attempts,
            last_error: m.last_error.unwrap_or_default(),
        })
        .collect();
    Ok(app::models::OutboxView {
        pending: count(MailStatus::Pending).await?,
        retrying,
        sent: count(MailStatus::Sent).await?,
        failed: count(MailStatus::Failed).await?,
        failed_mails,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let mail = Settings::default().mail;
        let delays: Vec<i64> = (1..=10)
            .map(|a| retry_delay(&mail, a).num_seconds())
            .collect();
        assert_eq!(&delays[..4], &[30, 60, 120, 240]);
        assert_eq!(*delays.last().unwrap(), 3600);
    }
}

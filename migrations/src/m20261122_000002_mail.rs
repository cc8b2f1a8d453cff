//! Mail that is never lost: the outbox (written in the same transaction as the event that causes
//! it) and the citizens' contact addresses with their verification state.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OutboxMails::Table)
                    .col(big_integer(OutboxMails::Id).auto_increment().primary_key())
                    // Stable across retries, so a receiver can recognise a repeat.
                    .col(string_len_uniq(OutboxMails::MessageId, 255))
                    .col(string_len(OutboxMails::Kind, 64))
                    .col(string_len(OutboxMails::Locale, 8))
                    .col(string_len(OutboxMails::Recipient, 320))
                    .col(text(OutboxMails::Subject))
                    .col(text(OutboxMails::TextBody))
                    .col(text(OutboxMails::HtmlBody))
                    // pending | sent | failed
                    .col(string_len(OutboxMails::Status, 16))
                    .col(integer(OutboxMails::Attempts).default(0))
                    .col(timestamp_with_time_zone(OutboxMails::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(OutboxMails::LockedUntil))
                    .col(string_len_null(OutboxMails::LockedBy, 64))
                    .col(text_null(OutboxMails::LastError))
                    .col(timestamp_with_time_zone(OutboxMails::CreatedAt))
                    .col(timestamp_with_time_zone_null(OutboxMails::SentAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_outbox_mails_due")
                    .table(OutboxMails::Table)
                    .col(OutboxMails::Status)
                    .col(OutboxMails::NextAttemptAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CitizenContacts::Table)
                    .col(big_integer(CitizenContacts::CitizenId).primary_key())
                    // Only a verified address is ever mailed.
                    .col(string_len_null(CitizenContacts::Email, 320))
                    .col(timestamp_with_time_zone_null(CitizenContacts::VerifiedAt))
                    .col(string_len_null(CitizenContacts::PendingEmail, 320))
                    .col(string_len_null(CitizenContacts::CodeHash, 64))
                    .col(timestamp_with_time_zone_null(
                        CitizenContacts::CodeExpiresAt,
                    ))
                    .col(integer(CitizenContacts::CodeAttempts).default(0))
                    .col(string_len(CitizenContacts::Locale, 8))
                    .col(timestamp_with_time_zone(CitizenContacts::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_citizen_contacts_citizen")
                            .from(CitizenContacts::Table, CitizenContacts::CitizenId)
                            .to(Citizens::Table, Citizens::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CitizenContacts::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(OutboxMails::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum OutboxMails {
    Table,
    Id,
    MessageId,
    Kind,
    Locale,
    Recipient,
    Subject,
    TextBody,
    HtmlBody,
    Status,
    Attempts,
    NextAttemptAt,
    LockedUntil,
    LockedBy,
    LastError,
    CreatedAt,
    SentAt,
}

#[derive(DeriveIden)]
enum CitizenContacts {
    Table,
    CitizenId,
    Email,
    VerifiedAt,
    PendingEmail,
    CodeHash,
    CodeExpiresAt,
    CodeAttempts,
    Locale,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Citizens {
    Table,
    Id,
}

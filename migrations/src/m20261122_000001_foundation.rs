//! Identity and sessions: citizens, staff, server-side sessions, login attempts and the
//! development identity provider's key and codes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Citizens::Table)
                    .col(big_integer(Citizens::Id).auto_increment().primary_key())
                    // HMAC-SHA256 of the BSN under the pseudonym key: the only way to find a citizen.
                    .col(string_len_uniq(Citizens::BsnPseudonym, 64))
                    // AES-256-GCM of the BSN under the data key (nonce and ciphertext, base64).
                    .col(text(Citizens::BsnCiphertext))
                    .col(string_null(Citizens::DisplayName))
                    .col(timestamp_with_time_zone(Citizens::CreatedAt))
                    .col(timestamp_with_time_zone_null(Citizens::LastLoginAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(StaffAccounts::Table)
                    .col(
                        big_integer(StaffAccounts::Id)
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(string_len(StaffAccounts::Issuer, 512))
                    .col(string_len(StaffAccounts::Subject, 255))
                    .col(string(StaffAccounts::DisplayName))
                    .col(string_null(StaffAccounts::Email))
                    // Comma-separated role names as last asserted by the staff identity provider.
                    .col(string(StaffAccounts::Roles))
                    .col(timestamp_with_time_zone(StaffAccounts::CreatedAt))
                    .col(timestamp_with_time_zone_null(StaffAccounts::LastLoginAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_staff_accounts_issuer_subject")
                    .table(StaffAccounts::Table)
                    .col(StaffAccounts::Issuer)
                    .col(StaffAccounts::Subject)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    // SHA-256 of the session id: a copy of this table does not hand out live sessions.
                    .col(string_len(Sessions::IdHash, 64).primary_key())
                    .col(text(Sessions::Data))
                    .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sessions_expires_at")
                    .table(Sessions::Table)
                    .col(Sessions::ExpiresAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(LoginAttempts::Table)
                    .col(string_len(LoginAttempts::StateHash, 64).primary_key())
                    // Ties the attempt to the browser that started it (a short-lived cookie).
                    .col(string_len(LoginAttempts::BrowserHash, 64))
                    .col(string_len(LoginAttempts::Audience, 16))
                    .col(string(LoginAttempts::Nonce))
                    .col(string(LoginAttempts::PkceVerifier))
                    .col(timestamp_with_time_zone(LoginAttempts::CreatedAt))
                    .col(timestamp_with_time_zone(LoginAttempts::ExpiresAt))
                    .col(timestamp_with_time_zone_null(LoginAttempts::ConsumedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DevIdpKeys::Table)
                    .col(string_len(DevIdpKeys::Kid, 64).primary_key())
                    .col(text(DevIdpKeys::PrivateKeyPem))
                    .col(timestamp_with_time_zone(DevIdpKeys::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DevIdpCodes::Table)
                    .col(string_len(DevIdpCodes::CodeHash, 64).primary_key())
                    .col(string(DevIdpCodes::ClientId))
                    .col(text(DevIdpCodes::RedirectUri))
                    .col(string(DevIdpCodes::CodeChallenge))
                    .col(text(DevIdpCodes::Grant))
                    .col(timestamp_with_time_zone(DevIdpCodes::ExpiresAt))
                    .col(timestamp_with_time_zone_null(DevIdpCodes::UsedAt))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            DevIdpCodes::Table.into_iden(),
            DevIdpKeys::Table.into_iden(),
            LoginAttempts::Table.into_iden(),
            Sessions::Table.into_iden(),
            StaffAccounts::Table.into_iden(),
            Citizens::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Citizens {
    Table,
    Id,
    BsnPseudonym,
    BsnCiphertext,
    DisplayName,
    CreatedAt,
    LastLoginAt,
}

#[derive(DeriveIden)]
enum StaffAccounts {
    Table,
    Id,
    Issuer,
    Subject,
    DisplayName,
    Email,
    Roles,
    CreatedAt,
    LastLoginAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    IdHash,
    Data,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum LoginAttempts {
    Table,
    StateHash,
    BrowserHash,
    Audience,
    Nonce,
    PkceVerifier,
    CreatedAt,
    ExpiresAt,
    ConsumedAt,
}

#[derive(DeriveIden)]
enum DevIdpKeys {
    Table,
    Kid,
    PrivateKeyPem,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DevIdpCodes {
    Table,
    CodeHash,
    ClientId,
    RedirectUri,
    CodeChallenge,
    Grant,
    ExpiresAt,
    UsedAt,
}

//! Transparency: the register of processing activities, source systems and their API tokens,
//! personal data records with their history, disclosures, consents, the processing log
//! (Logboek Dataverwerkingen) and the staff audit log, hash-chained and insert-only.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SourceSystems::Table)
                    .col(
                        big_integer(SourceSystems::Id)
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(string_len_uniq(SourceSystems::Name, 100))
                    .col(string(SourceSystems::Department))
                    // managed | connected
                    .col(string_len(SourceSystems::Mode, 16))
                    .col(timestamp_with_time_zone(SourceSystems::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SourceTokens::Table)
                    .col(big_integer(SourceTokens::Id).auto_increment().primary_key())
                    .col(big_integer(SourceTokens::SourceSystemId))
                    // SHA-256 of the bearer token; the token itself is shown once, at creation.
                    .col(string_len_uniq(SourceTokens::TokenHash, 64))
                    .col(boolean(SourceTokens::IsAdmin).default(false))
                    .col(string(SourceTokens::Label))
                    .col(timestamp_with_time_zone(SourceTokens::CreatedAt))
                    .col(timestamp_with_time_zone_null(SourceTokens::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_source_tokens_source")
                            .from(SourceTokens::Table, SourceTokens::SourceSystemId)
                            .to(SourceSystems::Table, SourceSystems::Id),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ProcessingActivities::Table)
                    .col(
                        big_integer(ProcessingActivities::Id)
                            .auto_increment()
                            .primary_key(),
                    )
                    // Stable key across versions, e.g. `wmo-huishoudelijke-hulp`.
                    .col(string_len(ProcessingActivities::Code, 100))
                    .col(integer(ProcessingActivities::Version))
                    .col(boolean(ProcessingActivities::IsCurrent))
                    .col(string(ProcessingActivities::Name))
                    .col(text(ProcessingActivities::Purpose))
                    // LegalObligation | PublicTask | Consent | VitalInterest | Contract | LegitimateInterest
                    .col(string_len(ProcessingActivities::LegalBasis, 32))
                    // The article in words, e.g. "Wmo 2015 art. 5.1.1".
                    .col(string(ProcessingActivities::LegalBasisText))
                    // JSON array of category names.
                    .col(text(ProcessingActivities::DataCategories))
                    // ISO 8601 duration (`P15Y`) or rule text.
                    .col(string(ProcessingActivities::Retention))
                    .col(string(ProcessingActivities::Source))
                    // JSON array of recipient categories.
                    .col(text(ProcessingActivities::RecipientCategories))
                    // normaal | vertrouwelijk | opgeheven
                    .col(string_len(ProcessingActivities::Confidentiality, 16))
                    .col(string_len(ProcessingActivities::Domain, 32))
                    .col(text_null(ProcessingActivities::AutomatedDecision))
                    .col(timestamp_with_time_zone(ProcessingActivities::ValidFrom))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_processing_activities_code_version")
                    .table(ProcessingActivities::Table)
                    .col(ProcessingActivities::Code)
                    .col(ProcessingActivities::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PersonalDataRecords::Table)
                    .col(
                        big_integer(PersonalDataRecords::Id)
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(big_integer(PersonalDataRecords::CitizenId))
                    .col(big_integer(PersonalDataRecords::SourceSystemId))
                    .col(string_len(PersonalDataRecords::SourceRecordId, 200))
                    .col(string_len(PersonalDataRecords::ActivityCode, 100))
                    .col(string(PersonalDataRecords::Category))
                    .col(string(PersonalDataRecords::Label))
                    .col(text(PersonalDataRecords::Value))
                    .col(timestamp_with_time_zone(PersonalDataRecords::RecordedAt))
                    // A role and organisation, never a staff member's name.
                    .col(string(PersonalDataRecords::RecordedBy))
                    .col(boolean(PersonalDataRecords::SpecialCategory).default(false))
                    .col(date_null(PersonalDataRecords::RetentionUntil))
                    .col(boolean(PersonalDataRecords::Restricted).default(false))
                    .col(timestamp_with_time_zone(PersonalDataRecords::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_records_citizen")
                            .from(PersonalDataRecords::Table, PersonalDataRecords::CitizenId)
                            .to(Citizens::Table, Citizens::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_records_source")
                            .from(
                                PersonalDataRecords::Table,
                                PersonalDataRecords::SourceSystemId,
                            )
                            .to(SourceSystems::Table, SourceSystems::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("ix_records_citizen", vec![PersonalDataRecords::CitizenId]),
            (
                "ux_records_source_record",
                vec![
                    PersonalDataRecords::SourceSystemId,
                    PersonalDataRecords::SourceRecordId,
                ],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(PersonalDataRecords::Table);
            for col in cols {
                index.col(col);
            }
            if name.starts_with("ux_") {
                index.unique();
            }
            manager.create_index(index.clone()).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(RecordHistory::Table)
                    .col(
                        big_integer(RecordHistory::Id)
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(big_integer(RecordHistory::RecordId))
                    .col(text_null(RecordHistory::OldValue))
                    .col(text_null(RecordHistory::NewValue))
                    // `ingest` (the source system sent a new value) or a request reference.
                    .col(string(RecordHistory::Cause))
                    .col(timestamp_with_time_zone(RecordHistory::ChangedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_history_record")
                            .from(RecordHistory::Table, RecordHistory::RecordId)
                            .to(PersonalDataRecords::Table, PersonalDataRecords::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_history_record")
                    .table(RecordHistory::Table)
                    .col(RecordHistory::RecordId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Consents::Table)
                    .col(big_integer(Consents::Id).auto_increment().primary_key())
                    .col(big_integer(Consents::CitizenId))
                    .col(big_integer(Consents::SourceSystemId))
                    .col(string_len(Consents::SourceConsentId, 200))
                    .col(string(Consents::Recipient))
                    .col(text(Consents::Purpose))
                    .col(timestamp_with_time_zone(Consents::GivenAt))
                    .col(string(Consents::Channel))
                    .col(timestamp_with_time_zone_null(Consents::WithdrawnAt))
                    .col(string_null(Consents::WithdrawalChannel))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_consents_citizen")
                            .from(Consents::Table, Consents::CitizenId)
                            .to(Citizens::Table, Citizens::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_consents_source")
                    .table(Consents::Table)
                    .col(Consents::SourceSystemId)
                    .col(Consents::SourceConsentId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_consents_citizen")
                    .table(Consents::Table)
                    .col(Consents::CitizenId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Disclosures::Table)
                    .col(big_integer(Disclosures::Id).auto_increment().primary_key())
                    .col(big_integer(Disclosures::CitizenId))
                    .col(big_integer(Disclosures::SourceSystemId))
                    .col(string_len(Disclosures::SourceDisclosureId, 200))
                    .col(string_len(Disclosures::ActivityCode, 100))
                    .col(string(Disclosures::RecipientName))
                    .col(string_len_null(Disclosures::RecipientOin, 20))
                    // JSON array of categories disclosed.
                    .col(text(Disclosures::Categories))
                    .col(text(Disclosures::Purpose))
                    .col(string_len_null(Disclosures::LegalBasis, 32))
                    .col(string_null(Disclosures::LegalBasisText))
                    .col(big_integer_null(Disclosures::ConsentId))
                    .col(timestamp_with_time_zone(Disclosures::DisclosedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_disclosures_citizen")
                            .from(Disclosures::Table, Disclosures::CitizenId)
                            .to(Citizens::Table, Citizens::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_disclosures_consent")
                            .from(Disclosures::Table, Disclosures::ConsentId)
                            .to(Consents::Table, Consents::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_disclosures_source")
                    .table(Disclosures::Table)
                    .col(Disclosures::SourceSystemId)
                    .col(Disclosures::SourceDisclosureId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_disclosures_citizen_time")
                    .table(Disclosures::Table)
                    .col(Disclosures::CitizenId)
                    .col(Disclosures::DisclosedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ProcessingLogLines::Table)
                    .col(
                        big_integer(ProcessingLogLines::Id)
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(string_len(ProcessingLogLines::TraceId, 64))
                    .col(string_len(ProcessingLogLines::SpanId, 32))
                    .col(string_len_null(ProcessingLogLines::ParentSpanId, 32))
                    .col(string(ProcessingLogLines::Name))
                    .col(string_len(ProcessingLogLines::Status, 16))
                    .col(timestamp_with_time_zone(ProcessingLogLines::StartTime))
                    .col(timestamp_with_time_zone(ProcessingLogLines::EndTime))
                    .col(string_len(ProcessingLogLines::ActivityCode, 100))
                    // The keyed BSN pseudonym: the log holds no BSN and no staff identity.
                    .col(string_len(ProcessingLogLines::SubjectPseudonym, 64))
                    .col(big_integer_null(ProcessingLogLines::SourceSystemId))
                    // Organisation unit that processed (e.g. "Gemeente, team Privacy"), never a person.
                    .col(string(ProcessingLogLines::Processor))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_log_subject_time")
                    .table(ProcessingLogLines::Table)
                    .col(ProcessingLogLines::SubjectPseudonym)
                    .col(ProcessingLogLines::StartTime)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_log_trace_span")
                    .table(ProcessingLogLines::Table)
                    .col(ProcessingLogLines::TraceId)
                    .col(ProcessingLogLines::SpanId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .col(big_integer(AuditEvents::Id).auto_increment().primary_key())
                    .col(timestamp_with_time_zone(AuditEvents::OccurredAt))
                    // `staff:<id>`, `citizen:<id>`, `source:<name>` or `system`.
                    .col(string(AuditEvents::Actor))
                    .col(string(AuditEvents::Action))
                    .col(big_integer_null(AuditEvents::CitizenId))
                    .col(text(AuditEvents::Details))
                    // Unique: two writers that read the same head cannot both append to it.
                    .col(string_len_uniq(AuditEvents::PrevHash, 64))
                    .col(string_len(AuditEvents::Hash, 64))
                    .to_owned(),
            )
            .await?;

        crate::insert_only(manager, "audit_events").await
    }
}

#[derive(DeriveIden)]
enum Citizens {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum SourceSystems {
    Table,
    Id,
    Name,
    Department,
    Mode,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SourceTokens {
    Table,
    Id,
    SourceSystemId,
    TokenHash,
    IsAdmin,
    Label,
    CreatedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum ProcessingActivities {
    Table,
    Id,
    Code,
    Version,
    IsCurrent,
    Name,
    Purpose,
    LegalBasis,
    LegalBasisText,
    DataCategories,
    Retention,
    Source,
    RecipientCategories,
    Confidentiality,
    Domain,
    AutomatedDecision,
    ValidFrom,
}

#[derive(DeriveIden)]
enum PersonalDataRecords {
    Table,
    Id,
    CitizenId,
    SourceSystemId,
    SourceRecordId,
    ActivityCode,
    Category,
    Label,
    Value,
    RecordedAt,
    RecordedBy,
    SpecialCategory,
    RetentionUntil,
    Restricted,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RecordHistory {
    Table,
    Id,
    RecordId,
    OldValue,
    NewValue,
    Cause,
    ChangedAt,
}

#[derive(DeriveIden)]
enum Consents {
    Table,
    Id,
    CitizenId,
    SourceSystemId,
    SourceConsentId,
    Recipient,
    Purpose,
    GivenAt,
    Channel,
    WithdrawnAt,
    WithdrawalChannel,
}

#[derive(DeriveIden)]
enum Disclosures {
    Table,
    Id,
    CitizenId,
    SourceSystemId,
    SourceDisclosureId,
    ActivityCode,
    RecipientName,
    RecipientOin,
    Categories,
    Purpose,
    LegalBasis,
    LegalBasisText,
    ConsentId,
    DisclosedAt,
}

#[derive(DeriveIden)]
enum ProcessingLogLines {
    Table,
    Id,
    TraceId,
    SpanId,
    ParentSpanId,
    Name,
    Status,
    StartTime,
    EndTime,
    ActivityCode,
    SubjectPseudonym,
    SourceSystemId,
    Processor,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    OccurredAt,
    Actor,
    Action,
    CitizenId,
    Details,
    PrevHash,
    Hash,
}

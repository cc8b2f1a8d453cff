//! Rights requests (Art. 15–21): the request, the items in its scope with a decision per item,
//! the append-only timeline, messages and internal notes, and the execution tasks (for
//! `connected` source systems and the Art. 19 notifications to recipients).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RightsRequests::Table)
                    .col(
                        big_integer(RightsRequests::Id)
                            .auto_increment()
                            .primary_key(),
                    )
                    // AVG-YYYY-NNNNNN, derived from the id once it is known.
                    .col(string_len_uniq(RightsRequests::Reference, 32))
                    // access | rectification | erasure | restriction | objection | brp_protocol
                    .col(string_len(RightsRequests::Kind, 32))
                    // The data subject; the requester is a parent when filing for a child.
                    .col(big_integer(RightsRequests::CitizenId))
                    .col(big_integer(RightsRequests::RequesterId))
                    .col(big_integer_null(RightsRequests::AuthorityConfirmedBy))
                    .col(boolean(RightsRequests::AllData).default(false))
                    .col(text(RightsRequests::Explanation))
                    .col(string_len(RightsRequests::Status, 32))
                    .col(timestamp_with_time_zone(RightsRequests::ReceivedAt))
                    .col(date(RightsRequests::DueOn))
                    .col(date_null(RightsRequests::ExtendedTo))
                    .col(text_null(RightsRequests::ExtensionReason))
                    .col(big_integer_null(RightsRequests::AssigneeId))
                    .col(big_integer_null(RightsRequests::DecidedBy))
                    .col(text_null(RightsRequests::DecisionNote))
                    .col(big_integer_null(RightsRequests::ApprovedBy))
                    // The language mails about this request go out in.
                    .col(string_len(RightsRequests::Locale, 8))
                    // Optimistic lock: each change bumps it, and a stale form changes nothing.
                    .col(integer(RightsRequests::Version).default(0))
                    // The form's one-time token: submitting twice makes one request.
                    .col(string_len(RightsRequests::SubmitToken, 64))
                    .col(timestamp_with_time_zone_null(RightsRequests::ClosedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_requests_citizen")
                            .from(RightsRequests::Table, RightsRequests::CitizenId)
                            .to(Citizens::Table, Citizens::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_requests_requester")
                            .from(RightsRequests::Table, RightsRequests::RequesterId)
                            .to(Citizens::Table, Citizens::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns, unique) in [
            (
                "ux_requests_submit_token",
                vec![RightsRequests::RequesterId, RightsRequests::SubmitToken],
                true,
            ),
            (
                "ix_requests_citizen",
                vec![RightsRequests::CitizenId],
                false,
            ),
            (
                "ix_requests_requester",
                vec![RightsRequests::RequesterId],
                false,
            ),
            (
                "ix_requests_queue",
                vec![RightsRequests::Status, RightsRequests::DueOn],
                false,
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(RightsRequests::Table);
            for column in columns {
                index.col(column);
            }
            if unique {
                index.unique();
            }
            manager.create_index(index.clone()).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(RequestItems::Table)
                    .col(big_integer(RequestItems::Id).auto_increment().primary_key())
                    .col(big_integer(RequestItems::RequestId))
                    // No foreign key: an erased record goes, the item that erased it stays.
                    .col(big_integer_null(RequestItems::RecordId))
                    .col(big_integer_null(RequestItems::SourceSystemId))
                    .col(text(RequestItems::Label))
                    .col(text_null(RequestItems::ProposedValue))
                    // granted | refused
                    .col(string_len_null(RequestItems::Decision, 16))
                    .col(string_len_null(RequestItems::Ground, 32))
                    .col(text_null(RequestItems::DecisionNote))
                    // rectified | erased | restricted | sent_to_source | kept
                    .col(string_len_null(RequestItems::Outcome, 32))
                    .col(timestamp_with_time_zone_null(RequestItems::ExecutedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_items_request")
                            .from(RequestItems::Table, RequestItems::RequestId)
                            .to(RightsRequests::Table, RightsRequests::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_items_request")
                    .table(RequestItems::Table)
                    .col(RequestItems::RequestId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RequestEvents::Table)
                    .col(
                        big_integer(RequestEvents::Id)
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(big_integer(RequestEvents::RequestId))
                    .col(timestamp_with_time_zone(RequestEvents::At))
                    // citizen | staff | system
                    .col(string_len(RequestEvents::ActorKind, 16))
                    .col(big_integer_null(RequestEvents::StaffId))
                    .col(string_len(RequestEvents::Action, 32))
                    .col(string_len(RequestEvents::FromStatus, 32))
                    .col(string_len(RequestEvents::ToStatus, 32))
                    .col(text_null(RequestEvents::Note))
                    // Whether the citizen's timeline shows the note.
                    .col(boolean(RequestEvents::NoteIsPublic).default(false))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_events_request")
                            .from(RequestEvents::Table, RequestEvents::RequestId)
                            .to(RightsRequests::Table, RightsRequests::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_events_request")
                    .table(RequestEvents::Table)
                    .col(RequestEvents::RequestId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RequestMessages::Table)
                    .col(
                        big_integer(RequestMessages::Id)
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(big_integer(RequestMessages::RequestId))
                    .col(timestamp_with_time_zone(RequestMessages::At))
                    // citizen | staff
                    .col(string_len(RequestMessages::Author, 16))
                    .col(big_integer_null(RequestMessages::StaffId))
                    .col(text(RequestMessages::Body))
                    // An internal note: never shown to the citizen.
                    .col(boolean(RequestMessages::Internal).default(false))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_messages_request")
                            .from(RequestMessages::Table, RequestMessages::RequestId)
                            .to(RightsRequests::Table, RightsRequests::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_messages_request")
                    .table(RequestMessages::Table)
                    .col(RequestMessages::RequestId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RequestTasks::Table)
                    .col(big_integer(RequestTasks::Id).auto_increment().primary_key())
                    .col(big_integer(RequestTasks::RequestId))
                    // source (a connected system executes a change) | art19 (tell a recipient)
                    .col(string_len(RequestTasks::Kind, 16))
                    .col(big_integer_null(RequestTasks::SourceSystemId))
                    .col(string_null(RequestTasks::Recipient))
                    // rectify | erase | restrict
                    .col(string_len(RequestTasks::Action, 16))
                    .col(big_integer_null(RequestTasks::RecordId))
                    // For source tasks: the source's record id and, for rectify, the new value.
                    .col(text(RequestTasks::Payload))
                    // open | done | impossible
                    .col(string_len(RequestTasks::Status, 16))
                    .col(text_null(RequestTasks::Reason))
                    .col(timestamp_with_time_zone(RequestTasks::CreatedAt))
                    .col(timestamp_with_time_zone_null(RequestTasks::DoneAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tasks_request")
                            .from(RequestTasks::Table, RequestTasks::RequestId)
                            .to(RightsRequests::Table, RightsRequests::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("ix_tasks_request", vec![RequestTasks::RequestId]),
            (
                "ix_tasks_source_open",
                vec![RequestTasks::SourceSystemId, RequestTasks::Status],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(RequestTasks::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.clone()).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Guardianships::Table)
                    .col(
                        big_integer(Guardianships::Id)
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(big_integer(Guardianships::ParentId))
                    .col(big_integer(Guardianships::ChildId))
                    .col(date(Guardianships::ChildBirthDate))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_guardianships_parent")
                            .from(Guardianships::Table, Guardianships::ParentId)
                            .to(Citizens::Table, Citizens::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_guardianships_child")
                            .from(Guardianships::Table, Guardianships::ChildId)
                            .to(Citizens::Table, Citizens::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_guardianships")
                    .table(Guardianships::Table)
                    .col(Guardianships::ParentId)
                    .col(Guardianships::ChildId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        // "Mijn gegevens" reads the newest records of one source at a time, newest first with the
        // id as tie-breaker: in index order, so it stops after the rows it shows.
        manager
            .create_index(
                Index::create()
                    .name("ix_records_citizen_source_recorded")
                    .table(PersonalDataRecords::Table)
                    .col(PersonalDataRecords::CitizenId)
                    .col(PersonalDataRecords::SourceSystemId)
                    .col(PersonalDataRecords::RecordedAt)
                    .col(PersonalDataRecords::Id)
                    .to_owned(),
            )
            .await?;

        // ... and counts them per source, activity and special mark from the index alone.
        manager
            .create_index(
                Index::create()
                    .name("ix_records_citizen_counts")
                    .table(PersonalDataRecords::Table)
                    .col(PersonalDataRecords::CitizenId)
                    .col(PersonalDataRecords::SourceSystemId)
                    .col(PersonalDataRecords::ActivityCode)
                    .col(PersonalDataRecords::SpecialCategory)
                    .to_owned(),
            )
            .await?;

        // One row per day: whichever instance inserts it sends that day's staff digest.
        manager
            .create_table(
                Table::create()
                    .table(StaffDigests::Table)
                    .col(date(StaffDigests::Day).primary_key())
                    .col(timestamp_with_time_zone(StaffDigests::SentAt))
                    .col(integer(StaffDigests::DueSoon))
                    .col(integer(StaffDigests::Overdue))
                    .to_owned(),
            )
            .await?;

        // The timeline is append-only, like the audit log.
        crate::insert_only(manager, "request_events").await
    }
}

#[derive(DeriveIden)]
enum Citizens {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum PersonalDataRecords {
    Table,
    Id,
    CitizenId,
    SourceSystemId,
    RecordedAt,
    ActivityCode,
    SpecialCategory,
}

#[derive(DeriveIden)]
enum Guardianships {
    Table,
    Id,
    ParentId,
    ChildId,
    ChildBirthDate,
}

#[derive(DeriveIden)]
enum StaffDigests {
    Table,
    Day,
    SentAt,
    DueSoon,
    Overdue,
}

#[derive(DeriveIden)]
enum RightsRequests {
    Table,
    Id,
    Reference,
    Kind,
    CitizenId,
    RequesterId,
    AuthorityConfirmedBy,
    AllData,
    Explanation,
    Status,
    ReceivedAt,
    DueOn,
    ExtendedTo,
    ExtensionReason,
    AssigneeId,
    DecidedBy,
    DecisionNote,
    ApprovedBy,
    Locale,
    Version,
    SubmitToken,
    ClosedAt,
}

#[derive(DeriveIden)]
enum RequestItems {
    Table,
    Id,
    RequestId,
    RecordId,
    SourceSystemId,
    Label,
    ProposedValue,
    Decision,
    Ground,
    DecisionNote,
    Outcome,
    ExecutedAt,
}

#[derive(DeriveIden)]
enum RequestEvents {
    Table,
    Id,
    RequestId,
    At,
    ActorKind,
    StaffId,
    Action,
    FromStatus,
    ToStatus,
    Note,
    NoteIsPublic,
}

#[derive(DeriveIden)]
enum RequestMessages {
    Table,
    Id,
    RequestId,
    At,
    Author,
    StaffId,
    Body,
    Internal,
}

#[derive(DeriveIden)]
enum RequestTasks {
    Table,
    Id,
    RequestId,
    Kind,
    SourceSystemId,
    Recipient,
    Action,
    RecordId,
    Payload,
    Status,
    Reason,
    CreatedAt,
    DoneAt,
}

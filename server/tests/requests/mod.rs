//! Rights requests end to end over HTTP and through the service: filing (once, whatever is sent
//! twice), following, the workflow's role and four-eyes rules, execution with record history,
//! tasks for connected source systems over the API, leaving records out of an access answer
//! (a refusal: a ground and an approver), and random action sequences.

mod authorization;
mod execution;
mod filing;
mod leave_out;
mod notifications;
mod queue;
mod representation;
mod workflow;

use reqwest::Response;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use server::entities::personal_data_records;
use types::SourceMode;

use crate::{
    db_test, db_test_with,
    support::{Browser, TestApp},
};

// The tests are listed here, not in their files, so their names (`requests::<name>::sqlite`)
// stay what they were before the folder was split by topic.
db_test!(
    file_decide_and_follow,
    filing::file_decide_and_follow_over_http
);
db_test!(
    parent_for_child,
    filing::a_parent_files_for_a_child_and_staff_confirm_authority
);
db_test!(
    filing_statements,
    filing::filing_takes_a_fixed_number_of_statements
);
db_test!(four_eyes, workflow::erasure_needs_a_second_pair_of_eyes);
db_test!(
    machtiging,
    representation::a_machtiging_files_for_the_represented_person_only
);
db_test!(
    machtiging_invalid_bsn,
    representation::a_machtiging_for_an_invalid_bsn_is_refused_at_the_stand_in
);
db_test!(
    random_actions,
    workflow::random_actions_never_reach_an_illegal_state
);
db_test!(
    partly_granted_access,
    execution::a_partly_granted_access_answer_leaves_the_refused_records_out
);
db_test!(
    leave_out_needs_a_ground,
    leave_out::leaving_out_without_a_ground_is_refused_and_changes_nothing
);
db_test!(
    leave_out_needs_an_approver,
    leave_out::leaving_out_needs_another_approver_before_the_answer_goes_out
);
db_test!(
    leave_out_in_the_answer,
    leave_out::the_answer_names_what_was_left_out_and_why
);
db_test!(
    connected_tasks,
    execution::connected_sources_get_tasks_over_the_api
);
// It probes every document of every request for every visitor, far more than a person's PDF
// allowance a minute: the limit itself is tested in `limits`.
db_test_with!(
    request_authorization,
    authorization::request_authorization_table,
    authorization::unlimited_pdfs
);
db_test!(
    link_from_elsewhere,
    authorization::a_link_from_elsewhere_records_no_view
);
db_test!(
    staff_digest,
    notifications::the_staff_digest_goes_out_once_a_day
);
db_test!(
    request_mails,
    notifications::request_mails_go_through_the_outbox
);

/// One of the citizen's records in the named (managed) source system.
async fn managed_record(app: &TestApp, citizen_id: i64, source: &str) -> i64 {
    let source = server::entities::source_systems::Entity::find()
        .filter(server::entities::source_systems::Column::Name.eq(source))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(source.mode, SourceMode::Managed);
    personal_data_records::Entity::find()
        .filter(personal_data_records::Column::CitizenId.eq(citizen_id))
        .filter(personal_data_records::Column::SourceSystemId.eq(source.id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("a record in that source")
        .id
}

/// A record as stored now, or `None` once erased: what execution is judged by.
async fn record_by_id(app: &TestApp, id: i64) -> Option<personal_data_records::Model> {
    personal_data_records::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
}

/// The citizen's "withdraw" form, confirmed.
async fn withdraw(browser: &mut Browser, reference: &str) -> Response {
    browser
        .post(
            &format!("/verzoeken/{reference}/intrekken"),
            &[("zeker", "ja")],
        )
        .await
}

/// The citizen's message form on a request.
async fn send_message(browser: &mut Browser, reference: &str, text: &str) -> Response {
    browser
        .post(
            &format!("/verzoeken/{reference}/bericht"),
            &[("bericht", text)],
        )
        .await
}
db_test!(
    queue_in_sql,
    queue::the_queue_pages_filters_and_counts_in_the_database
);

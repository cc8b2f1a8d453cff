//! Rights requests as tests drive them: filing through the service, acting as staff through the
//! service or the back-office form, and reading a request's row back.

use chrono::{DateTime, Utc};
use reqwest::{Response, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use server::{
    entities::{request_items, rights_requests},
    identity::StaffRole,
    rights::requests::{
        self, Command, Draft, Filing, ItemDecision, Kind, RequestError, StaffActor,
    },
    transparency::Visibility,
};

use super::{Browser, TestApp, location};

/// What a citizen logged in at Substantieel or higher may see: every test files at that level.
pub const SEES_HEALTH: Visibility = Visibility { health: true };

/// A draft about the given records (with a proposed value for rectification), no explanation.
pub fn draft(kind: Kind, items: Vec<(i64, Option<String>)>) -> Draft {
    Draft {
        for_child: None,
        kind,
        all_data: false,
        items,
        explanation: String::new(),
    }
}

/// A draft asking for access to everything held, the commonest request.
pub fn access_to_everything() -> Draft {
    Draft {
        all_data: true,
        ..draft(Kind::Access, Vec::new())
    }
}

/// Files `draft` for `citizen` through the service at `at`; the raw result, for refusals.
pub async fn submit_at(
    app: &TestApp,
    citizen: i64,
    draft: &Draft,
    token: &str,
    at: DateTime<Utc>,
) -> Result<requests::Submitted, RequestError> {
    let filing = Filing {
        draft,
        token,
        locale: "nl",
        acting: None,
    };
    requests::submit(&app.db, &app.settings, citizen, SEES_HEALTH, &filing, at).await
}

/// Files `draft` now and returns its reference; the form itself is tested over HTTP elsewhere.
pub async fn file(app: &TestApp, citizen: i64, draft: &Draft, token: &str) -> String {
    submit_at(app, citizen, draft, token, Utc::now())
        .await
        .unwrap()
        .reference
}

/// The request's row, as the database has it now.
pub async fn request_row(app: &TestApp, reference: &str) -> rights_requests::Model {
    rights_requests::Entity::find()
        .filter(rights_requests::Column::Reference.eq(reference))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

/// Status and version: what most checks after a step compare.
pub async fn status_of(app: &TestApp, reference: &str) -> (String, i32) {
    let row = request_row(app, reference).await;
    (row.status.to_string(), row.version)
}

/// The ids of the request's items, to decide on them.
pub async fn item_ids(app: &TestApp, reference: &str) -> Vec<i64> {
    let request = request_row(app, reference).await;
    request_items::Entity::find()
        .filter(request_items::Column::RequestId.eq(request.id))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect()
}

/// A decision granting every item.
pub fn grant_all(items: &[i64]) -> Vec<ItemDecision> {
    items
        .iter()
        .map(|&item_id| ItemDecision {
            item_id,
            granted: true,
            ground: None,
            note: String::new(),
        })
        .collect()
}

/// A staff member with these roles, as a login would record them (the subject is the name).
pub async fn staff_actor(app: &TestApp, subject: &str, roles: &[StaffRole]) -> StaffActor {
    let id = server::identity::people::staff_logged_in(
        &app.db,
        &app.settings.staff_oidc.issuer_url,
        subject,
        subject,
        None,
        roles,
    )
    .await
    .unwrap();
    StaffActor {
        id,
        roles: roles.to_vec(),
    }
}

/// A staff action against the request's current version, now; the result, for refusals.
pub async fn act_now(
    app: &TestApp,
    who: &StaffActor,
    reference: &str,
    command: Command,
) -> Result<(), RequestError> {
    let (_, version) = status_of(app, reference).await;
    requests::act(
        &app.db,
        &app.settings,
        who,
        reference,
        version,
        command,
        Utc::now(),
    )
    .await
}

/// Walks a request through steps that must all succeed, to reach the state a test starts from.
pub async fn act_in_turn<'a>(
    app: &TestApp,
    reference: &str,
    steps: impl IntoIterator<Item = (&'a StaffActor, Command)>,
) {
    for (who, command) in steps {
        act_now(app, who, reference, command).await.unwrap();
    }
}

/// Claims the request and grants all of it: the usual way to a decision.
pub async fn claim_and_grant(app: &TestApp, who: &StaffActor, reference: &str) {
    act_now(app, who, reference, Command::Claim).await.unwrap();
    let items = item_ids(app, reference).await;
    act_now(
        app,
        who,
        reference,
        Command::Decide(grant_all(&items), String::new(), Default::default()),
    )
    .await
    .unwrap();
}

/// Posts the back-office action form with the version given, stale or not, as a page would.
pub async fn post_staff_action(
    browser: &mut Browser,
    reference: &str,
    version: i32,
    form: &[(&str, &str)],
) -> Response {
    let version = version.to_string();
    let mut fields = vec![("versie", version.as_str())];
    fields.extend_from_slice(form);
    browser
        .post(&format!("/backoffice/verzoeken/{reference}/actie"), &fields)
        .await
}

/// Posts the action form against the current version and returns where it sends the handler
/// (the `melding` there says what happened).
pub async fn staff_act(
    browser: &mut Browser,
    app: &TestApp,
    reference: &str,
    form: &[(&str, &str)],
) -> String {
    let (_, version) = status_of(app, reference).await;
    let response = post_staff_action(browser, reference, version, form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{form:?}");
    location(&response)
}

/// The value of `name="…" value="…"` in a page, such as the filing form's one-time token.
pub fn input_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).expect(name) + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// The reference in the receipt URL the filing form redirects to.
pub fn receipt_reference(receipt_url: &str) -> String {
    receipt_url
        .trim_start_matches("/verzoeken/")
        .trim_end_matches("?melding=ontvangen")
        .to_owned()
}

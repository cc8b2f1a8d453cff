//! Carrying a decision out: a partly granted access answer sends only what was granted, and a
//! connected source system gets its task over the API and confirms it before anything changes.

use chrono::Utc;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;
use server::{
    entities::personal_data_records,
    rights::requests::{self, Command, ItemDecision, Kind},
};
use types::{RefusalGround, SourceMode, TaskKind, TaskStatus};

use super::record_by_id;
use crate::support::{
    TestApp,
    api::{Api, source_with_token},
    demo::{HANS, NOOR, citizen_id, seed_demo},
    rights::{
        act_in_turn, act_now, claim_and_grant, draft, file, request_row, staff_actor, status_of,
    },
};

pub(super) async fn a_partly_granted_access_answer_leaves_the_refused_records_out(app: TestApp) {
    use server::identity::StaffRole::{Approver, Handler};
    let vault = seed_demo(&app).await;
    let hans = citizen_id(&app, &vault, HANS).await;
    let records: Vec<i64> = personal_data_records::Entity::find()
        .filter(personal_data_records::Column::CitizenId.eq(hans))
        .order_by_asc(personal_data_records::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    let (kept, refused) = (records[0], records[1]);
    let access = draft(Kind::Access, vec![(kept, None), (refused, None)]);
    let reference = file(&app, hans, &access, "t-access").await;
    let handler = staff_actor(&app, "handler", &[Handler]).await;
    let approver = staff_actor(&app, "approver", &[Approver]).await;
    act_now(&app, &handler, &reference, Command::Claim)
        .await
        .unwrap();
    let items = app.all::<server::entities::request_items::Entity>().await;
    let decisions = items
        .iter()
        .map(|i| ItemDecision {
            item_id: i.id,
            granted: i.record_id == Some(kept),
            ground: (i.record_id != Some(kept)).then_some(RefusalGround::Uavg41),
            note: if i.record_id == Some(kept) {
                String::new()
            } else {
                "Lopend onderzoek".to_owned()
            },
        })
        .collect();
    act_in_turn(
        &app,
        &reference,
        [
            (
                &handler,
                Command::Decide(decisions, String::new(), Default::default()),
            ),
            (&approver, Command::Approve),
        ],
    )
    .await;
    // The approved decision left nothing out: leaving the granted record out when sending is
    // refused and changes nothing.
    let not_approved = act_now(
        &app,
        &handler,
        &reference,
        Command::SendAnswer {
            left_out: vec![kept],
        },
    )
    .await;
    assert!(
        matches!(
            not_approved,
            Err(requests::RequestError::LeaveOutNotApproved)
        ),
        "{not_approved:?}"
    );
    assert_eq!(status_of(&app, &reference).await.0, "decided");
    act_now(
        &app,
        &handler,
        &reference,
        Command::SendAnswer {
            left_out: Vec::new(),
        },
    )
    .await
    .unwrap();
    let request = request_row(&app, &reference).await;
    let answer = server::rights::answers::sent(&app.db, request.id)
        .await
        .unwrap()
        .expect("the answer went out");
    let sent: Vec<i64> = answer
        .domains
        .iter()
        .flat_map(|d| &d.activities)
        .flat_map(|a| &a.data)
        .map(|i| i.id)
        .collect();
    assert_eq!(sent, vec![kept], "only the granted record goes out");
    assert_eq!(answer.left_out, 0);
    app.finish().await;
}

pub(super) async fn connected_sources_get_tasks_over_the_api(app: TestApp) {
    use server::identity::StaffRole::Handler;
    let vault = seed_demo(&app).await;
    let noor = citizen_id(&app, &vault, NOOR).await;
    let brp = source_with_token(&app, "BRP", "Burgerzaken", SourceMode::Connected, false).await;
    let wmo = source_with_token(&app, "Wmo", "Zorg", SourceMode::Managed, false).await;
    let record = personal_data_records::Entity::find()
        .filter(personal_data_records::Column::CitizenId.eq(noor))
        .filter(personal_data_records::Column::SourceSystemId.eq(brp.id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("Noor has BRP data");
    let rectification = draft(
        Kind::Rectification,
        vec![(record.id, Some("Lindelaan 14".into()))],
    );
    let reference = file(&app, noor, &rectification, "t2").await;
    let eva = staff_actor(&app, "eva", &[Handler]).await;
    claim_and_grant(&app, &eva, &reference).await;
    act_now(&app, &eva, &reference, Command::Execute)
        .await
        .unwrap();
    assert_eq!(status_of(&app, &reference).await.0, "executing");

    let api = Api::new(&app);
    let (_, tasks, _) = api.get("/tasks", Some(&brp.token)).await;
    let task = tasks
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["payload"]["reference"] == reference.as_str())
        .expect("the BRP has the task")
        .clone();
    assert_eq!(task["action"], "rectify");
    assert_eq!(task["payload"]["new_value"], "Lindelaan 14");
    let (_, wmo_tasks, _) = api.get("/tasks", Some(&wmo.token)).await;
    assert!(
        wmo_tasks.as_array().unwrap().is_empty(),
        "another source sees none of it"
    );
    let ack = format!("/tasks/{}/ack", task["id"]);
    let done = json!({"status": "done"});
    let (foreign, ..) = api.post(&ack, Some(&wmo.token), &done).await;
    assert_eq!(foreign, StatusCode::NOT_FOUND);
    let impossible = json!({"status": "impossible"});
    let (bad, ..) = api.post(&ack, Some(&brp.token), &impossible).await;
    assert_eq!(bad, StatusCode::BAD_REQUEST, "impossible needs a reason");
    let unchanged = record_by_id(&app, record.id).await.unwrap();
    assert_eq!(
        unchanged.value, record.value,
        "nothing applied before the source confirms"
    );
    let (confirmed, ..) = api.post(&ack, Some(&brp.token), &done).await;
    assert_eq!(confirmed, StatusCode::NO_CONTENT);
    let changed = record_by_id(&app, record.id).await.unwrap();
    assert_eq!(changed.value, "Lindelaan 14");
    // With the Art. 19 tasks (if any) still open, the request waits; finish them.
    let detail = requests::detail_for_staff(
        &app.db,
        &app.settings,
        &vault,
        &eva,
        &reference,
        false,
        Utc::now(),
    )
    .await
    .unwrap();
    for t in detail.tasks.iter().filter(|t| t.status == TaskStatus::Open) {
        assert_eq!(t.kind, TaskKind::Art19);
        act_now(
            &app,
            &eva,
            &reference,
            Command::FinishTask {
                task_id: t.id,
                done: true,
                reason: String::new(),
            },
        )
        .await
        .unwrap();
    }
    assert_eq!(status_of(&app, &reference).await.0, "completed");
    app.finish().await;
}

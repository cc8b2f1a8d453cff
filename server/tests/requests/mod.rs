//! Rights requests end to end over HTTP and through the service: filing (once, whatever is sent
//! twice), following, the workflow's role and four-eyes rules, execution with record history,
//! tasks for connected source systems over the API, and random action sequences.

use chrono::Utc;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use server::{
    entities::{personal_data_records, record_history, request_events, rights_requests},
    rights::requests::{self, Command, Draft, ItemDecision, Kind, StaffActor},
    transparency::Visibility,
};
use types::{Action, RefusalGround, SourceMode, Status, TaskKind, TaskStatus};

use crate::{
    db_test,
    support::{Browser, Login, TestApp, citizen_login, location, staff_login},
};

const HANS: &str = "162275869";
const FATIMA: &str = "999993653";
const KEES: &str = "691682483";
const NOOR: &str = "725763863";

async fn seed(app: &TestApp) -> server::platform::crypto::Vault {
    let vault = server::platform::crypto::Vault::new(&app.settings.secrets).unwrap();
    server::dev::demo::seed(&app.db, &vault).await.unwrap();
    vault
}

async fn citizen_id(app: &TestApp, vault: &server::platform::crypto::Vault, bsn: &str) -> i64 {
    let bsn = server::identity::Bsn::parse(bsn).unwrap();
    server::identity::people::find_or_create_citizen(&app.db, vault, &bsn, None)
        .await
        .unwrap()
}

async fn staff(app: &TestApp, subject: &str, roles: &[server::identity::StaffRole]) -> StaffActor {
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

/// The value of `name="…" value="…"` in a page.
fn input_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).expect(name) + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

async fn status_of(app: &TestApp, reference: &str) -> (String, i32) {
    let row = rights_requests::Entity::find()
        .filter(rights_requests::Column::Reference.eq(reference))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    (row.status.to_string(), row.version)
}

/// A staff action against the request's current version, now.
async fn act_now(
    app: &TestApp,
    who: &StaffActor,
    reference: &str,
    command: Command,
) -> Result<(), requests::RequestError> {
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

async fn staff_act(
    browser: &mut Browser,
    app: &TestApp,
    reference: &str,
    form: &[(&str, &str)],
) -> String {
    let (_, version) = status_of(app, reference).await;
    let version = version.to_string();
    let mut fields = vec![("versie", version.as_str())];
    fields.extend_from_slice(form);
    let response = browser
        .post(&format!("/backoffice/verzoeken/{reference}/actie"), &fields)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{form:?}");
    location(&response)
}

async fn file_decide_and_follow_over_http(app: TestApp) {
    seed(&app).await;
    let mut hans = app.browser();
    citizen_login(
        &mut hans,
        Login {
            persoon: HANS,
            ..Login::default()
        },
    )
    .await;

    // "Klopt dit niet?" on a record (of the managed Wmo system) starts the form with it chosen.
    let vault = server::platform::crypto::Vault::new(&app.settings.secrets).unwrap();
    let record_id = managed_record(&app, citizen_id(&app, &vault, HANS).await, "Wmo").await;
    let data = hans.get("/mijn-gegevens").await.text().await.unwrap();
    assert!(data.contains(&format!(
        "/verzoeken/nieuw?soort=rectification&amp;gegeven={record_id}\""
    )));
    let form = hans
        .get(&format!(
            "/verzoeken/nieuw?soort=rectification&gegeven={record_id}"
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        form.contains(&format!("value=\"{record_id}\" checked")),
        "record preselected"
    );
    let token = input_value(&form, "token");

    // A rectification without the proposed value is refused with a clear message.
    let record = record_id.to_string();
    let proposal_field = format!("voorstel-{record_id}");
    let missing = hans
        .post(
            "/verzoeken/nieuw",
            &[
                ("stap", "controleren"),
                ("token", &token),
                ("soort", "rectification"),
                ("bereik", "gegevens"),
                ("gegeven", &record),
                ("toelichting", "Het klopt niet."),
            ],
        )
        .await;
    assert_eq!(location(&missing), "/verzoeken/nieuw");
    let page = hans.get("/verzoeken/nieuw").await.text().await.unwrap();
    assert!(page.contains("Geef bij elk aangevinkt gegeven de juiste waarde op."));
    assert_eq!(
        rights_requests::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        0
    );

    // Filled in, reviewed, sent.
    hans.post(
        "/verzoeken/nieuw",
        &[
            ("stap", "controleren"),
            ("token", &token),
            ("soort", "rectification"),
            ("bereik", "gegevens"),
            ("gegeven", &record),
            (&proposal_field, "4 uur per week"),
            ("toelichting", "Het klopt niet."),
        ],
    )
    .await;
    let review = hans.get("/verzoeken/nieuw").await.text().await.unwrap();
    assert!(review.contains("Verzoek versturen") && review.contains("4 uur per week"));
    let sent = hans
        .post(
            "/verzoeken/nieuw",
            &[("stap", "indienen"), ("token", &token)],
        )
        .await;
    let receipt_url = location(&sent);
    assert!(receipt_url.starts_with("/verzoeken/AVG-"), "{receipt_url}");
    assert!(receipt_url.ends_with("?melding=ontvangen"));
    let reference = receipt_url
        .trim_start_matches("/verzoeken/")
        .trim_end_matches("?melding=ontvangen")
        .to_owned();
    assert!(
        server::mail::RequestReference::parse(&reference).is_some(),
        "{reference}"
    );
    // Sent again (double click, or back and resubmit): still one request.
    let again = hans
        .post(
            "/verzoeken/nieuw",
            &[("stap", "indienen"), ("token", &token)],
        )
        .await;
    assert_eq!(location(&again), receipt_url);
    assert_eq!(
        rights_requests::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        1
    );
    let receipt = hans.get(&receipt_url).await.text().await.unwrap();
    assert!(receipt.contains("Wij hebben uw verzoek ontvangen") && receipt.contains(&reference));
    let (status, _) = status_of(&app, &reference).await;
    assert_eq!(status, "submitted");

    // Another citizen sees nothing of it and cannot act on it.
    let mut fatima = app.browser();
    citizen_login(
        &mut fatima,
        Login {
            persoon: FATIMA,
            ..Login::default()
        },
    )
    .await;
    let foreign = fatima
        .get(&format!("/verzoeken/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        foreign.contains("Dit verzoek bestaat niet, of het is niet van u.")
            && !foreign.contains("4 uur per week")
    );
    let withdraw = fatima
        .post(
            &format!("/verzoeken/{reference}/intrekken"),
            &[("zeker", "ja")],
        )
        .await;
    assert_eq!(location(&withdraw), "/verzoeken?melding=onbekend");
    let message = fatima
        .post(
            &format!("/verzoeken/{reference}/bericht"),
            &[("bericht", "hallo")],
        )
        .await;
    assert_eq!(location(&message), "/verzoeken?melding=onbekend");
    assert_eq!(status_of(&app, &reference).await.0, "submitted");
    // A citizen cannot use the back office's forms.
    let forged = fatima
        .post(
            &format!("/backoffice/verzoeken/{reference}/actie"),
            &[("versie", "0"), ("actie", "claim")],
        )
        .await;
    assert_eq!(location(&forged), "/?verlopen=1");
    assert_eq!(status_of(&app, &reference).await.0, "submitted");

    // The privacy officer reads but changes nothing.
    let mut officer = app.browser();
    staff_login(&mut officer, "mw-0004", "none").await;
    let queue = officer
        .get("/backoffice/verzoeken")
        .await
        .text()
        .await
        .unwrap();
    assert!(queue.contains(&reference));
    let refused = staff_act(&mut officer, &app, &reference, &[("actie", "claim")]).await;
    assert!(refused.ends_with("melding=rol"), "{refused}");
    assert_eq!(status_of(&app, &reference).await.0, "submitted");

    // A handler takes it on, decides, and carries it out.
    let mut eva = app.browser();
    staff_login(&mut eva, "mw-0001", "none").await;
    let detail = eva
        .get(&format!("/backoffice/verzoeken/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(detail.contains("******869"), "BSN masked");
    assert!(
        !detail.contains(HANS),
        "full BSN not shown without a reason"
    );
    assert!(
        staff_act(&mut eva, &app, &reference, &[("actie", "claim")])
            .await
            .ends_with("melding=opgeslagen")
    );
    // A stale form changes nothing.
    let stale = eva
        .post(
            &format!("/backoffice/verzoeken/{reference}/actie"),
            &[("versie", "0"), ("actie", "note"), ("bericht", "x")],
        )
        .await;
    assert!(location(&stale).ends_with("melding=gewijzigd"));
    let detail = eva
        .get(&format!("/backoffice/verzoeken/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    let item_id = detail
        .split("name=\"besluit-")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("decision form with an item")
        .to_owned();
    let decision_field = format!("besluit-{item_id}");
    let decided = staff_act(
        &mut eva,
        &app,
        &reference,
        &[
            ("actie", "decide"),
            (&decision_field, "toekennen"),
            ("toelichting", "Aangepast na controle."),
        ],
    )
    .await;
    assert!(decided.ends_with("melding=opgeslagen"), "{decided}");
    assert_eq!(status_of(&app, &reference).await.0, "decided");

    // Withdrawing after the decision is refused and changes nothing.
    let late = hans
        .post(
            &format!("/verzoeken/{reference}/intrekken"),
            &[("zeker", "ja")],
        )
        .await;
    assert!(location(&late).ends_with("melding=status"));
    assert_eq!(status_of(&app, &reference).await.0, "decided");

    assert!(
        staff_act(&mut eva, &app, &reference, &[("actie", "execute")])
            .await
            .ends_with("melding=opgeslagen")
    );
    // Art. 19 tasks for recipients of that data: each finished, one as impossible.
    loop {
        let detail = eva
            .get(&format!("/backoffice/verzoeken/{reference}"))
            .await
            .text()
            .await
            .unwrap();
        let Some(task) = detail
            .split("name=\"taak\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
        else {
            break;
        };
        let task = task.to_owned();
        let done = staff_act(
            &mut eva,
            &app,
            &reference,
            &[
                ("actie", "finish_task"),
                ("taak", &task),
                ("uitkomst", "onmogelijk"),
                ("reden", "Ontvanger bestaat niet meer"),
            ],
        )
        .await;
        assert!(done.ends_with("melding=opgeslagen"), "{done}");
    }
    assert_eq!(status_of(&app, &reference).await.0, "completed");
    let record = personal_data_records::Entity::find_by_id(record_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.value, "4 uur per week");
    let history = record_history::Entity::find()
        .filter(record_history::Column::RecordId.eq(record_id))
        .filter(record_history::Column::Cause.eq(reference.as_str()))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the old value is kept");
    assert_eq!(history.new_value.as_deref(), Some("4 uur per week"));

    // The citizen sees the result, the timeline, and that the municipality handled it.
    let result = hans
        .get(&format!("/verzoeken/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        result.contains("Afgerond")
            && result.contains("Verbeterd; de oude waarde staat in de geschiedenis")
    );
    assert!(result.contains("In behandeling genomen") && result.contains("Besluit voorbereid"));
    assert!(!result.contains("Eva"), "no staff names for the citizen");
    let usage = hans.get("/gebruik").await.text().await.unwrap();
    assert!(usage.contains(&format!(
        "team Privacy, heeft uw gegevens ingezien voor verzoek {reference}"
    )));
    app.finish().await;
}

db_test!(file_decide_and_follow, file_decide_and_follow_over_http);

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

fn grant_all(items: &[i64]) -> Vec<ItemDecision> {
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

async fn item_ids(app: &TestApp, reference: &str) -> Vec<i64> {
    let request = rights_requests::Entity::find()
        .filter(rights_requests::Column::Reference.eq(reference))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    server::entities::request_items::Entity::find()
        .filter(server::entities::request_items::Column::RequestId.eq(request.id))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect()
}

async fn erasure_needs_a_second_pair_of_eyes(app: TestApp) {
    use server::identity::StaffRole::{Approver, Handler, PrivacyOfficer};
    let vault = seed(&app).await;
    let kees = citizen_id(&app, &vault, KEES).await;
    let visibility = Visibility { health: true };
    let record = managed_record(&app, kees, "Schuldhulpverlening").await;
    let now = Utc::now();
    let draft = Draft {
        for_child: None,
        kind: Kind::Erasure,
        all_data: false,
        items: vec![(record, None)],
        explanation: String::new(),
    };
    let reference = requests::submit(
        &app.db,
        &app.settings,
        kees,
        visibility,
        &requests::Filing {
            draft: &draft,
            token: "t1",
            locale: "nl",
        },
        now,
    )
    .await
    .unwrap()
    .reference;
    let both = staff(&app, "both", &[Handler, Approver]).await;
    let approver = staff(&app, "approver", &[Approver]).await;
    let officer = staff(&app, "officer", &[PrivacyOfficer]).await;
    let act = |who: StaffActor, command: Command| {
        let app = &app;
        let reference = reference.clone();
        async move { act_now(app, &who, &reference, command).await }
    };
    act(both.clone(), Command::Claim).await.unwrap();
    let items = item_ids(&app, &reference).await;
    act(
        both.clone(),
        Command::Decide(grant_all(&items), String::new()),
    )
    .await
    .unwrap();
    assert_eq!(status_of(&app, &reference).await.0, "awaiting_approval");
    // The citizen sees neither the unapproved decision nor the internal note.
    act(
        both.clone(),
        Command::Note("Check bij de Kredietbank".into()),
    )
    .await
    .unwrap();
    let seen = requests::detail_for_citizen(&app.db, kees, visibility, &reference, Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert!(
        seen.items.iter().all(|i| i.decision.is_none()),
        "draft decision shown"
    );
    assert!(
        seen.timeline.iter().all(|e| e.action != Action::Note),
        "internal step shown"
    );
    assert!(seen.messages.is_empty(), "internal note shown");
    // The decider cannot approve their own erasure, even with the approver role.
    assert!(matches!(
        act(both.clone(), Command::Approve).await,
        Err(requests::RequestError::Refused(
            server::rights::workflow::Refusal::OwnDecision
        ))
    ));
    assert!(matches!(
        act(officer.clone(), Command::Approve).await,
        Err(requests::RequestError::Refused(
            server::rights::workflow::Refusal::NotAllowed
        ))
    ));
    assert_eq!(status_of(&app, &reference).await.0, "awaiting_approval");
    assert!(
        personal_data_records::Entity::find_by_id(record)
            .one(&app.db)
            .await
            .unwrap()
            .is_some(),
        "nothing erased before approval"
    );
    act(approver, Command::Approve).await.unwrap();
    act(both, Command::Execute).await.unwrap();
    assert!(
        personal_data_records::Entity::find_by_id(record)
            .one(&app.db)
            .await
            .unwrap()
            .is_none(),
        "erased after approval"
    );
    app.finish().await;
}

db_test!(four_eyes, erasure_needs_a_second_pair_of_eyes);

async fn a_partly_granted_access_answer_leaves_the_refused_records_out(app: TestApp) {
    use server::identity::StaffRole::{Approver, Handler};
    let vault = seed(&app).await;
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
    let draft = Draft {
        for_child: None,
        kind: Kind::Access,
        all_data: false,
        items: vec![(kept, None), (refused, None)],
        explanation: String::new(),
    };
    let reference = requests::submit(
        &app.db,
        &app.settings,
        hans,
        Visibility { health: true },
        &requests::Filing {
            draft: &draft,
            token: "t-access",
            locale: "nl",
        },
        Utc::now(),
    )
    .await
    .unwrap()
    .reference;
    let handler = staff(&app, "handler", &[Handler]).await;
    let approver = staff(&app, "approver", &[Approver]).await;
    act_now(&app, &handler, &reference, Command::Claim)
        .await
        .unwrap();
    let items = server::entities::request_items::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
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
    act_now(
        &app,
        &handler,
        &reference,
        Command::Decide(decisions, String::new()),
    )
    .await
    .unwrap();
    act_now(&app, &approver, &reference, Command::Approve)
        .await
        .unwrap();
    // A note longer than any text field may be is refused and changes nothing.
    let too_long = act_now(
        &app,
        &handler,
        &reference,
        Command::SendAnswer {
            left_out: vec![kept],
            note: "x".repeat(requests::MAX_TEXT + 1),
        },
    )
    .await;
    assert!(
        matches!(too_long, Err(requests::RequestError::Invalid(_))),
        "{too_long:?}"
    );
    assert_eq!(status_of(&app, &reference).await.0, "decided");
    act_now(
        &app,
        &handler,
        &reference,
        Command::SendAnswer {
            left_out: Vec::new(),
            note: String::new(),
        },
    )
    .await
    .unwrap();
    let request = rights_requests::Entity::find()
        .filter(rights_requests::Column::Reference.eq(reference.as_str()))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
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

db_test!(
    partly_granted_access,
    a_partly_granted_access_answer_leaves_the_refused_records_out
);

async fn connected_sources_get_tasks_over_the_api(app: TestApp) {
    use server::identity::StaffRole::Handler;
    let vault = seed(&app).await;
    let noor = citizen_id(&app, &vault, NOOR).await;
    let visibility = Visibility { health: true };
    let brp = server::sources::systems::ensure_source(
        &app.db,
        "BRP",
        "Burgerzaken",
        server::sources::systems::SourceMode::Connected,
    )
    .await
    .unwrap();
    let wmo = server::sources::systems::ensure_source(
        &app.db,
        "Wmo",
        "Zorg",
        server::sources::systems::SourceMode::Managed,
    )
    .await
    .unwrap();
    let record = personal_data_records::Entity::find()
        .filter(personal_data_records::Column::CitizenId.eq(noor))
        .filter(personal_data_records::Column::SourceSystemId.eq(brp))
        .one(&app.db)
        .await
        .unwrap()
        .expect("Noor has BRP data");
    let draft = Draft {
        for_child: None,
        kind: Kind::Rectification,
        all_data: false,
        items: vec![(record.id, Some("Lindelaan 14".into()))],
        explanation: String::new(),
    };
    let reference = requests::submit(
        &app.db,
        &app.settings,
        noor,
        visibility,
        &requests::Filing {
            draft: &draft,
            token: "t2",
            locale: "nl",
        },
        Utc::now(),
    )
    .await
    .unwrap()
    .reference;
    let eva = staff(&app, "eva", &[Handler]).await;
    for command in [
        Command::Claim,
        Command::Decide(grant_all(&item_ids(&app, &reference).await), String::new()),
        Command::Execute,
    ] {
        act_now(&app, &eva, &reference, command).await.unwrap();
    }
    assert_eq!(status_of(&app, &reference).await.0, "executing");

    let (_, brp_token) = server::sources::systems::create_token(&app.db, brp, false, "test")
        .await
        .unwrap();
    let (_, wmo_token) = server::sources::systems::create_token(&app.db, wmo, false, "test")
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let tasks: serde_json::Value = client
        .get(format!("{}/api/v1/tasks", app.base))
        .bearer_auth(&brp_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let task = tasks
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["payload"]["reference"] == reference.as_str())
        .expect("the BRP has the task")
        .clone();
    assert_eq!(task["action"], "rectify");
    assert_eq!(task["payload"]["new_value"], "Lindelaan 14");
    let wmo_tasks: serde_json::Value = client
        .get(format!("{}/api/v1/tasks", app.base))
        .bearer_auth(&wmo_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        wmo_tasks.as_array().unwrap().is_empty(),
        "another source sees none of it"
    );
    let ack = format!("{}/api/v1/tasks/{}/ack", app.base, task["id"]);
    let foreign = client
        .post(&ack)
        .bearer_auth(&wmo_token)
        .json(&serde_json::json!({"status": "done"}))
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
    let bad = client
        .post(&ack)
        .bearer_auth(&brp_token)
        .json(&serde_json::json!({"status": "impossible"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        bad.status(),
        StatusCode::BAD_REQUEST,
        "impossible needs a reason"
    );
    let unchanged = personal_data_records::Entity::find_by_id(record.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        unchanged.value, record.value,
        "nothing applied before the source confirms"
    );
    let done = client
        .post(&ack)
        .bearer_auth(&brp_token)
        .json(&serde_json::json!({"status": "done"}))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::NO_CONTENT);
    let changed = personal_data_records::Entity::find_by_id(record.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
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

db_test!(connected_tasks, connected_sources_get_tasks_over_the_api);

/// Random sequences of actions by random roles: every request stays in a known status, its
/// timeline is one unbroken chain of allowed steps, and no request is lost.
async fn random_actions_never_reach_an_illegal_state(app: TestApp) {
    use proptest::{
        prelude::*,
        strategy::ValueTree,
        test_runner::{Config, TestRunner},
    };
    use server::identity::StaffRole::{Approver, Handler, PrivacyOfficer};
    let vault = seed(&app).await;
    let hans = citizen_id(&app, &vault, HANS).await;
    let visibility = Visibility { health: true };
    let records: Vec<i64> = requests::pickable_records(&app.db, hans, visibility)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .take(2)
        .collect();
    let actors = [
        staff(&app, "h1", &[Handler]).await,
        staff(&app, "h2", &[Handler]).await,
        staff(&app, "a1", &[Approver]).await,
        staff(&app, "ha", &[Handler, Approver]).await,
        staff(&app, "po", &[PrivacyOfficer]).await,
    ];
    // (actor index or 9 for the citizen, action 0..12, a coin for grant/refuse)
    let step = (0usize..6, 0u8..12, any::<bool>());
    let mut runner = TestRunner::new(Config {
        cases: 24,
        ..Config::default()
    });
    let sequences = proptest::collection::vec(step, 5..30);
    let kinds = [
        Kind::Rectification,
        Kind::Erasure,
        Kind::Access,
        Kind::Restriction,
    ];
    for case in 0..24 {
        let plan = sequences.new_tree(&mut runner).unwrap().current();
        let kind = kinds[case % kinds.len()];
        let draft = Draft {
            for_child: None,
            kind,
            all_data: kind == Kind::Access,
            items: if kind == Kind::Access {
                vec![]
            } else {
                records
                    .iter()
                    .map(|&r| (r, (kind == Kind::Rectification).then(|| "nieuw".to_owned())))
                    .collect()
            },
            explanation: "x".into(),
        };
        let reference = requests::submit(
            &app.db,
            &app.settings,
            hans,
            visibility,
            &requests::Filing {
                draft: &draft,
                token: &format!("p{case}"),
                locale: "nl",
            },
            Utc::now(),
        )
        .await
        .unwrap()
        .reference;
        for (who, action, coin) in plan {
            let (_, version) = status_of(&app, &reference).await;
            let items = item_ids(&app, &reference).await;
            if who == 5 {
                let _ = match action % 2 {
                    0 => requests::withdraw(&app.db, hans, &reference, Utc::now()).await,
                    _ => {
                        requests::citizen_message(&app.db, hans, &reference, "antwoord", Utc::now())
                            .await
                    }
                };
                continue;
            }
            let command = match action {
                0 => Command::Claim,
                1 => Command::AskInformation("vraag".into()),
                2 => Command::Extend("reden".into()),
                3 => Command::Decide(
                    items
                        .iter()
                        .map(|&item_id| ItemDecision {
                            item_id,
                            granted: coin,
                            ground: (!coin).then_some(RefusalGround::LegalObligation),
                            note: "n".into(),
                        })
                        .collect(),
                    String::new(),
                ),
                4 => Command::Approve,
                5 => Command::SendBack("terug".into()),
                6 => Command::Execute,
                7 => Command::Message("bericht".into()),
                8 => Command::Note("notitie".into()),
                9 => Command::ConfirmAuthority,
                10 => Command::FinishTask {
                    task_id: i64::from(coin),
                    done: coin,
                    reason: "r".into(),
                },
                _ => Command::Decide(Vec::new(), String::new()),
            };
            let _ = requests::act(
                &app.db,
                &app.settings,
                &actors[who],
                &reference,
                version,
                command,
                Utc::now(),
            )
            .await;
        }
        // The request is there, in a known status, and its timeline is an unbroken chain.
        let (status, _) = status_of(&app, &reference).await;
        assert!(Status::parse(&status).is_some(), "{status}");
        let status = Status::parse(&status).unwrap();
        let request = rights_requests::Entity::find()
            .filter(rights_requests::Column::Reference.eq(&reference))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let events = request_events::Entity::find()
            .filter(request_events::Column::RequestId.eq(request.id))
            .order_by_asc(request_events::Column::Id)
            .all(&app.db)
            .await
            .unwrap();
        let mut current = Status::Submitted;
        for e in &events[1..] {
            assert_eq!(
                e.from_status, current,
                "{reference}: chain broken at {}",
                e.action
            );
            current = e.to_status;
        }
        assert_eq!(
            current, status,
            "{reference}: the timeline ends where the request is"
        );
        // A final state is only reached through its own door.
        match status {
            Status::Withdrawn => assert!(events.iter().any(|e| e.action == Action::Withdraw)),
            Status::Rejected => assert!(request.approved_by.is_some()),
            Status::Completed => assert!(events.iter().any(|e| e.action == Action::Execute)),
            _ => {}
        }
        // Erasure and refusal never take effect without an approver other than the decider.
        if matches!(
            status,
            Status::Decided | Status::Executing | Status::Completed | Status::Rejected
        ) && (kind == Kind::Erasure || request.approved_by.is_some())
        {
            assert!(
                request.approved_by.is_some() && request.approved_by != request.decided_by,
                "{reference}: four eyes"
            );
        }
    }
    assert_eq!(
        rights_requests::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        24,
        "no request lost"
    );
    app.finish().await;
}

db_test!(random_actions, random_actions_never_reach_an_illegal_state);

async fn a_parent_files_for_a_child_and_staff_confirm_authority(app: TestApp) {
    use server::identity::StaffRole::Handler;
    let vault = seed(&app).await;
    let (fatima, noor, hans) = (
        citizen_id(&app, &vault, FATIMA).await,
        citizen_id(&app, &vault, NOOR).await,
        citizen_id(&app, &vault, HANS).await,
    );
    let visibility = Visibility { health: true };
    let draft = Draft {
        for_child: Some(noor),
        kind: Kind::Access,
        all_data: true,
        items: vec![],
        explanation: String::new(),
    };
    let filing = |token| requests::Filing {
        draft: &draft,
        token,
        locale: "nl",
    };
    // Hans has no authority over Noor.
    let refused = requests::submit(
        &app.db,
        &app.settings,
        hans,
        visibility,
        &filing("h"),
        Utc::now(),
    )
    .await;
    assert!(matches!(refused, Err(requests::RequestError::Invalid(_))));
    let reference = requests::submit(
        &app.db,
        &app.settings,
        fatima,
        visibility,
        &filing("f"),
        Utc::now(),
    )
    .await
    .unwrap()
    .reference;
    let row = rights_requests::Entity::find()
        .filter(rights_requests::Column::Reference.eq(&reference))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (row.citizen_id, row.requester_id),
        (noor, fatima),
        "subject and requester apart"
    );
    let detail = requests::detail_for_citizen(&app.db, fatima, visibility, &reference, Utc::now())
        .await
        .unwrap()
        .expect("the parent follows it");
    assert_eq!(detail.on_behalf_of.as_deref(), Some("Noor el Amrani"));
    assert!(
        requests::detail_for_citizen(&app.db, hans, visibility, &reference, Utc::now())
            .await
            .unwrap()
            .is_none()
    );

    // No decision before a handler confirmed the parent's authority.
    let eva = staff(&app, "eva", &[Handler]).await;
    let act = |command| {
        let (app, eva, reference) = (&app, eva.clone(), reference.clone());
        async move { act_now(app, &eva, &reference, command).await }
    };
    act(Command::Claim).await.unwrap();
    let items = item_ids(&app, &reference).await;
    assert!(matches!(
        act(Command::Decide(grant_all(&items), String::new())).await,
        Err(requests::RequestError::Refused(
            server::rights::workflow::Refusal::AuthorityUnconfirmed
        ))
    ));
    act(Command::ConfirmAuthority).await.unwrap();
    act(Command::Decide(grant_all(&items), String::new()))
        .await
        .unwrap();
    assert_eq!(status_of(&app, &reference).await.0, "decided");

    // The form offers the child only to the parent.
    let mut parent = app.browser();
    citizen_login(
        &mut parent,
        Login {
            persoon: FATIMA,
            ..Login::default()
        },
    )
    .await;
    let form = parent
        .get(&format!("/verzoeken/nieuw?voor={noor}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(form.contains("U dient dit verzoek in voor uw kind Noor el Amrani (12)"));
    let mut other = app.browser();
    citizen_login(
        &mut other,
        Login {
            persoon: HANS,
            ..Login::default()
        },
    )
    .await;
    let form = other
        .get(&format!("/verzoeken/nieuw?voor={noor}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!form.contains("Noor"), "no one else's child");
    app.finish().await;
}

db_test!(
    parent_for_child,
    a_parent_files_for_a_child_and_staff_confirm_authority
);

async fn the_staff_digest_goes_out_once_a_day(app: TestApp) {
    let vault = seed(&app).await;
    let hans = citizen_id(&app, &vault, HANS).await;
    let draft = Draft {
        for_child: None,
        kind: Kind::Access,
        all_data: true,
        items: vec![],
        explanation: String::new(),
    };
    let filing = requests::Filing {
        draft: &draft,
        token: "d",
        locale: "nl",
    };
    let long_ago = Utc::now() - chrono::Duration::days(40);
    requests::submit(
        &app.db,
        &app.settings,
        hans,
        Visibility { health: true },
        &filing,
        long_ago,
    )
    .await
    .unwrap();
    let outbox = || server::entities::outbox_mails::Entity::find().count(&app.db);
    let before = outbox().await.unwrap();
    // 05:30 UTC is 06:30 or 07:30 in Amsterdam: take a moment that is surely before 07:00.
    let today = chrono::Utc::now().date_naive();
    let early = today.and_hms_opt(4, 0, 0).unwrap().and_utc();
    assert_eq!(
        server::oversight::digest::send_if_due(&app.db, &app.settings, early)
            .await
            .unwrap(),
        None
    );
    let morning = today.and_hms_opt(8, 0, 0).unwrap().and_utc();
    let sent = server::oversight::digest::send_if_due(&app.db, &app.settings, morning)
        .await
        .unwrap();
    assert_eq!(
        sent,
        Some(server::oversight::digest::Figures {
            due_soon: 0,
            overdue: 1
        })
    );
    assert_eq!(
        outbox().await.unwrap(),
        before + app.settings.mail.staff_recipients.len() as u64
    );
    // A second instance (or tick) the same day sends nothing.
    let later = today.and_hms_opt(15, 0, 0).unwrap().and_utc();
    assert_eq!(
        server::oversight::digest::send_if_due(&app.db, &app.settings, later)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        outbox().await.unwrap(),
        before + app.settings.mail.staff_recipients.len() as u64
    );
    app.finish().await;
}

db_test!(staff_digest, the_staff_digest_goes_out_once_a_day);

/// Every request route for every kind of visitor: citizens reach only their own requests, staff
/// only by role, the privacy officer changes nothing, and nobody changes anything by sending
/// another's reference.
async fn request_authorization_table(app: TestApp) {
    let vault = seed(&app).await;
    server::dev::demo::seed_requests(&app.db, &app.settings, &vault)
        .await
        .unwrap();
    let kees = citizen_id(&app, &vault, KEES).await;
    let all = rights_requests::Entity::find().all(&app.db).await.unwrap();
    assert!(all.len() >= 10);
    let snapshot = || async {
        let mut rows: Vec<(String, Status, i32)> = rights_requests::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.reference, r.status, r.version))
            .collect();
        rows.sort();
        let messages = server::entities::request_messages::Entity::find()
            .count(&app.db)
            .await
            .unwrap();
        (rows, messages)
    };
    let before = snapshot().await;

    let mut citizen = app.browser();
    citizen_login(
        &mut citizen,
        Login {
            persoon: KEES,
            niveau: "hoog",
            ..Login::default()
        },
    )
    .await;
    let own_list = citizen.get("/verzoeken").await.text().await.unwrap();
    for r in &all {
        let own = r.requester_id == kees;
        assert_eq!(
            own_list.contains(&r.reference),
            own,
            "{} in Kees's list",
            r.reference
        );
        let page = citizen
            .get(&format!("/verzoeken/{}", r.reference))
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(
            page.contains("Dit verzoek bestaat niet, of het is niet van u."),
            !own,
            "{} for Kees",
            r.reference
        );
        if !own {
            assert!(
                !page.contains(&r.explanation) || r.explanation.is_empty(),
                "{} leaks",
                r.reference
            );
            // Nor its answer or letters, in any form.
            for path in [
                "antwoord.json",
                "antwoord.pdf",
                "brief/besluit.pdf",
                "brief/verlenging.pdf",
            ] {
                assert_eq!(
                    citizen
                        .get(&format!("/verzoeken/{}/{path}", r.reference))
                        .await
                        .status(),
                    StatusCode::NOT_FOUND,
                    "{} {path} for Kees",
                    r.reference
                );
            }
            for page in ["antwoord", "besluit", "verlenging"] {
                let html = citizen
                    .get(&format!("/verzoeken/{}/{page}", r.reference))
                    .await
                    .text()
                    .await
                    .unwrap();
                assert!(
                    !html.contains("data-testid=\"letter\""),
                    "{} {page}",
                    r.reference
                );
                assert!(
                    !html.contains("data-testid=\"answer\""),
                    "{} {page}",
                    r.reference
                );
            }
            citizen
                .post(
                    &format!("/verzoeken/{}/intrekken", r.reference),
                    &[("zeker", "ja")],
                )
                .await;
            citizen
                .post(
                    &format!("/verzoeken/{}/bericht", r.reference),
                    &[("bericht", "van Kees")],
                )
                .await;
        }
        // Back-office forms are for staff only.
        let forged = citizen
            .post(
                &format!("/backoffice/verzoeken/{}/actie", r.reference),
                &[("versie", &r.version.to_string()), ("actie", "claim")],
            )
            .await;
        assert_eq!(location(&forged), "/?verlopen=1");
        let queue = citizen
            .get(&format!("/backoffice/verzoeken/{}", r.reference))
            .await;
        assert_eq!(location(&queue), "/overzicht");
    }
    assert_eq!(
        snapshot().await,
        before,
        "Kees changed someone else's request"
    );

    // Anonymous: every page redirects, every form changes nothing.
    let mut anonymous = app.browser();
    for r in &all {
        for path in [
            format!("/verzoeken/{}", r.reference),
            format!("/backoffice/verzoeken/{}", r.reference),
            format!("/verzoeken/{}/antwoord", r.reference),
            format!("/verzoeken/{}/antwoord.pdf", r.reference),
            format!("/verzoeken/{}/brief/besluit.pdf", r.reference),
            format!("/backoffice/verzoeken/{}/brief/besluit.pdf", r.reference),
        ] {
            assert!(
                anonymous.get(&path).await.status().is_redirection(),
                "anonymous reached {path}"
            );
        }
        anonymous
            .post(
                &format!("/verzoeken/{}/intrekken", r.reference),
                &[("zeker", "ja")],
            )
            .await;
        anonymous
            .post(
                &format!("/backoffice/verzoeken/{}/actie", r.reference),
                &[("versie", &r.version.to_string()), ("actie", "claim")],
            )
            .await;
    }
    assert!(anonymous.get("/verzoeken").await.status().is_redirection());
    assert_eq!(snapshot().await, before);

    // Staff by role: the privacy officer reads everything and changes nothing; an admin and a
    // member without a role see no requests at all.
    for (subject, reads) in [("mw-0004", true), ("mw-0005", false), ("mw-0099", false)] {
        let mut staff = app.browser();
        staff_login(&mut staff, subject, "none").await;
        let queue = staff
            .get("/backoffice/verzoeken")
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(queue.contains(&all[0].reference), reads, "{subject} queue");
        for r in &all {
            let page = staff
                .get(&format!("/backoffice/verzoeken/{}", r.reference))
                .await
                .text()
                .await
                .unwrap();
            assert_eq!(
                page.contains("data-testid=\"bsn\""),
                reads,
                "{subject} on {}",
                r.reference
            );
            for action in [
                "claim",
                "approve",
                "execute",
                "message",
                "note",
                "extend",
                "send_back",
                "send_answer",
            ] {
                staff
                    .post(
                        &format!("/backoffice/verzoeken/{}/actie", r.reference),
                        &[
                            ("versie", &r.version.to_string()),
                            ("actie", action),
                            ("bericht", "x"),
                            ("reden", "x"),
                        ],
                    )
                    .await;
            }
            staff
                .post(
                    &format!("/backoffice/verzoeken/{}/bsn", r.reference),
                    &[("reden", "nieuwsgierig")],
                )
                .await;
        }
    }
    assert_eq!(
        snapshot().await,
        before,
        "a read-only role changed a request"
    );
    app.finish().await;
}

db_test!(request_authorization, request_authorization_table);

/// Each step the citizen must hear about queues a mail in their language, in the transaction
/// of the step, with the reference and nothing personal.
async fn request_mails_go_through_the_outbox(app: TestApp) {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    use server::{
        entities::outbox_mails,
        identity::StaffRole::{Approver, Handler},
    };
    let vault = seed(&app).await;
    let kees = citizen_id(&app, &vault, KEES).await;
    server::entities::citizen_contacts::ActiveModel {
        citizen_id: Set(kees),
        email: Set(Some("kees@example.org".into())),
        verified_at: Set(Some(Utc::now())),
        pending_email: Set(None),
        code_hash: Set(None),
        code_expires_at: Set(None),
        code_attempts: Set(0),
        locale: Set("en".into()),
        updated_at: Set(Utc::now()),
        code_requests: Set(0),
        code_window_started_at: Set(None),
    }
    .insert(&app.db)
    .await
    .unwrap();
    let record = managed_record(&app, kees, "Schuldhulpverlening").await;
    let draft = Draft {
        for_child: None,
        kind: Kind::Erasure,
        all_data: false,
        items: vec![(record, None)],
        explanation: "Mijn dossier is gesloten, 691682483".into(),
    };
    let filing = requests::Filing {
        draft: &draft,
        token: "m",
        locale: "nl",
    };
    let reference = requests::submit(
        &app.db,
        &app.settings,
        kees,
        Visibility { health: true },
        &filing,
        Utc::now(),
    )
    .await
    .unwrap()
    .reference;
    let (eva, ingrid) = (
        staff(&app, "eva", &[Handler]).await,
        staff(&app, "ingrid", &[Approver]).await,
    );
    let steps = [
        (&eva, Command::Claim),
        (&eva, Command::AskInformation("Sinds wanneer?".into())),
    ];
    for (who, command) in steps {
        act_now(&app, who, &reference, command).await.unwrap();
    }
    requests::citizen_message(&app.db, kees, &reference, "Sinds maart.", Utc::now())
        .await
        .unwrap();
    let items = item_ids(&app, &reference).await;
    for (who, command) in [
        (
            &eva,
            Command::Extend("Nog navragen bij de Kredietbank.".into()),
        ),
        (&eva, Command::Message("Wij kijken ernaar.".into())),
        (&eva, Command::Decide(grant_all(&items), String::new())),
        (&ingrid, Command::Approve),
        (&eva, Command::Execute),
    ] {
        act_now(&app, who, &reference, command).await.unwrap();
    }
    let to_kees = outbox_mails::Entity::find()
        .filter(outbox_mails::Column::Recipient.eq("kees@example.org"))
        .all(&app.db)
        .await
        .unwrap();
    let kinds: Vec<&str> = to_kees.iter().map(|m| m.kind.as_str()).collect();
    for kind in [
        "request_received",
        "information_needed",
        "deadline_extended",
        "new_message",
        "decision_taken",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    for mail in &to_kees {
        assert_eq!(mail.locale, "en", "the citizen's language");
        let all = format!("{} {} {}", mail.subject, mail.text_body, mail.html_body);
        assert!(all.contains(&reference), "{}: the reference", mail.kind);
        for personal in [
            "691682483",
            "Kees",
            "Sinds maart",
            "Kredietbank",
            "Wij kijken ernaar",
            "dossier",
        ] {
            assert!(!all.contains(personal), "{} carries {personal}", mail.kind);
        }
    }
    let to_staff = outbox_mails::Entity::find()
        .filter(outbox_mails::Column::Kind.eq("staff_new_request"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(to_staff, app.settings.mail.staff_recipients.len() as u64);
    app.finish().await;
}

db_test!(request_mails, request_mails_go_through_the_outbox);

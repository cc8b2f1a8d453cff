//! Filing a request: over HTTP from the record that is wrong to the completed change the citizen
//! follows, and by a parent for a child whose authority staff must confirm first.

use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use server::{
    entities::{record_history, rights_requests},
    rights::requests::{self, Command, Draft},
};

use super::{managed_record, record_by_id, send_message, withdraw};
use crate::support::{
    TestApp,
    demo::{EVA, FATIMA, HANS, NOOR, PRIVACY_OFFICER, citizen_id, seed_demo},
    location,
    rights::{
        SEES_HEALTH, access_to_everything, act_in_turn, act_now, file, grant_all, input_value,
        item_ids, post_staff_action, receipt_reference, request_row, staff_act, staff_actor,
        status_of, submit_at,
    },
};

pub(super) async fn file_decide_and_follow_over_http(app: TestApp) {
    let vault = seed_demo(&app).await;
    let mut hans = app.citizen(HANS).await;

    // "Klopt dit niet?" on a record (of the managed Wmo system) starts the form with it chosen.
    let record_id = managed_record(&app, citizen_id(&app, &vault, HANS).await, "Wmo").await;
    let data = hans.get_text("/mijn-gegevens").await;
    assert!(data.contains(&format!(
        "/verzoeken/nieuw?soort=rectification&amp;gegeven={record_id}\""
    )));
    let form = hans
        .get_text(&format!(
            "/verzoeken/nieuw?soort=rectification&gegeven={record_id}"
        ))
        .await;
    assert!(
        form.contains(&format!("value=\"{record_id}\" checked")),
        "record preselected"
    );
    let token = input_value(&form, "token");

    // A rectification without the proposed value is refused with a clear message.
    let record = record_id.to_string();
    let proposal_field = format!("voorstel-{record_id}");
    let chosen = [
        ("stap", "controleren"),
        ("token", token.as_str()),
        ("soort", "rectification"),
        ("bereik", "gegevens"),
        ("gegeven", record.as_str()),
    ];
    let explanation = ("toelichting", "Het klopt niet.");
    let missing = hans
        .post("/verzoeken/nieuw", &[&chosen[..], &[explanation]].concat())
        .await;
    assert_eq!(location(&missing), "/verzoeken/nieuw");
    let page = hans.get_text("/verzoeken/nieuw").await;
    assert!(page.contains("Geef bij elk aangevinkt gegeven de juiste waarde op."));
    assert_eq!(app.count::<rights_requests::Entity>().await, 0);

    // Filled in, reviewed, sent.
    let proposal = (proposal_field.as_str(), "4 uur per week");
    hans.post(
        "/verzoeken/nieuw",
        &[&chosen[..], &[proposal, explanation]].concat(),
    )
    .await;
    let review = hans.get_text("/verzoeken/nieuw").await;
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
    let reference = receipt_reference(&receipt_url);
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
    assert_eq!(app.count::<rights_requests::Entity>().await, 1);
    let receipt = hans.get_text(&receipt_url).await;
    assert!(receipt.contains("Wij hebben uw verzoek ontvangen") && receipt.contains(&reference));
    let (status, _) = status_of(&app, &reference).await;
    assert_eq!(status, "submitted");

    // Another citizen sees nothing of it and cannot act on it.
    let mut fatima = app.citizen(FATIMA).await;
    let foreign = fatima.get_text(&format!("/verzoeken/{reference}")).await;
    assert!(
        foreign.contains("Dit verzoek bestaat niet, of het is niet van u.")
            && !foreign.contains("4 uur per week")
    );
    let withdrawn = withdraw(&mut fatima, &reference).await;
    assert_eq!(location(&withdrawn), "/verzoeken?melding=onbekend");
    let message = send_message(&mut fatima, &reference, "hallo").await;
    assert_eq!(location(&message), "/verzoeken?melding=onbekend");
    assert_eq!(status_of(&app, &reference).await.0, "submitted");
    // A citizen cannot use the back office's forms.
    let forged = post_staff_action(&mut fatima, &reference, 0, &[("actie", "claim")]).await;
    assert_eq!(location(&forged), "/?verlopen=1");
    assert_eq!(status_of(&app, &reference).await.0, "submitted");

    // The privacy officer reads but changes nothing.
    let mut officer = app.staff(PRIVACY_OFFICER).await;
    let queue = officer.get_text("/backoffice/verzoeken").await;
    assert!(queue.contains(&reference));
    let refused = staff_act(&mut officer, &app, &reference, &[("actie", "claim")]).await;
    assert!(refused.ends_with("melding=rol"), "{refused}");
    assert_eq!(status_of(&app, &reference).await.0, "submitted");

    // A handler takes it on, decides, and carries it out.
    let mut eva = app.staff(EVA).await;
    let detail = eva
        .get_text(&format!("/backoffice/verzoeken/{reference}"))
        .await;
    assert!(detail.contains("******869"), "BSN masked");
    // The citizen's own step is "de burger" to staff, not the citizen's "u".
    assert!(detail.contains("(<!>de burger<!>)"), "{detail}");
    assert!(!detail.contains("(<!>u<!>)"), "{detail}");
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
    let stale = post_staff_action(
        &mut eva,
        &reference,
        0,
        &[("actie", "note"), ("bericht", "x")],
    )
    .await;
    assert!(location(&stale).ends_with("melding=gewijzigd"));
    let detail = eva
        .get_text(&format!("/backoffice/verzoeken/{reference}"))
        .await;
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
    let late = withdraw(&mut hans, &reference).await;
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
            .get_text(&format!("/backoffice/verzoeken/{reference}"))
            .await;
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
    let record = record_by_id(&app, record_id).await.unwrap();
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
    let result = hans.get_text(&format!("/verzoeken/{reference}")).await;
    assert!(
        result.contains("Afgerond")
            && result.contains("Verbeterd; de oude waarde staat in de geschiedenis")
    );
    assert!(result.contains("In behandeling genomen") && result.contains("Besluit voorbereid"));
    assert!(!result.contains("Eva"), "no staff names for the citizen");
    assert!(result.contains("(<!>u<!>)") && !result.contains("de burger"));
    let usage = hans.get_text("/gebruik").await;
    assert!(usage.contains(&format!(
        "team Privacy, heeft uw gegevens ingezien voor verzoek {reference}"
    )));
    app.finish().await;
}

pub(super) async fn a_parent_files_for_a_child_and_staff_confirm_authority(app: TestApp) {
    use server::identity::StaffRole::Handler;
    let vault = seed_demo(&app).await;
    let (fatima, noor, hans) = (
        citizen_id(&app, &vault, FATIMA).await,
        citizen_id(&app, &vault, NOOR).await,
        citizen_id(&app, &vault, HANS).await,
    );
    let visibility = SEES_HEALTH;
    let draft = Draft {
        for_child: Some(noor),
        ..access_to_everything()
    };
    // Hans has no authority over Noor.
    let refused = submit_at(&app, hans, &draft, "h", Utc::now()).await;
    assert!(matches!(refused, Err(requests::RequestError::Invalid(_))));
    let reference = file(&app, fatima, &draft, "f").await;
    let row = request_row(&app, &reference).await;
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
    let eva = staff_actor(&app, "eva", &[Handler]).await;
    act_now(&app, &eva, &reference, Command::Claim)
        .await
        .unwrap();
    let items = item_ids(&app, &reference).await;
    let decide = || Command::Decide(grant_all(&items), String::new(), Default::default());
    assert!(matches!(
        act_now(&app, &eva, &reference, decide()).await,
        Err(requests::RequestError::Refused(
            server::rights::workflow::Refusal::AuthorityUnconfirmed
        ))
    ));
    act_in_turn(
        &app,
        &reference,
        [(&eva, Command::ConfirmAuthority), (&eva, decide())],
    )
    .await;
    assert_eq!(status_of(&app, &reference).await.0, "decided");

    // The form offers the child only to the parent.
    let mut parent = app.citizen(FATIMA).await;
    let form = parent
        .get_text(&format!("/verzoeken/nieuw?voor={noor}"))
        .await;
    assert!(form.contains("U dient dit verzoek in voor uw kind Noor el Amrani (12)"));
    let mut other = app.citizen(HANS).await;
    let form = other
        .get_text(&format!("/verzoeken/nieuw?voor={noor}"))
        .await;
    assert!(!form.contains("Noor"), "no one else's child");

    // While her authority holds, the parent follows the request; once it ends, the request is
    // gone for her in every view and action, as anyone else's is.
    let path = format!("/verzoeken/{reference}");
    assert_eq!(parent.get(&path).await.status(), reqwest::StatusCode::OK);
    use sea_orm::QueryFilter as _;
    server::entities::guardianships::Entity::delete_many()
        .filter(server::entities::guardianships::Column::ChildId.eq(noor))
        .exec(&app.db)
        .await
        .unwrap();
    assert_eq!(
        parent.get(&path).await.status(),
        reqwest::StatusCode::NOT_FOUND
    );
    let before = status_of(&app, &reference).await;
    assert_eq!(
        location(&send_message(&mut parent, &reference, "Hoe staat het?").await),
        "/verzoeken?melding=onbekend"
    );
    assert_eq!(
        location(&withdraw(&mut parent, &reference).await),
        "/verzoeken?melding=onbekend"
    );
    assert_eq!(status_of(&app, &reference).await, before);
    let (status, _) = parent.get_bytes(&format!("{path}/brief/besluit.pdf")).await;
    assert_eq!(status, reqwest::StatusCode::NOT_FOUND);
    app.finish().await;
}

/// Filing does a fixed, small number of statements whatever its scope: an erasure of "all my
/// data" for a citizen with 300 more records costs what a rectification of one record costs,
/// and every record still gets its item.
pub(super) async fn filing_takes_a_fixed_number_of_statements(app: TestApp) {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };

    use server::entities::request_items;
    use types::SourceMode;

    use crate::support::api::{Api, source_with_token};

    let vault = seed_demo(&app).await;
    let hans = citizen_id(&app, &vault, HANS).await;
    let source = source_with_token(&app, "Bulk", "Zorg", SourceMode::Managed, false).await;
    let items: Vec<serde_json::Value> = (0..300)
        .map(|n| {
            serde_json::json!({
                "source_record_id": format!("B{n}"),
                "bsn": HANS,
                "activity_code": "brp-basisgegevens",
                "category": "Adres",
                "label": format!("Adres {n}"),
                "value": format!("Straat {n}"),
                "recorded_at": "2026-03-01T09:00:00Z",
                "recorded_by": "Burgerzaken"
            })
        })
        .collect();
    let (status, body, _) = Api::new(&app)
        .post(
            "/records",
            Some(&source.token),
            &serde_json::json!({ "items": items }),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    let record = managed_record(&app, hans, "Bulk").await;

    let statements = Arc::new(AtomicUsize::new(0));
    let mut db = app.db.clone();
    let counter = statements.clone();
    db.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::Relaxed);
    });
    let file_counting = async |draft: Draft, token: &str| {
        statements.store(0, Ordering::Relaxed);
        let filing = requests::Filing {
            draft: &draft,
            token,
            locale: "nl",
            acting: None,
        };
        let submitted =
            requests::submit(&db, &app.settings, hans, SEES_HEALTH, &filing, Utc::now())
                .await
                .unwrap();
        (submitted.reference, statements.load(Ordering::Relaxed))
    };
    let (_, one) = file_counting(
        Draft {
            kind: requests::Kind::Rectification,
            for_child: None,
            all_data: false,
            items: vec![(record, Some("Andere straat 1".to_owned()))],
            explanation: String::new(),
        },
        "een-gegeven",
    )
    .await;
    let (everything, all) = file_counting(
        Draft {
            kind: requests::Kind::Erasure,
            for_child: None,
            all_data: true,
            items: Vec::new(),
            explanation: String::new(),
        },
        "alles-wissen",
    )
    .await;
    assert!(one > 0, "the callback counts statements");
    assert_eq!(all, one, "300 records in scope cost no extra statements");
    assert!(one <= 14, "filing took {one} statements");
    let request = request_row(&app, &everything).await;
    let items = request_items::Entity::find()
        .filter(request_items::Column::RequestId.eq(request.id))
        .all(&app.db)
        .await
        .unwrap();
    assert!(items.len() > 300, "{} items", items.len());
}

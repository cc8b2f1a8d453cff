//! Leaving records out of an access answer is a refusal in effect (issue 13): it is part of the
//! decision, needs a ground from the list and a note, and an approver other than the handler;
//! the answer leaves out exactly what was approved and says, per record, what kind of record it
//! was and why.

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use server::{
    entities::{access_answers, personal_data_records, request_items, request_leave_outs},
    rights::{
        requests::{Command, LeaveOutDecision, RequestError},
        workflow::Refusal,
    },
};
use types::RefusalGround;

use crate::{
    documents::{page_text, pdf_text},
    support::{
        TestApp,
        demo::{EVA, HANS, SANNE, citizen_id, seed_demo},
        rights::{
            access_to_everything, act_in_turn, act_now, file, grant_all, item_ids, request_row,
            staff_act, staff_actor, status_of,
        },
    },
};

/// The approver of the demo municipality (Ingrid Mulder).
const INGRID: &str = "mw-0003";

const NOTE: &str = "Het verslag gaat ook over uw buurman.";

/// The citizen's first record: one the answer to "everything" shows.
async fn first_record(app: &TestApp, citizen: i64) -> personal_data_records::Model {
    personal_data_records::Entity::find()
        .filter(personal_data_records::Column::CitizenId.eq(citizen))
        .order_by_asc(personal_data_records::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("the citizen has data")
}

/// A decision granting everything and leaving `record` out on Art. 15(4).
async fn grant_leaving_out(app: &TestApp, reference: &str, record: i64) -> Command {
    Command::Decide(
        grant_all(&item_ids(app, reference).await),
        String::new(),
        LeaveOutDecision {
            records: vec![record],
            ground: Some(RefusalGround::OthersRights),
            note: NOTE.to_owned(),
        },
    )
}

/// What a refused step must have left alone: status, version, decisions, leave-outs, answers.
async fn untouched(app: &TestApp, reference: &str) -> (String, i32, usize, usize, usize) {
    let (status, version) = status_of(app, reference).await;
    let decided = app
        .all::<request_items::Entity>()
        .await
        .into_iter()
        .filter(|i| i.decision.is_some())
        .count();
    (
        status,
        version,
        decided,
        app.count::<request_leave_outs::Entity>().await as usize,
        app.count::<access_answers::Entity>().await as usize,
    )
}

pub(super) async fn leaving_out_without_a_ground_is_refused_and_changes_nothing(app: TestApp) {
    use server::identity::StaffRole::Handler;
    let vault = seed_demo(&app).await;
    let hans = citizen_id(&app, &vault, HANS).await;
    let sanne = citizen_id(&app, &vault, SANNE).await;
    let reference = file(&app, hans, &access_to_everything(), "weglaten-1").await;
    let eva = staff_actor(&app, EVA, &[Handler]).await;
    act_now(&app, &eva, &reference, Command::Claim)
        .await
        .unwrap();
    let record = first_record(&app, hans).await;
    let item = item_ids(&app, &reference).await[0];

    // The handler picks what to leave out on the decision form, from the answer's preview.
    let mut browser = app.staff(EVA).await;
    let page = browser
        .get_text(&format!("/backoffice/verzoeken/{reference}"))
        .await;
    assert!(
        page.contains("data-testid=\"leave-out\""),
        "no leave-out fields"
    );
    assert!(
        page.contains(&format!(
            "name=\"weglaten\" id=\"weglaten-{}\" value=\"{}\" form=\"form-decide\"",
            record.id, record.id
        )),
        "no checkbox for record {} on the decision form",
        record.id
    );

    let before = untouched(&app, &reference).await;
    let choice = format!("besluit-{item}");
    let id = record.id.to_string();
    let others = first_record(&app, sanne).await.id.to_string();
    let decide = |ground: &str, note: &str, record: &str| {
        [
            ("actie".to_owned(), "decide".to_owned()),
            (choice.clone(), "toekennen".to_owned()),
            ("weglaten".to_owned(), record.to_owned()),
            ("weglaten_grond".to_owned(), ground.to_owned()),
            ("weglaten_toelichting".to_owned(), note.to_owned()),
        ]
    };
    let too_long = "x".repeat(server::rights::requests::MAX_TEXT + 1);
    for (form, notice) in [
        // No ground, a ground that is not one for leaving out, one not in the list, no note.
        (decide("", NOTE, &id), "weglaten-grond"),
        (decide("art17_3_b", NOTE, &id), "weglaten-grond"),
        (decide("buurman", NOTE, &id), "weglaten-grond"),
        (decide("art15_4", "  ", &id), "weglaten-grond"),
        // A note longer than any text field may be, or another citizen's record (not this
        // answer's to leave out), or a record that is no number.
        (decide("art15_4", &too_long, &id), "ongeldig"),
        (decide("art15_4", NOTE, &others), "ongeldig"),
        (decide("art15_4", NOTE, "de-buurman"), "ongeldig"),
    ] {
        let fields: Vec<(&str, &str)> =
            form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let to = staff_act(&mut browser, &app, &reference, &fields).await;
        assert!(
            to.ends_with(&format!("?melding={notice}")),
            "{fields:?}: {to}"
        );
        assert_eq!(untouched(&app, &reference).await, before, "{fields:?}");
    }
    // The refusal is explained in Dutch on the page it leads to.
    let shown = page_text(
        &browser
            .get_text(&format!(
                "/backoffice/verzoeken/{reference}?melding=weglaten-grond"
            ))
            .await,
    );
    assert!(
        shown.contains("Gegevens weglaten uit het antwoord kan alleen met een grond uit de lijst"),
        "{shown}"
    );

    // With a ground from the list and a note, the decision goes to the approver, not out.
    let fields = decide("art15_4", NOTE, &id);
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let to = staff_act(&mut browser, &app, &reference, &fields).await;
    assert!(to.ends_with("?melding=opgeslagen"), "{to}");
    assert_eq!(status_of(&app, &reference).await.0, "awaiting_approval");
    let stored = app.all::<request_leave_outs::Entity>().await;
    assert_eq!(stored.len(), 1);
    assert_eq!(
        (
            stored[0].record_id,
            stored[0].ground,
            stored[0].note.as_str()
        ),
        (record.id, RefusalGround::OthersRights, NOTE)
    );
    app.finish().await;
}

pub(super) async fn leaving_out_needs_another_approver_before_the_answer_goes_out(app: TestApp) {
    use server::identity::StaffRole::{Approver, Handler};
    let vault = seed_demo(&app).await;
    let hans = citizen_id(&app, &vault, HANS).await;
    let record = first_record(&app, hans).await;
    let id = record.id.to_string();
    let eva = staff_actor(&app, EVA, &[Handler, Approver]).await;
    let ingrid = staff_actor(&app, INGRID, &[Approver]).await;
    let mut eva_browser = app.staff(EVA).await;

    // The old way round: a decision that leaves nothing out is granted without an approver;
    // ticking records on the send form does not leave them out, it is refused.
    let plain = file(&app, hans, &access_to_everything(), "weglaten-2a").await;
    act_now(&app, &eva, &plain, Command::Claim).await.unwrap();
    let items = item_ids(&app, &plain).await;
    let nothing_left_out = Command::Decide(grant_all(&items), String::new(), Default::default());
    act_now(&app, &eva, &plain, nothing_left_out).await.unwrap();
    assert_eq!(status_of(&app, &plain).await.0, "decided");
    let before = status_of(&app, &plain).await;
    let to = staff_act(
        &mut eva_browser,
        &app,
        &plain,
        &[
            ("actie", "send_answer"),
            ("weglaten", &id),
            ("weglaten_toelichting", NOTE),
        ],
    )
    .await;
    assert!(to.ends_with("?melding=weglaten-niet-goedgekeurd"), "{to}");
    assert_eq!(status_of(&app, &plain).await, before);
    assert_eq!(app.count::<access_answers::Entity>().await, 0);

    // Leaving out with a ground waits for the approver.
    let reference = file(&app, hans, &access_to_everything(), "weglaten-2b").await;
    act_now(&app, &eva, &reference, Command::Claim)
        .await
        .unwrap();
    let decide = grant_leaving_out(&app, &reference, record.id).await;
    act_now(&app, &eva, &reference, decide).await.unwrap();
    assert_eq!(status_of(&app, &reference).await.0, "awaiting_approval");
    let send = || Command::SendAnswer {
        left_out: vec![record.id],
    };
    assert!(matches!(
        act_now(&app, &eva, &reference, send()).await,
        Err(RequestError::Refused(Refusal::WrongStatus))
    ));
    // Not by the handler who decided, even with the approver role.
    assert!(matches!(
        act_now(&app, &eva, &reference, Command::Approve).await,
        Err(RequestError::Refused(Refusal::OwnDecision))
    ));
    assert_eq!(status_of(&app, &reference).await.0, "awaiting_approval");
    assert_eq!(app.count::<access_answers::Entity>().await, 0);

    // The approver sees what is left out, on which ground and why, before approving.
    let mut ingrid_browser = app.staff(INGRID).await;
    let page = ingrid_browser
        .get_text(&format!("/backoffice/verzoeken/{reference}"))
        .await;
    let approving = page_text(
        page.split("data-testid=\"approve-leave-outs\"")
            .nth(1)
            .expect("the approve form lists the leave-outs")
            .split("</form>")
            .next()
            .unwrap(),
    );
    for words in [record.label.as_str(), "artikel 15, lid 4 AVG", NOTE] {
        assert!(approving.contains(words), "{words:?} not in {approving}");
    }
    act_now(&app, &ingrid, &reference, Command::Approve)
        .await
        .unwrap();
    assert_eq!(status_of(&app, &reference).await.0, "decided");

    // Sending leaves out exactly what was approved: less or more is refused and sends nothing.
    let other = personal_data_records::Entity::find()
        .filter(personal_data_records::Column::CitizenId.eq(hans))
        .filter(personal_data_records::Column::Id.ne(record.id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    for left_out in [Vec::new(), vec![record.id, other.id], vec![other.id]] {
        let before = status_of(&app, &reference).await;
        let refused = act_now(&app, &eva, &reference, Command::SendAnswer { left_out }).await;
        assert!(
            matches!(refused, Err(RequestError::LeaveOutNotApproved)),
            "{refused:?}"
        );
        assert_eq!(status_of(&app, &reference).await, before);
        assert_eq!(app.count::<access_answers::Entity>().await, 0);
    }
    // The send form repeats the approved ids: as the page has it, it goes out.
    let page = eva_browser
        .get_text(&format!("/backoffice/verzoeken/{reference}"))
        .await;
    assert!(
        page.contains(&format!("type=\"hidden\" name=\"weglaten\" value=\"{id}\"")),
        "the send form repeats the approved leave-out"
    );
    assert!(page.contains("data-testid=\"send-leave-outs\""));
    let to = staff_act(
        &mut eva_browser,
        &app,
        &reference,
        &[("actie", "send_answer"), ("weglaten", &id)],
    )
    .await;
    assert!(to.ends_with("?melding=opgeslagen"), "{to}");
    assert_eq!(status_of(&app, &reference).await.0, "completed");
    let request = request_row(&app, &reference).await;
    assert_eq!(
        (request.decided_by, request.approved_by),
        (Some(eva.id), Some(ingrid.id))
    );
    let answer = server::rights::answers::sent(&app.db, request.id)
        .await
        .unwrap()
        .expect("the answer went out");
    let ids: Vec<i64> = answer.left_out_items.iter().map(|i| i.id).collect();
    assert_eq!(ids, vec![record.id]);
    app.finish().await;
}

pub(super) async fn the_answer_names_what_was_left_out_and_why(app: TestApp) {
    use server::identity::StaffRole::{Approver, Handler};
    let vault = seed_demo(&app).await;
    let hans = citizen_id(&app, &vault, HANS).await;
    let record = first_record(&app, hans).await;
    let reference = file(&app, hans, &access_to_everything(), "weglaten-3").await;
    let eva = staff_actor(&app, EVA, &[Handler]).await;
    let ingrid = staff_actor(&app, INGRID, &[Approver]).await;
    act_now(&app, &eva, &reference, Command::Claim)
        .await
        .unwrap();
    let decide = grant_leaving_out(&app, &reference, record.id).await;
    act_in_turn(
        &app,
        &reference,
        [
            (&eva, decide),
            (&ingrid, Command::Approve),
            (&eva, Command::Execute),
        ],
    )
    .await;
    assert_eq!(status_of(&app, &reference).await.0, "completed");

    // JSON: per left-out record what kind it was, the ground in words and the note; not the
    // record itself.
    let mut browser = app.citizen(HANS).await;
    let (status, json) = browser
        .get_bytes(&format!("/verzoeken/{reference}/antwoord.json"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let answer: app::models::AccessAnswerView = serde_json::from_slice(&json).unwrap();
    assert_eq!(answer.left_out, 1);
    let left = &answer.left_out_items[0];
    assert_eq!(
        (left.id, left.label.as_str(), left.category.as_str()),
        (record.id, record.label.as_str(), record.category.as_str())
    );
    assert_eq!(left.ground, RefusalGround::OthersRights);
    assert!(
        left.ground_text.contains("rechten en vrijheden") && left.ground_text.contains("15"),
        "{left:?}"
    );
    assert_eq!(left.note, NOTE);
    assert!(
        answer
            .domains
            .iter()
            .flat_map(|d| &d.activities)
            .flat_map(|a| &a.data)
            .all(|i| i.id != record.id),
        "the left-out record is in the answer"
    );
    let raw: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(raw["left_out_items"][0]["ground"], "art15_4");

    // HTML: the same, in a section of its own.
    let html = browser
        .get_text(&format!("/verzoeken/{reference}/antwoord"))
        .await;
    assert!(html.contains("data-testid=\"left-out-item\""));
    let html = page_text(&html);
    for words in [
        "Gegevens die niet in dit antwoord staan",
        record.label.as_str(),
        record.category.as_str(),
        "artikel 15, lid 4 AVG",
        NOTE,
    ] {
        assert!(html.contains(words), "page lacks {words:?}: {html}");
    }

    // PDF, in Dutch and in English.
    for (taal, ground) in [
        ("nl", "artikel 15, lid 4 AVG"),
        ("en", "Article 15(4) GDPR"),
    ] {
        let (status, pdf) = browser
            .get_bytes(&format!("/verzoeken/{reference}/antwoord.pdf?taal={taal}"))
            .await;
        assert_eq!(status, StatusCode::OK);
        let text = pdf_text(&pdf);
        for words in [record.label.as_str(), ground, NOTE] {
            assert!(
                text.contains(&crate::documents::collapse(words)),
                "{taal} PDF lacks {words:?}: {text}"
            );
        }
    }

    // The decision letter says so too: a partial refusal, which record and why.
    let letter = page_text(
        &browser
            .get_text(&format!("/verzoeken/{reference}/besluit"))
            .await,
    );
    for words in [
        "Sommige gegevens hebben wij niet in het antwoord opgenomen",
        "Niet in het antwoord",
        record.label.as_str(),
        "artikel 15, lid 4 AVG",
        NOTE,
    ] {
        assert!(letter.contains(words), "letter lacks {words:?}: {letter}");
    }
    let (status, pdf) = browser
        .get_bytes(&format!("/verzoeken/{reference}/brief/besluit.pdf"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let text = pdf_text(&pdf);
    assert!(
        text.contains(&crate::documents::collapse(&record.label)),
        "letter PDF lacks the record: {text}"
    );
    app.finish().await;
}

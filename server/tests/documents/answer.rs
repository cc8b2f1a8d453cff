//! The access answer: blocked while the register misses a fact, then the same facts as page, PDF
//! and JSON, with the decision letter, for the citizen only and only at the level health data needs.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use server::{
    entities::{access_answers, personal_data_records},
    rights::requests::{Command, LeaveOutDecision},
    sources::ingest::{ActivityInput, SourceContext},
};
use types::{RefusalGround, Status};

use super::{collapse, page_text, pdf_text};
use crate::support::{
    TestApp,
    demo::{EVA, HANS, SANNE, citizen_id, seed_demo},
    location,
    rights::{
        act_in_turn, act_now, grant_all, input_value, item_ids, post_staff_action,
        receipt_reference, request_row, staff_actor,
    },
};

/// The demo register with one change, to make it miss a fact the answer needs.
fn register_with(change: impl Fn(&mut ActivityInput)) -> Vec<ActivityInput> {
    let mut register = server::dev::demo::register();
    register.iter_mut().for_each(change);
    register
}

/// Replaces the register through the ingest service, as the register's admin source would.
async fn put_register(app: &TestApp, register: &[ActivityInput]) {
    let id = server::sources::systems::ensure_source(
        &app.db,
        "Register",
        "Privacy en Informatiebeheer",
        server::sources::systems::SourceMode::Managed,
    )
    .await
    .unwrap();
    let admin = SourceContext {
        id,
        name: "Register".to_owned(),
        is_admin: true,
    };
    server::sources::ingest::upsert_activities(&app.db, &admin, register)
        .await
        .unwrap();
}

pub(super) async fn access_answer_page_pdf_and_json(app: TestApp) {
    use server::identity::StaffRole::{Approver, Handler};
    let vault = seed_demo(&app).await;
    let hans_id = citizen_id(&app, &vault, HANS).await;

    // Hans asks for access to everything.
    let mut hans = app.citizen(HANS).await;
    let token = input_value(&hans.get_text("/verzoeken/nieuw").await, "token");
    hans.post(
        "/verzoeken/nieuw",
        &[
            ("stap", "controleren"),
            ("token", &token),
            ("soort", "access"),
            ("bereik", "alles"),
            ("toelichting", ""),
        ],
    )
    .await;
    let sent = hans
        .post(
            "/verzoeken/nieuw",
            &[("stap", "indienen"), ("token", &token)],
        )
        .await;
    let reference = receipt_reference(&location(&sent));
    assert!(reference.starts_with("AVG-"), "{reference}");

    // The handler claims and grants it, leaving one record out (third parties' data) on a
    // ground with a note, and an approver approves that (the service, as the HTTP forms are
    // tested elsewhere).
    let eva = staff_actor(&app, EVA, &[Handler]).await;
    let ingrid = staff_actor(&app, "mw-0003", &[Approver]).await;
    let left_out = personal_data_records::Entity::find()
        .filter(personal_data_records::Column::CitizenId.eq(hans_id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let left_out_id = left_out.id.to_string();
    act_now(&app, &eva, &reference, Command::Claim)
        .await
        .unwrap();
    let items = item_ids(&app, &reference).await;
    let decide = Command::Decide(
        grant_all(&items),
        String::new(),
        LeaveOutDecision {
            records: vec![left_out.id],
            ground: Some(RefusalGround::OthersRights),
            note: "Gaat over de buurman".to_owned(),
        },
    );
    act_in_turn(
        &app,
        &reference,
        [(&eva, decide), (&ingrid, Command::Approve)],
    )
    .await;

    // The register loses the recipient categories of one of Hans's activities: the preview
    // names the gap and sending is refused, changing nothing.
    put_register(
        &app,
        &register_with(|a| {
            if a.code == "wmo-huishoudelijke-hulp" {
                a.recipient_categories.clear();
            }
        }),
    )
    .await;
    let mut staff = app.staff(EVA).await;
    let page = staff
        .get_text(&format!("/backoffice/verzoeken/{reference}"))
        .await;
    assert!(
        page.contains("data-testid=\"answer-missing\""),
        "gate shown"
    );
    assert!(
        page_text(&page).contains("(c) Ontvangers ontbreekt bij: Hulp bij het huishouden (Wmo)"),
        "{}",
        page_text(&page)
    );
    let before = request_row(&app, &reference).await;
    // The same version is sent each time below: a refused step must not have moved it on.
    let refused = post_staff_action(
        &mut staff,
        &reference,
        before.version,
        &[("actie", "send_answer"), ("weglaten", &left_out_id)],
    )
    .await;
    assert!(
        location(&refused).ends_with("?melding=antwoord-onvolledig"),
        "{}",
        location(&refused)
    );
    let after = request_row(&app, &reference).await;
    assert_eq!(
        (after.status.as_str(), after.version),
        ("decided", before.version)
    );
    assert_eq!(app.count::<access_answers::Entity>().await, 0);
    assert_eq!(
        hans.get(&format!("/verzoeken/{reference}/antwoord.json"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // Complete again: the answer goes out, leaving out exactly the approved record; without
    // it, sending is refused.
    put_register(&app, &server::dev::demo::register()).await;
    let not_approved = post_staff_action(
        &mut staff,
        &reference,
        before.version,
        &[("actie", "send_answer")],
    )
    .await;
    assert!(location(&not_approved).ends_with("?melding=weglaten-niet-goedgekeurd"));
    let sent = post_staff_action(
        &mut staff,
        &reference,
        before.version,
        &[("actie", "send_answer"), ("weglaten", &left_out_id)],
    )
    .await;
    assert!(
        !location(&sent).contains("melding=antwoord"),
        "{}",
        location(&sent)
    );
    assert_eq!(
        request_row(&app, &reference).await.status,
        Status::Completed
    );

    // The citizen reads it as a page, a PDF and JSON: the same facts in all three.
    let detail = hans.get_text(&format!("/verzoeken/{reference}")).await;
    assert!(detail.contains("data-testid=\"answer-links\""));
    assert!(detail.contains("data-testid=\"letter-besluit\""));
    let (status, json) = hans
        .get_bytes(&format!("/verzoeken/{reference}/antwoord.json"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let answer: app::models::AccessAnswerView = serde_json::from_slice(&json).unwrap();
    let html = page_text(
        &hans
            .get_text(&format!("/verzoeken/{reference}/antwoord"))
            .await,
    );
    let (status, pdf) = hans
        .get_bytes(&format!("/verzoeken/{reference}/antwoord.pdf"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let pdf = pdf_text(&pdf);
    assert_eq!(answer.left_out, 1);
    assert!(html.contains("Gaat over de buurman") && pdf.contains("Gaat over de buurman"));
    assert!(html.contains(&collapse(&left_out.label)) && pdf.contains(&collapse(&left_out.label)));
    let mut facts: Vec<String> = vec![
        answer.rights.clone(),
        answer.complaint.clone(),
        answer.fee.clone(),
    ];
    let mut values = BTreeSet::new();
    assert!(!answer.domains.is_empty());
    for activity in answer.domains.iter().flat_map(|d| &d.activities) {
        // (a)–(h), every one present.
        for fact in [
            &activity.purpose,
            &activity.legal_basis,
            &activity.retention,
            &activity.source,
            &activity.automated_decision,
        ] {
            assert!(!fact.is_empty(), "{activity:?}");
        }
        assert!(!activity.categories.is_empty() && !activity.recipient_categories.is_empty());
        facts.push(activity.name.clone());
        facts.push(activity.purpose.clone());
        facts.push(activity.retention.clone());
        facts.push(activity.source.clone());
        facts.push(activity.automated_decision.clone());
        facts.extend(activity.categories.iter().cloned());
        facts.extend(activity.recipient_categories.iter().cloned());
        facts.extend(activity.disclosures.iter().map(|d| d.recipient.clone()));
        for item in &activity.data {
            assert_ne!(item.id, left_out.id, "left-out record in the answer");
            facts.push(item.label.clone());
            values.insert(item.value.clone());
        }
    }
    facts.extend(values);
    for fact in &facts {
        let fact = collapse(fact);
        assert!(html.contains(&fact), "page lacks {fact:?}");
        assert!(pdf.contains(&fact), "PDF lacks {fact:?}:\n{pdf}");
    }
    assert!(!html.contains(&collapse(&left_out.value)) || facts.contains(&left_out.value));

    // The decision letter of this access request, in both languages.
    for (taal, words) in [
        (
            "nl",
            [
                "artikel 15",
                "zes weken",
                "bezwaar",
                "Autoriteit Persoonsgegevens",
            ],
        ),
        (
            "en",
            [
                "Article 15",
                "six weeks",
                "objection",
                "Autoriteit Persoonsgegevens",
            ],
        ),
    ] {
        let (status, bytes) = hans
            .get_bytes(&format!(
                "/verzoeken/{reference}/brief/besluit.pdf?taal={taal}"
            ))
            .await;
        assert_eq!(status, StatusCode::OK);
        let text = pdf_text(&bytes);
        for word in words {
            assert!(text.contains(word), "{taal} letter lacks {word}: {text}");
        }
    }
    let letter = page_text(
        &hans
            .get_text(&format!("/verzoeken/{reference}/besluit"))
            .await,
    );
    assert!(letter.contains("zes weken") && letter.contains("Autoriteit Persoonsgegevens"));

    // Health data waits for the login level it needs, in the answer as everywhere.
    let mut hans_midden = app.citizen_at(HANS, "midden").await;
    assert_eq!(
        hans_midden
            .get(&format!("/verzoeken/{reference}/antwoord.json"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let low = hans_midden
        .get_text(&format!("/verzoeken/{reference}/antwoord"))
        .await;
    assert!(low.contains("data-testid=\"answer-unavailable\""));

    // Nobody else gets any of it.
    let mut sanne = app.citizen(SANNE).await;
    for path in [
        format!("/verzoeken/{reference}/antwoord.json"),
        format!("/verzoeken/{reference}/antwoord.pdf"),
        format!("/verzoeken/{reference}/brief/besluit.pdf"),
    ] {
        assert_eq!(
            sanne.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let other = sanne
        .get_text(&format!("/verzoeken/{reference}/antwoord"))
        .await;
    assert!(other.contains("data-testid=\"answer-unavailable\""));
    assert!(!other.contains(&answer.domains[0].activities[0].purpose));
    let mut anonymous = app.browser();
    let response = anonymous
        .get(&format!("/verzoeken/{reference}/antwoord.pdf"))
        .await;
    assert!(response.status().is_redirection() || response.status() == StatusCode::UNAUTHORIZED);
    app.finish().await;
}

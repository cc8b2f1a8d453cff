//! The decision letters: every demo outcome and a partly granted one, in both languages, as
//! PDFs poppler renders, with the legal ground and the objection and complaint routes.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use server::entities::rights_requests;
use types::{Kind, LetterOutcome, RefusalGround};

use super::{collapse, pdf_text};
use crate::support::{
    TestApp,
    demo::{ADMIN, EVA, seed_demo_with_requests},
};

/// Every letter of every demo request, in both languages: a PDF poppler renders, with the
/// legal ground, the bezwaar route and the complaint route in its text.
pub(super) async fn every_demo_letter_renders_with_its_routes(app: TestApp) {
    seed_demo_with_requests(&app).await;
    let mut staff = app.staff(EVA).await;
    let mut outcomes = BTreeSet::new();
    for request in app.all::<rights_requests::Entity>().await {
        let facts = server::rights::letters::facts(&app.db, &request)
            .await
            .unwrap();
        for kind in server::rights::letters::available(&request) {
            for (taal, words) in [
                (
                    "nl",
                    [
                        "zes weken",
                        "bezwaar",
                        "Autoriteit Persoonsgegevens",
                        "artikel",
                    ],
                ),
                (
                    "en",
                    [
                        "six weeks",
                        "objection",
                        "Autoriteit Persoonsgegevens",
                        "Article",
                    ],
                ),
            ] {
                let letter = server::rights::letters::letter(
                    app::i18n::Locale::parse(taal),
                    &app.settings.municipality_name,
                    &facts,
                    kind,
                )
                .expect("an available letter exists");
                outcomes.insert(letter.outcome);
                let (status, bytes) = staff
                    .get_bytes(&format!(
                        "/backoffice/verzoeken/{}/brief/{kind}.pdf?taal={taal}",
                        request.reference
                    ))
                    .await;
                assert_eq!(status, StatusCode::OK, "{} {kind}", request.reference);
                let text = pdf_text(&bytes);
                for word in words {
                    assert!(
                        text.contains(word),
                        "{} {kind} {taal} lacks {word}: {text}",
                        request.reference
                    );
                }
                assert!(text.contains(&collapse(&letter.legal_ground)), "{text}");
                for item in &letter.items {
                    assert!(text.contains(&collapse(&item.reasons)), "{text}");
                }
            }
        }
    }
    for outcome in [
        LetterOutcome::Granted,
        LetterOutcome::Refused,
        LetterOutcome::Extended,
    ] {
        assert!(
            outcomes.contains(&outcome),
            "demo lacks a {outcome} letter: {outcomes:?}"
        );
    }
    // The demo has no partly granted request: that letter is made from facts of its own.
    let partly = server::rights::letters::LetterFacts {
        reference: "AVG-2026-000099".to_owned(),
        kind: Kind::Erasure,
        received_on: chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        extended_to: None,
        extension_reason: None,
        extended_on: None,
        decided_on: chrono::NaiveDate::from_ymd_opt(2026, 3, 20),
        items: vec![
            server::rights::letters::DecidedItem {
                special: false,
                label: "Telefoonnummer".to_owned(),
                granted: true,
                ground: None,
                note: None,
            },
            server::rights::letters::DecidedItem {
                special: false,
                label: "Verslag jeugdhulp".to_owned(),
                granted: false,
                ground: Some(RefusalGround::Archiving),
                note: Some("De Jeugdwet schrijft twintig jaar bewaren voor.".to_owned()),
            },
        ],
        decision_note: None,
        left_out: Vec::new(),
    };
    for (l, words) in [
        (
            app::i18n::Locale::Nl,
            [
                "zes weken",
                "bezwaar",
                "Autoriteit Persoonsgegevens",
                "artikel 17",
            ],
        ),
        (
            app::i18n::Locale::En,
            [
                "six weeks",
                "objection",
                "Autoriteit Persoonsgegevens",
                "Article 17",
            ],
        ),
    ] {
        let letter = server::rights::letters::decision(l, "Voorbeeldstad", &partly).unwrap();
        assert_eq!(letter.outcome, LetterOutcome::PartlyGranted);
        let text = pdf_text(&server::platform::pdf::letter(&letter).unwrap());
        for word in words {
            assert!(text.contains(word), "{l:?} lacks {word}: {text}");
        }
        assert!(
            text.contains("Verslag jeugdhulp") && text.contains("twintig jaar"),
            "{text}"
        );
    }
    // A staff member without a reading role gets no letter.
    let mut admin = app.staff(ADMIN).await;
    let any = rights_requests::Entity::find()
        .filter(rights_requests::Column::Status.eq("completed"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        admin
            .get(&format!(
                "/backoffice/verzoeken/{}/brief/besluit.pdf",
                any.reference
            ))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    app.finish().await;
}

/// A request about a health record, filed at Substantieel: at a Midden login the request page
/// and its decision letter say that there is a health item, never what it is.
pub(super) async fn health_items_and_their_letters_follow_the_login_level(app: TestApp) {
    use crate::support::{
        demo::{HANS, citizen_id, seed_demo},
        rights::{claim_and_grant, draft, file, staff_actor},
    };
    let vault = seed_demo(&app).await;
    let hans = citizen_id(&app, &vault, HANS).await;
    let record = server::entities::personal_data_records::Entity::find()
        .filter(server::entities::personal_data_records::Column::CitizenId.eq(hans))
        .filter(server::entities::personal_data_records::Column::SpecialCategory.eq(true))
        .one(&app.db)
        .await
        .unwrap()
        .expect("Hans has health data");
    let request = draft(
        Kind::Rectification,
        vec![(record.id, Some("Gecorrigeerd verslag".into()))],
    );
    let reference = file(&app, hans, &request, "t-health").await;
    let eva = staff_actor(&app, "eva", &[server::identity::StaffRole::Handler]).await;
    claim_and_grant(&app, &eva, &reference).await;

    let withheld_item = "Een gegeven over uw gezondheid: log in met DigiD Substantieel of Hoog";
    let withheld_letter = "Een gegeven over uw gezondheid (te lezen als u inlogt";
    let mut midden = app.citizen_at(HANS, "midden").await;
    let page = midden.get_text(&format!("/verzoeken/{reference}")).await;
    assert!(page.contains(withheld_item), "{page}");
    assert!(!page.contains(&record.label) && !page.contains("Gecorrigeerd verslag"));
    let letter = midden
        .get_text(&format!("/verzoeken/{reference}/besluit"))
        .await;
    assert!(letter.contains(withheld_letter), "{letter}");
    assert!(!letter.contains(&record.label));
    let (status, pdf) = midden
        .get_bytes(&format!("/verzoeken/{reference}/brief/besluit.pdf"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let text = pdf_text(&pdf);
    assert!(!text.contains(&collapse(&record.label)), "{text}");

    let mut substantieel = app.citizen(HANS).await;
    let page = substantieel
        .get_text(&format!("/verzoeken/{reference}"))
        .await;
    assert!(page.contains(&record.label) && !page.contains(withheld_item));
    let letter = substantieel
        .get_text(&format!("/verzoeken/{reference}/besluit"))
        .await;
    assert!(letter.contains(&record.label));
    app.finish().await;
}

//! The access answer (page, PDF, JSON: the same facts, (a)–(h) present, blocked while the
//! register misses one), the decision letters of every demo outcome in both languages as PDFs
//! that poppler renders and reads, and the privacy officer's oversight with its CSV exports.

use std::collections::BTreeSet;

use types::{
    DeadlineState, DisclosureProblem, Kind, LetterOutcome, OversightTable, RefusalGround, Status,
};

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use server::{
    entities::{access_answers, personal_data_records, rights_requests},
    rights::requests::{Command, ItemDecision},
    sources::ingest::{ActivityInput, SourceContext},
};

use crate::{
    db_test,
    support::{Browser, Login, TestApp, citizen_login, location, staff_login},
};

const HANS: &str = "162275869";

/// Text of a PDF as poppler reads it, whitespace collapsed; panics unless poppler also renders
/// its first page to an image (a PDF a viewer cannot open fails here).
fn pdf_text(bytes: &[u8]) -> String {
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.pdf");
    std::fs::write(&file, bytes).unwrap();
    let render = std::process::Command::new("pdftoppm")
        .args(["-r", "40", "-png", "-f", "1", "-l", "1"])
        .arg(&file)
        .arg(dir.path().join("page"))
        .output()
        .expect("pdftoppm (poppler-utils) is installed by .ci/setup");
    assert!(render.status.success(), "pdftoppm: {render:?}");
    let png = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .find(|e| e.path().extension().is_some_and(|x| x == "png"))
        .expect("a rendered page");
    assert!(std::fs::metadata(png.path()).unwrap().len() > 1000);
    let text = std::process::Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext");
    assert!(text.status.success(), "pdftotext: {text:?}");
    collapse(&String::from_utf8_lossy(&text.stdout))
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Page text as a reader sees it: tags dropped, entities decoded, whitespace collapsed.
fn page_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    collapse(
        &out.replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#x27;", "'")
            .replace("&#39;", "'"),
    )
}

async fn get_bytes(browser: &mut Browser, path: &str) -> (StatusCode, Vec<u8>) {
    let response = browser.get(path).await;
    let status = response.status();
    (status, response.bytes().await.unwrap().to_vec())
}

fn register_with(change: impl Fn(&mut ActivityInput)) -> Vec<ActivityInput> {
    let mut register = server::dev::demo::register();
    register.iter_mut().for_each(change);
    register
}

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

async fn access_answer_page_pdf_and_json(app: TestApp) {
    use server::identity::StaffRole::Handler;
    let vault = server::platform::crypto::Vault::new(&app.settings.secrets).unwrap();
    server::dev::demo::seed(&app.db, &vault).await.unwrap();
    let bsn = server::identity::Bsn::parse(HANS).unwrap();
    let hans_id = server::identity::people::find_or_create_citizen(&app.db, &vault, &bsn, None)
        .await
        .unwrap();

    // Hans asks for access to everything.
    let mut hans = app.browser();
    citizen_login(
        &mut hans,
        Login {
            persoon: HANS,
            niveau: "substantieel",
            ..Login::default()
        },
    )
    .await;
    let form = hans.get("/verzoeken/nieuw").await.text().await.unwrap();
    let marker = "name=\"token\" value=\"";
    let start = form.find(marker).unwrap() + marker.len();
    let token = form[start..].split('"').next().unwrap().to_owned();
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
    let reference = location(&sent)
        .trim_start_matches("/verzoeken/")
        .trim_end_matches("?melding=ontvangen")
        .to_owned();
    assert!(reference.starts_with("AVG-"), "{reference}");

    // The handler claims and grants it (the service, as the HTTP forms are tested elsewhere).
    let eva_id = server::identity::people::staff_logged_in(
        &app.db,
        &app.settings.staff_oidc.issuer_url,
        "mw-0001",
        "Eva",
        None,
        &[Handler],
    )
    .await
    .unwrap();
    let eva = server::rights::requests::StaffActor {
        id: eva_id,
        roles: vec![Handler],
    };
    let act = |command: Command| {
        let app = &app;
        let eva = eva.clone();
        let reference = reference.clone();
        async move {
            let version = rights_requests::Entity::find()
                .filter(rights_requests::Column::Reference.eq(reference.clone()))
                .one(&app.db)
                .await
                .unwrap()
                .unwrap()
                .version;
            server::rights::requests::act(
                &app.db,
                &app.settings,
                &eva,
                &reference,
                version,
                command,
                chrono::Utc::now(),
            )
            .await
        }
    };
    act(Command::Claim).await.unwrap();
    let items: Vec<i64> = server::entities::request_items::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    act(Command::Decide(
        items
            .iter()
            .map(|id| ItemDecision {
                item_id: *id,
                granted: true,
                ground: None,
                note: String::new(),
            })
            .collect(),
        String::new(),
    ))
    .await
    .unwrap();

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
    let mut staff = app.browser();
    staff_login(&mut staff, "mw-0001", "none").await;
    let page = staff
        .get(&format!("/backoffice/verzoeken/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("data-testid=\"answer-missing\""),
        "gate shown"
    );
    assert!(
        page_text(&page).contains("(c) Ontvangers ontbreekt bij: Hulp bij het huishouden (Wmo)"),
        "{}",
        page_text(&page)
    );
    let version = |app: &TestApp| {
        let reference = reference.clone();
        let db = app.db.clone();
        async move {
            rights_requests::Entity::find()
                .filter(rights_requests::Column::Reference.eq(reference))
                .one(&db)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let before = version(&app).await;
    let refused = staff
        .post(
            &format!("/backoffice/verzoeken/{reference}/actie"),
            &[
                ("versie", &before.version.to_string()),
                ("actie", "send_answer"),
            ],
        )
        .await;
    assert!(
        location(&refused).ends_with("?melding=antwoord-onvolledig"),
        "{}",
        location(&refused)
    );
    let after = version(&app).await;
    assert_eq!(
        (after.status.as_str(), after.version),
        ("decided", before.version)
    );
    assert_eq!(
        access_answers::Entity::find().count(&app.db).await.unwrap(),
        0
    );
    assert_eq!(
        hans.get(&format!("/verzoeken/{reference}/antwoord.json"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // Complete again: the answer goes out, leaving one record out (third parties' data) only
    // with a note.
    put_register(&app, &server::dev::demo::register()).await;
    let left_out = personal_data_records::Entity::find()
        .filter(personal_data_records::Column::CitizenId.eq(hans_id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let no_note = staff
        .post(
            &format!("/backoffice/verzoeken/{reference}/actie"),
            &[
                ("versie", &before.version.to_string()),
                ("actie", "send_answer"),
                ("weglaten", &left_out.id.to_string()),
            ],
        )
        .await;
    assert!(location(&no_note).ends_with("?melding=antwoord-toelichting"));
    let sent = staff
        .post(
            &format!("/backoffice/verzoeken/{reference}/actie"),
            &[
                ("versie", &before.version.to_string()),
                ("actie", "send_answer"),
                ("weglaten", &left_out.id.to_string()),
                ("weglaten_toelichting", "Gaat over de buurman"),
            ],
        )
        .await;
    assert!(
        !location(&sent).contains("melding=antwoord"),
        "{}",
        location(&sent)
    );
    assert_eq!(version(&app).await.status, Status::Completed);

    // The citizen reads it as a page, a PDF and JSON: the same facts in all three.
    let detail = hans
        .get(&format!("/verzoeken/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(detail.contains("data-testid=\"answer-links\""));
    assert!(detail.contains("data-testid=\"letter-besluit\""));
    let (status, json) =
        get_bytes(&mut hans, &format!("/verzoeken/{reference}/antwoord.json")).await;
    assert_eq!(status, StatusCode::OK);
    let answer: app::models::AccessAnswerView = serde_json::from_slice(&json).unwrap();
    let html = page_text(
        &hans
            .get(&format!("/verzoeken/{reference}/antwoord"))
            .await
            .text()
            .await
            .unwrap(),
    );
    let (status, pdf) = get_bytes(&mut hans, &format!("/verzoeken/{reference}/antwoord.pdf")).await;
    assert_eq!(status, StatusCode::OK);
    let pdf = pdf_text(&pdf);
    assert_eq!(answer.left_out, 1);
    assert!(html.contains("Gaat over de buurman") && pdf.contains("Gaat over de buurman"));
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
        let (status, bytes) = get_bytes(
            &mut hans,
            &format!("/verzoeken/{reference}/brief/besluit.pdf?taal={taal}"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let text = pdf_text(&bytes);
        for word in words {
            assert!(text.contains(word), "{taal} letter lacks {word}: {text}");
        }
    }
    let letter = page_text(
        &hans
            .get(&format!("/verzoeken/{reference}/besluit"))
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(letter.contains("zes weken") && letter.contains("Autoriteit Persoonsgegevens"));

    // Health data waits for the login level it needs, in the answer as everywhere.
    let mut hans_midden = app.browser();
    citizen_login(
        &mut hans_midden,
        Login {
            persoon: HANS,
            niveau: "midden",
            ..Login::default()
        },
    )
    .await;
    assert_eq!(
        hans_midden
            .get(&format!("/verzoeken/{reference}/antwoord.json"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let low = hans_midden
        .get(&format!("/verzoeken/{reference}/antwoord"))
        .await
        .text()
        .await
        .unwrap();
    assert!(low.contains("data-testid=\"answer-unavailable\""));

    // Nobody else gets any of it.
    let mut sanne = app.browser();
    citizen_login(
        &mut sanne,
        Login {
            persoon: "192285142",
            ..Login::default()
        },
    )
    .await;
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
        .get(&format!("/verzoeken/{reference}/antwoord"))
        .await
        .text()
        .await
        .unwrap();
    assert!(other.contains("data-testid=\"answer-unavailable\""));
    assert!(!other.contains(&answer.domains[0].activities[0].purpose));
    let mut anonymous = app.browser();
    let response = anonymous
        .get(&format!("/verzoeken/{reference}/antwoord.pdf"))
        .await;
    assert!(response.status().is_redirection() || response.status() == StatusCode::UNAUTHORIZED);
    app.finish().await;
}

db_test!(access_answer, access_answer_page_pdf_and_json);

/// Every letter of every demo request, in both languages: a PDF poppler renders, with the
/// legal ground, the bezwaar route and the complaint route in its text.
async fn every_demo_letter_renders_with_its_routes(app: TestApp) {
    let vault = server::platform::crypto::Vault::new(&app.settings.secrets).unwrap();
    server::dev::demo::seed(&app.db, &vault).await.unwrap();
    server::dev::demo::seed_requests(&app.db, &app.settings, &vault)
        .await
        .unwrap();
    let mut staff = app.browser();
    staff_login(&mut staff, "mw-0001", "none").await;
    let mut outcomes = BTreeSet::new();
    for request in rights_requests::Entity::find().all(&app.db).await.unwrap() {
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
                let (status, bytes) = get_bytes(
                    &mut staff,
                    &format!(
                        "/backoffice/verzoeken/{}/brief/{kind}.pdf?taal={taal}",
                        request.reference
                    ),
                )
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
                label: "Telefoonnummer".to_owned(),
                granted: true,
                ground: None,
                note: None,
            },
            server::rights::letters::DecidedItem {
                label: "Verslag jeugdhulp".to_owned(),
                granted: false,
                ground: Some(RefusalGround::Archiving),
                note: Some("De Jeugdwet schrijft twintig jaar bewaren voor.".to_owned()),
            },
        ],
        decision_note: None,
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
    let mut admin = app.browser();
    staff_login(&mut admin, "mw-0005", "none").await;
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

db_test!(demo_letters, every_demo_letter_renders_with_its_routes);

/// Parses our CSV (RFC 4180 quoting, CRLF rows).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', true) => quoted = false,
            ('"', false) => quoted = true,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => field.push(c),
        }
    }
    rows
}

async fn the_privacy_officer_sees_what_the_demo_hides(app: TestApp) {
    let vault = server::platform::crypto::Vault::new(&app.settings.secrets).unwrap();
    server::dev::demo::seed(&app.db, &vault).await.unwrap();
    server::dev::demo::seed_requests(&app.db, &app.settings, &vault)
        .await
        .unwrap();
    let mut officer = app.browser();
    staff_login(&mut officer, "mw-0004", "none").await;
    let response = officer.get("/backoffice/toezicht").await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    let text = page_text(&html);

    let view = server::oversight::toezicht::view(&app.db, chrono::Utc::now())
        .await
        .unwrap();
    // The demo's overdue request, its records past retention and its disclosure without a basis.
    assert!(view.overdue >= 1, "{view:?}");
    let overdue = view
        .requests
        .iter()
        .find(|r| r.state == DeadlineState::Overdue)
        .unwrap();
    assert!(html.contains(&format!("/backoffice/verzoeken/{}", overdue.reference)));
    assert!(!view.retention.is_empty());
    assert!(
        view.disclosures
            .iter()
            .any(|d| d.recipient == "Sociale Verzekeringsbank (SVB)"
                && d.problem == DisclosureProblem::NoBasis),
        "{:?}",
        view.disclosures
    );
    assert!(
        view.unlinked_views
            .iter()
            .any(|v| v.staff == "medewerker W-1077"),
        "{:?}",
        view.unlinked_views
    );
    assert!(
        !view
            .unlinked_views
            .iter()
            .any(|v| v.staff == "medewerker W-1042")
    );
    assert!(html.contains("data-testid=\"chart-on-time\"") && html.contains("<svg"));
    // Past retention, counted straight from the records.
    let today = server::rights::deadlines::received_on(chrono::Utc::now());
    let past = personal_data_records::Entity::find()
        .filter(personal_data_records::Column::RetentionUntil.lt(today))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(
        view.retention.iter().map(|r| r.records as u64).sum::<u64>(),
        past
    );

    // Each CSV export holds exactly the rows of its table on screen.
    for table in OversightTable::ALL {
        let response = officer
            .get(&format!("/backoffice/toezicht/csv/{table}"))
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{table}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let csv = parse_csv(&response.text().await.unwrap());
        let expected = server::oversight::toezicht::rows(&view, table, app::i18n::Locale::Nl);
        assert_eq!(csv, expected, "{table}");
        assert!(
            csv.len() > 1 || table == OversightTable::Months,
            "{table} is empty"
        );
        for row in &csv {
            let line = collapse(&row.join(" "));
            assert!(text.contains(&line), "{table}: screen lacks {line:?}");
        }
    }

    // Read-only, and only for the privacy officer.
    let mut handler = app.browser();
    staff_login(&mut handler, "mw-0001", "none").await;
    assert_eq!(
        location(&handler.get("/backoffice/toezicht").await),
        "/backoffice"
    );
    assert_eq!(
        handler
            .get("/backoffice/toezicht/csv/verzoeken")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let mut citizen = app.browser();
    citizen_login(&mut citizen, Login::default()).await;
    assert_eq!(
        location(&citizen.get("/backoffice/toezicht").await),
        "/overzicht"
    );
    assert!(
        citizen
            .get("/backoffice/toezicht/csv/verzoeken")
            .await
            .status()
            .is_redirection()
    );
    app.finish().await;
}

db_test!(oversight, the_privacy_officer_sees_what_the_demo_hides);

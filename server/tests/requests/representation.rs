//! Representation from the login itself (DigiD Machtigen through the broker, the NL GOV
//! profile's `represents` claim): Hans logs in and acts for Fatima. The session is Fatima's:
//! her data, her requests, never Hans's own; what he files is her request, recorded as filed
//! by a representative under the mandate, in the request, the audit log and her processing log.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use server::entities::{
    audit_events, personal_data_records, processing_log_lines, rights_requests,
};
use types::Kind;

use crate::{
    sources::file_over_http,
    support::{
        Browser, TestApp,
        demo::{EVA, FATIMA, HANS, NOOR, citizen_id, seed_demo_with_requests},
        location, submit_at_stand_in,
    },
};

const SERVICE: &str = "urn:nl-eid-gdi:1.0:DV:00000001234567890000:services:0001";

/// Hans fills the stand-in's form with a machtiging from `represented`: its answer.
async fn machtiging_at_stand_in(browser: &mut Browser, represented: &str) -> reqwest::Response {
    submit_at_stand_in(
        browser,
        "/inloggen",
        &[
            ("persoon", HANS),
            ("niveau", "substantieel"),
            ("fout", "none"),
            ("namens", represented),
            ("dienst", SERVICE),
            ("actie", "inloggen"),
        ],
    )
    .await
}

/// Hans logs in at the stand-in with a machtiging from `represented`.
async fn machtiging_login(app: &TestApp, represented: &str) -> Browser {
    let mut browser = app.browser();
    let back = machtiging_at_stand_in(&mut browser, represented).await;
    let callback = browser.get(&location(&back)).await;
    assert_eq!(location(&callback), "/overzicht", "machtiging login");
    browser
}

/// A label of one of the citizen's records that the other citizen does not have.
async fn own_label(app: &TestApp, citizen: i64, other: i64) -> String {
    let theirs = personal_data_records::Entity::find()
        .filter(personal_data_records::Column::CitizenId.eq(other))
        .all(&app.db)
        .await
        .unwrap();
    personal_data_records::Entity::find()
        .filter(personal_data_records::Column::CitizenId.eq(citizen))
        .order_by_asc(personal_data_records::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.label)
        .find(|label| theirs.iter().all(|t| &t.label != label))
        .expect("a record of their own")
}

pub(super) async fn a_machtiging_files_for_the_represented_person_only(app: TestApp) {
    let vault = seed_demo_with_requests(&app).await;
    let fatima = citizen_id(&app, &vault, FATIMA).await;
    let hans = citizen_id(&app, &vault, HANS).await;
    let noor = citizen_id(&app, &vault, NOOR).await;
    let fatimas = own_label(&app, fatima, hans).await;
    let hanss = own_label(&app, hans, fatima).await;

    let mut session = machtiging_login(&app, FATIMA).await;
    // The pages are Fatima's, and say that someone acts for her; Hans's own data is nowhere.
    let overview = session.get_text("/overzicht").await;
    assert!(overview.contains("data-testid=\"on-behalf\""), "the banner");
    assert!(overview.contains("******653") && !overview.contains("******869"));
    let data = session.get_text("/mijn-gegevens").await;
    assert!(data.contains(&fatimas), "Fatima's record");
    assert!(
        !data.contains(&hanss),
        "never the representative's own data"
    );
    let download = session.get_text("/mijn-gegevens/download.json").await;
    assert!(download.contains(&fatimas) && !download.contains(&hanss));
    // Hans's own requests (the demo has some) are not Fatima's: not listed, not reachable.
    let hans_own: Vec<String> = rights_requests::Entity::find()
        .filter(rights_requests::Column::RequesterId.eq(hans))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.reference)
        .collect();
    assert!(!hans_own.is_empty(), "the demo gives Hans requests");
    let list = session.get_text("/verzoeken").await;
    for reference in &hans_own {
        assert!(!list.contains(reference.as_str()), "{reference} is Hans's");
        assert_eq!(
            session
                .get(&format!("/verzoeken/{reference}"))
                .await
                .status(),
            reqwest::StatusCode::NOT_FOUND
        );
    }
    // A mandate covers Fatima, not her child Noor: the form does not offer Noor.
    let form = session
        .get_text(&format!("/verzoeken/nieuw?voor={noor}"))
        .await;
    assert!(
        !form.contains("voor uw kind"),
        "no filing for the represented person's child"
    );
    let mut mother = app.citizen(FATIMA).await;
    let own_form = mother
        .get_text(&format!("/verzoeken/nieuw?voor={noor}"))
        .await;
    assert!(own_form.contains("voor uw kind"), "she herself may");
    // Posted anyway, it files nothing for Noor.
    let token = crate::support::rights::input_value(&form, "token");
    let noor_id = noor.to_string();
    session
        .post(
            "/verzoeken/nieuw",
            &[
                ("stap", "controleren"),
                ("token", &token),
                ("soort", "access"),
                ("voor", &noor_id),
                ("bereik", "alles"),
            ],
        )
        .await;
    session
        .post(
            "/verzoeken/nieuw",
            &[("stap", "indienen"), ("token", &token)],
        )
        .await;
    let for_noor = rights_requests::Entity::find()
        .filter(rights_requests::Column::CitizenId.eq(noor))
        .filter(rights_requests::Column::FiledBy.is_not_null())
        .all(&app.db)
        .await
        .unwrap();
    assert!(
        for_noor.is_empty(),
        "nothing filed for Noor under the mandate"
    );

    // Hans files; it is Fatima's request, filed by a representative under the mandate.
    let reference = file_over_http(&mut session, Kind::Access, None, None).await;
    let request = rights_requests::Entity::find()
        .filter(rights_requests::Column::Reference.eq(&reference))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(request.citizen_id, fatima, "about Fatima");
    assert_eq!(request.requester_id, fatima, "her own request");
    assert_eq!(request.filed_by, Some(hans), "filed by her representative");
    assert_eq!(request.mandate.as_deref(), Some(SERVICE));
    let detail = session.get_text(&format!("/verzoeken/{reference}")).await;
    assert!(detail.contains("data-testid=\"filed-by-representative\"") && detail.contains(SERVICE));

    // The audit log names Hans as the actor, for Fatima, under the mandate.
    let submitted = audit_events::Entity::find()
        .filter(audit_events::Column::Action.eq("request.submitted"))
        .filter(audit_events::Column::CitizenId.eq(fatima))
        .order_by_desc(audit_events::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(submitted.actor, format!("citizen:{hans}"));
    let details: serde_json::Value = serde_json::from_str(&submitted.details).unwrap();
    assert_eq!(details["on_behalf_of"], fatima);
    assert_eq!(details["mandate"], SERVICE);
    let login = audit_events::Entity::find()
        .filter(audit_events::Column::Action.eq("login.on_behalf"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the machtiging login is audited");
    assert_eq!(login.actor, format!("citizen:{hans}"));
    assert_eq!(login.citizen_id, Some(fatima));

    // Fatima's processing log says her representative acted; she reads it herself too.
    let logged = processing_log_lines::Entity::find()
        .filter(processing_log_lines::Column::Name.contains(&reference))
        .all(&app.db)
        .await
        .unwrap();
    assert!(
        logged
            .iter()
            .any(|l| l.name.starts_with("Uw gemachtigde diende namens u")),
        "{logged:?}"
    );
    let usage = session.get_text("/gebruik").await;
    assert!(usage.contains("Uw gemachtigde diende namens u verzoek"));
    assert!(usage.contains("Uw gemachtigde bekeek namens u wie uw gegevens gebruikte"));
    let mut herself = app.citizen(FATIMA).await;
    assert!(herself.get_text("/verzoeken").await.contains(&reference));

    // Staff see who filed it; no parental authority to confirm.
    let mut eva = app.staff(EVA).await;
    let staff_page = eva
        .get_text(&format!("/backoffice/verzoeken/{reference}"))
        .await;
    assert!(staff_page.contains("data-testid=\"filed-by-representative\""));
    assert!(
        !staff_page.contains("notice-error mt-2"),
        "nothing to confirm"
    );

    // Hans on his own login never sees it: it is not his.
    let mut own = app.citizen(HANS).await;
    assert!(!own.get_text("/verzoeken").await.contains(&reference));
    assert!(own.get_text("/mijn-gegevens").await.contains(&hanss));
    app.finish().await;
}

pub(super) async fn a_machtiging_for_an_invalid_bsn_is_refused_at_the_stand_in(app: TestApp) {
    let mut browser = app.browser();
    let back = machtiging_at_stand_in(&mut browser, "123456789").await;
    assert_eq!(back.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    assert!(back.text().await.unwrap().contains("11-proef"));
    app.finish().await;
}

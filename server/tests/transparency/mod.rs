//! The citizen's transparency pages with the demo municipality: each sees only their own data,
//! with purpose, legal basis and retention; confidential processing never shows; health data
//! waits for DigiD Substantieel.

use crate::{
    db_test,
    support::{Login, TestApp, citizen_login},
};

async fn seed(app: &TestApp) {
    let vault = server::platform::crypto::Vault::new(&app.settings.secrets).unwrap();
    server::dev::demo::seed(&app.db, &vault).await.unwrap();
}

async fn citizens_see_their_own_data_and_nothing_else(app: TestApp) {
    seed(&app).await;
    // Hans (Wmo) at Substantieel: his Wmo data with why, basis and retention.
    let mut hans = app.browser();
    citizen_login(
        &mut hans,
        Login {
            persoon: "162275869",
            niveau: "substantieel",
            ..Login::default()
        },
    )
    .await;
    let page = hans.get("/mijn-gegevens").await.text().await.unwrap();
    for expected in [
        "Indicatie hulp bij het huishouden",
        "Hulp bij het huishouden regelen",
        "Dit is nodig voor een taak die de wet aan de gemeente geeft. (Wmo 2015 art. 2.3.5)",
        "tot 1 maart 2037",
        "Wmo-consulent, Gemeente Voorbeeldstad",
        "Ondersteuning thuis (Wmo)",
        "Systeem: Wmo",
        "data-testid=\"special\"",
    ] {
        assert!(page.contains(expected), "Hans's page lacks {expected}");
    }
    // Nothing of anyone else.
    for foreign in [
        "Angstklachten",
        "Bijstandsuitkering",
        "Huurachterstand",
        "Kerkpad 7",
    ] {
        assert!(
            !page.contains(foreign),
            "Hans sees someone else's {foreign}"
        );
    }
    let shared = hans.get("/gedeeld").await.text().await.unwrap();
    assert!(shared.contains("Thuiszorg De Zonnebloem B.V.") && shared.contains("CAK"));
    assert!(!shared.contains("Jeugdzorg De Brug") && !shared.contains("UWV"));
    let filtered = hans
        .get("/gedeeld?ontvanger=CAK&van=&tot=")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        filtered.contains("Berekenen van de eigen bijdrage")
            && !filtered.contains("Thuiszorg De Zonnebloem B.V.</h3>")
    );
    let none = hans
        .get("/gedeeld?van=2027-01-01")
        .await
        .text()
        .await
        .unwrap();
    assert!(none.contains("Er zijn geen gegevens gedeeld"));
    let overview = hans.get("/overzicht").await.text().await.unwrap();
    assert!(overview.contains("data-testid=\"held\""));

    // The confidential processing of Daan never appears, anywhere.
    let mut daan = app.browser();
    citizen_login(
        &mut daan,
        Login {
            persoon: "688136138",
            niveau: "hoog",
            ..Login::default()
        },
    )
    .await;
    for path in ["/mijn-gegevens", "/gedeeld", "/overzicht"] {
        let page = daan.get(path).await.text().await.unwrap();
        for hidden in [
            "Onderzoek rechtmatigheid",
            "Onderzoek naar woonsituatie",
            "Handhaving",
        ] {
            assert!(
                !page.contains(hidden),
                "{path} shows the confidential {hidden}"
            );
        }
    }
    assert!(
        daan.get("/mijn-gegevens")
            .await
            .text()
            .await
            .unwrap()
            .contains("Gezinsnorm")
    );

    // A withdrawn consent is shown with its withdrawal; a disclosure without basis says so.
    let mut fatima = app.browser();
    citizen_login(&mut fatima, Login::default()).await;
    let shared = fatima.get("/gedeeld").await.text().await.unwrap();
    assert!(
        shared.contains("GGD Voorbeeldregio")
            && shared.contains("U heeft deze toestemming op 2 april 2026 ingetrokken")
    );
    let mut sanne = app.browser();
    citizen_login(
        &mut sanne,
        Login {
            persoon: "192285142",
            ..Login::default()
        },
    )
    .await;
    assert!(
        sanne
            .get("/gedeeld")
            .await
            .text()
            .await
            .unwrap()
            .contains("Er is geen wettelijke grondslag vastgelegd")
    );
    app.finish().await;
}
db_test!(own_data_only, citizens_see_their_own_data_and_nothing_else);

async fn health_data_waits_for_a_higher_level(app: TestApp) {
    seed(&app).await;
    let mut hans = app.browser();
    citizen_login(
        &mut hans,
        Login {
            persoon: "162275869",
            niveau: "midden",
            ..Login::default()
        },
    )
    .await;
    let page = hans.get("/mijn-gegevens").await.text().await.unwrap();
    assert!(
        page.contains("data-testid=\"step-up\""),
        "a step-up message"
    );
    assert!(!page.contains("Indicatie hulp bij het huishouden") && !page.contains("heupoperatie"));
    assert!(
        page.contains("Molenweg 3"),
        "non-health data is still shown"
    );
    let shared = hans.get("/gedeeld").await.text().await.unwrap();
    assert!(
        !shared.contains("Thuiszorg De Zonnebloem") && shared.contains("data-testid=\"step-up\"")
    );
    app.finish().await;
}
db_test!(step_up, health_data_waits_for_a_higher_level);

async fn usage_consents_and_downloads(app: TestApp) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use server::entities::{consents, source_events};
    seed(&app).await;

    // Who used my data: the citizen's own lines, the look itself recorded, nothing confidential.
    let mut hans = app.browser();
    citizen_login(
        &mut hans,
        Login {
            persoon: "162275869",
            ..Login::default()
        },
    )
    .await;
    let usage = hans.get("/gebruik").await.text().await.unwrap();
    assert!(
        usage.contains("Beschikking opgesteld")
            && usage.contains("Gemeente Voorbeeldstad, team Wmo")
    );
    assert!(
        usage.contains("U bekeek wie uw gegevens gebruikte"),
        "opening the page is logged"
    );
    for staff in ["Eva de Boer", "Ahmed Yilmaz", "mw-0001"] {
        assert!(!usage.contains(staff), "staff identity {staff} shown");
    }
    let mut daan = app.browser();
    citizen_login(
        &mut daan,
        Login {
            persoon: "688136138",
            ..Login::default()
        },
    )
    .await;
    assert!(
        !daan
            .get("/gebruik")
            .await
            .text()
            .await
            .unwrap()
            .contains("Onderzoek gestart")
    );

    // Downloads: own data only, in JSON and CSV.
    let json = hans.get("/mijn-gegevens/download.json").await;
    assert!(
        json.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let json = json.text().await.unwrap();
    assert!(
        json.contains("Indicatie hulp bij het huishouden")
            && json.contains("Thuiszorg De Zonnebloem B.V.")
    );
    assert!(!json.contains("Angstklachten") && !json.contains("162275869"));
    let csv = hans
        .get("/mijn-gegevens/download.csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("onderwerp,systeem,gegeven,waarde"));
    assert!(csv.contains("Indicatie hulp bij het huishouden") && !csv.contains("Angstklachten"));
    let mut anonymous = app.browser();
    assert_eq!(
        crate::support::location(&anonymous.get("/mijn-gegevens/download.json").await),
        "/?verlopen=1"
    );

    // Consents: Fatima withdraws hers; Kees cannot touch it.
    let fatima_consent = consents::Entity::find()
        .filter(consents::Column::SourceConsentId.eq("wt-c-2"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut kees = app.browser();
    citizen_login(
        &mut kees,
        Login {
            persoon: "691682483",
            ..Login::default()
        },
    )
    .await;
    let peek = kees
        .get(&format!(
            "/toestemmingen/intrekken?id={}",
            fatima_consent.id
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !peek.contains("Huisartsenpraktijk Lindelaan"),
        "another citizen's consent shown"
    );
    let attempt = kees
        .post(
            "/toestemmingen/intrekken",
            &[("id", &fatima_consent.id.to_string())],
        )
        .await;
    assert_eq!(
        crate::support::location(&attempt),
        "/toestemmingen?melding=onbekend"
    );
    assert!(
        consents::Entity::find_by_id(fatima_consent.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .withdrawn_at
            .is_none()
    );

    let mut fatima = app.browser();
    citizen_login(&mut fatima, Login::default()).await;
    let list = fatima.get("/toestemmingen").await.text().await.unwrap();
    assert!(list.contains("Huisartsenpraktijk Lindelaan") && list.contains("GGD Voorbeeldregio"));
    let confirm = fatima
        .get(&format!(
            "/toestemmingen/intrekken?id={}",
            fatima_consent.id
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        confirm.contains("Weet u zeker dat u uw toestemming wilt intrekken?"),
        "{confirm}"
    );
    let done = fatima
        .post(
            "/toestemmingen/intrekken",
            &[("id", &fatima_consent.id.to_string())],
        )
        .await;
    assert_eq!(
        crate::support::location(&done),
        "/toestemmingen?melding=ingetrokken"
    );
    let row = consents::Entity::find_by_id(fatima_consent.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(row.withdrawn_at.is_some() && row.withdrawal_channel.as_deref() == Some("Inzage"));
    let events = source_events::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, "consent.withdrawn");
    assert!(events[0].payload.contains("wt-c-2") && !events[0].payload.contains("999993653"));
    assert_eq!(
        server::platform::audit::verify(&app.db).await.unwrap(),
        server::platform::audit::Verification::Intact(1)
    );
    // Twice changes nothing more.
    let again = fatima
        .post(
            "/toestemmingen/intrekken",
            &[("id", &fatima_consent.id.to_string())],
        )
        .await;
    assert_eq!(
        crate::support::location(&again),
        "/toestemmingen?melding=onbekend"
    );
    assert_eq!(
        source_events::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .len(),
        1
    );
    app.finish().await;
}
db_test!(usage_consents_downloads, usage_consents_and_downloads);

/// Every citizen route, with another citizen's ids where a route takes one: citizen B sees
/// nothing of citizen A; anonymous visitors and staff reach none of them.
async fn authorization_table(app: TestApp) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    seed(&app).await;
    let fatima_consent = server::entities::consents::Entity::find()
        .filter(server::entities::consents::Column::SourceConsentId.eq("wt-c-2"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let routes = [
        "/overzicht".to_owned(),
        "/mijn-gegevens".to_owned(),
        "/gedeeld".to_owned(),
        "/gedeeld?ontvanger=GGD%20Voorbeeldregio".to_owned(),
        "/gebruik".to_owned(),
        "/toestemmingen".to_owned(),
        format!("/toestemmingen/intrekken?id={fatima_consent}"),
        "/mijn-gegevens/download.json".to_owned(),
        "/mijn-gegevens/download.csv".to_owned(),
        "/instellingen".to_owned(),
    ];
    // Fatima's markers; Kees asks every route, including with Fatima's consent id.
    let markers = [
        "Lindelaan 12",
        "GGD Voorbeeldregio",
        "Huisartsenpraktijk Lindelaan",
        "opvoeding",
        "Gezag",
    ];
    let mut kees = app.browser();
    citizen_login(
        &mut kees,
        Login {
            persoon: "691682483",
            niveau: "hoog",
            ..Login::default()
        },
    )
    .await;
    for route in &routes {
        let response = kees.get(route).await;
        assert!(
            response.status().is_success(),
            "{route}: {}",
            response.status()
        );
        let body = response.text().await.unwrap();
        for marker in markers {
            assert!(
                !body.contains(marker),
                "Kees sees Fatima's {marker} at {route}"
            );
        }
    }
    for state_change in [(
        "/toestemmingen/intrekken",
        vec![("id", fatima_consent.to_string())],
    )] {
        let form: Vec<(&str, &str)> = state_change
            .1
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect();
        kees.post(state_change.0, &form).await;
    }
    assert!(
        server::entities::consents::Entity::find_by_id(fatima_consent)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .withdrawn_at
            .is_none(),
        "Kees withdrew Fatima's consent"
    );

    let mut anonymous = app.browser();
    let mut staff = app.browser();
    crate::support::staff_login(&mut staff, "mw-0001", "none").await;
    for route in &routes {
        let response = anonymous.get(route).await;
        assert!(
            response.status().is_redirection(),
            "anonymous reached {route}"
        );
        let response = staff.get(route).await;
        assert!(response.status().is_redirection(), "staff reached {route}");
    }
    app.finish().await;
}
db_test!(citizen_authorization, authorization_table);

/// "Mijn gegevens" for the 2,000-record subject: the newest ten per source with the count and a
/// link to all, then page by page; the downloads keep everything.
async fn large_data_sets_are_shown_page_by_page(app: TestApp) {
    let vault = server::platform::crypto::Vault::new(&app.settings.secrets).unwrap();
    let bsn = server::dev::demo::seed_scale(&app.db, &vault, 1)
        .await
        .unwrap()
        .unwrap();
    let mut browser = app.browser();
    citizen_login(
        &mut browser,
        Login {
            persoon: "anders",
            bsn: &bsn,
            niveau: "substantieel",
            ..Login::default()
        },
    )
    .await;
    let page = browser.get("/mijn-gegevens").await.text().await.unwrap();
    let groups = page.matches("data-testid=\"source-count\"").count();
    assert!(groups >= 2, "several domains ({groups})");
    assert_eq!(
        page.matches("data-testid=\"record\"").count(),
        groups * 10,
        "ten per group"
    );
    let link = page.split("href=\"/mijn-gegevens?bron=").nth(1).unwrap();
    let source: i64 = link.split('"').next().unwrap().parse().unwrap();
    assert!(page.contains("Toon alle "));
    let first = browser
        .get(&format!("/mijn-gegevens?bron={source}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(first.contains("Pagina 1 van "), "a pager");
    let per_page = first.matches("data-testid=\"record\"").count();
    assert!(
        per_page > 10 && per_page <= 50 * groups,
        "{per_page} on one page"
    );
    let second = browser
        .get(&format!("/mijn-gegevens?bron={source}&pagina=2"))
        .await
        .text()
        .await
        .unwrap();
    assert!(second.contains("Pagina 2 van "));
    let last = browser
        .get(&format!("/mijn-gegevens?bron={source}&pagina=9999"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!last.contains("Pagina 9999"), "the page is clamped");
    // The downloads keep all 2,000.
    let csv = browser
        .get("/mijn-gegevens/download.csv")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), 2001, "header and 2,000 records");
    // Someone else asking for that source sees none of it.
    let mut other = app.browser();
    citizen_login(
        &mut other,
        Login {
            persoon: "162275869",
            ..Login::default()
        },
    )
    .await;
    let foreign = other
        .get(&format!("/mijn-gegevens?bron={source}"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(foreign.matches("data-testid=\"record\"").count(), 0);
    app.finish().await;
}
db_test!(paging, large_data_sets_are_shown_page_by_page);

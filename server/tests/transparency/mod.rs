//! The citizen's transparency pages with the demo municipality: each sees only their own data,
//! with purpose, legal basis and retention; confidential processing never shows; health data
//! waits for DigiD Substantieel.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use server::entities::consents;

use crate::{
    db_test,
    support::{
        Browser, Login, TestApp,
        demo::{DAAN, EVA, FATIMA, HANS, KEES, SANNE, seed_demo},
        location,
    },
};

/// Fatima's consent that the demo leaves in force: hers to withdraw, nobody else's.
async fn fatima_consent(app: &TestApp) -> consents::Model {
    consents::Entity::find()
        .filter(consents::Column::SourceConsentId.eq("wt-c-2"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

/// Whether that consent is still in force, read from the database rather than any page.
async fn still_given(app: &TestApp, consent: i64) -> bool {
    consents::Entity::find_by_id(consent)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .withdrawn_at
        .is_none()
}

/// Posts the withdrawal form for `consent` and returns where it sends the citizen.
async fn withdraw_consent(browser: &mut Browser, consent: i64) -> String {
    let id = consent.to_string();
    location(
        &browser
            .post("/toestemmingen/intrekken", &[("id", id.as_str())])
            .await,
    )
}

async fn citizens_see_their_own_data_and_nothing_else(app: TestApp) {
    seed_demo(&app).await;
    // Hans (Wmo) at Substantieel: his Wmo data with why, basis and retention.
    let mut hans = app.citizen(HANS).await;
    let page = hans.get_text("/mijn-gegevens").await;
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
    let shared = hans.get_text("/gedeeld").await;
    assert!(shared.contains("Thuiszorg De Zonnebloem B.V.") && shared.contains("CAK"));
    assert!(!shared.contains("Jeugdzorg De Brug") && !shared.contains("UWV"));
    let filtered = hans.get_text("/gedeeld?ontvanger=CAK&van=&tot=").await;
    assert!(
        filtered.contains("Berekenen van de eigen bijdrage")
            && !filtered.contains("Thuiszorg De Zonnebloem B.V.</h3>")
    );
    let none = hans.get_text("/gedeeld?van=2027-01-01").await;
    assert!(none.contains("Er zijn geen gegevens gedeeld"));
    let overview = hans.get_text("/overzicht").await;
    assert!(overview.contains("data-testid=\"held\""));

    // The confidential processing of Daan never appears, anywhere.
    let mut daan = app.citizen_at(DAAN, "hoog").await;
    for path in ["/mijn-gegevens", "/gedeeld", "/overzicht"] {
        let page = daan.get_text(path).await;
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
    assert!(daan.get_text("/mijn-gegevens").await.contains("Gezinsnorm"));

    // A withdrawn consent is shown with its withdrawal; a disclosure without basis says so.
    let mut fatima = app.citizen(FATIMA).await;
    let shared = fatima.get_text("/gedeeld").await;
    assert!(
        shared.contains("GGD Voorbeeldregio")
            && shared.contains("U heeft deze toestemming op 2 april 2026 ingetrokken")
    );
    let mut sanne = app.citizen(SANNE).await;
    assert!(
        sanne
            .get_text("/gedeeld")
            .await
            .contains("Er is geen wettelijke grondslag vastgelegd")
    );
    app.finish().await;
}
db_test!(own_data_only, citizens_see_their_own_data_and_nothing_else);

async fn health_data_waits_for_a_higher_level(app: TestApp) {
    seed_demo(&app).await;
    let mut hans = app.citizen_at(HANS, "midden").await;
    let page = hans.get_text("/mijn-gegevens").await;
    assert!(
        page.contains("data-testid=\"step-up\""),
        "a step-up message"
    );
    assert!(!page.contains("Indicatie hulp bij het huishouden") && !page.contains("heupoperatie"));
    assert!(
        page.contains("Molenweg 3"),
        "non-health data is still shown"
    );
    let shared = hans.get_text("/gedeeld").await;
    assert!(
        !shared.contains("Thuiszorg De Zonnebloem") && shared.contains("data-testid=\"step-up\"")
    );
    app.finish().await;
}
db_test!(step_up, health_data_waits_for_a_higher_level);

async fn usage_consents_and_downloads(app: TestApp) {
    use server::entities::source_events;
    seed_demo(&app).await;

    // Who used my data: the citizen's own lines, the look itself recorded, nothing confidential.
    let mut hans = app.citizen(HANS).await;
    let usage = hans.get_text("/gebruik").await;
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
    let mut daan = app.citizen(DAAN).await;
    assert!(
        !daan
            .get_text("/gebruik")
            .await
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
    let csv = hans.get_text("/mijn-gegevens/download.csv").await;
    assert!(csv.starts_with("onderwerp,systeem,gegeven,waarde"));
    assert!(csv.contains("Indicatie hulp bij het huishouden") && !csv.contains("Angstklachten"));
    let mut anonymous = app.browser();
    assert_eq!(
        location(&anonymous.get("/mijn-gegevens/download.json").await),
        "/?verlopen=1"
    );

    // Consents: Fatima withdraws hers; Kees cannot touch it.
    let fatima_consent = fatima_consent(&app).await;
    let mut kees = app.citizen(KEES).await;
    let peek = kees
        .get_text(&format!(
            "/toestemmingen/intrekken?id={}",
            fatima_consent.id
        ))
        .await;
    assert!(
        !peek.contains("Huisartsenpraktijk Lindelaan"),
        "another citizen's consent shown"
    );
    assert_eq!(
        withdraw_consent(&mut kees, fatima_consent.id).await,
        "/toestemmingen?melding=onbekend"
    );
    assert!(still_given(&app, fatima_consent.id).await);

    let mut fatima = app.citizen(FATIMA).await;
    let list = fatima.get_text("/toestemmingen").await;
    assert!(list.contains("Huisartsenpraktijk Lindelaan") && list.contains("GGD Voorbeeldregio"));
    let confirm = fatima
        .get_text(&format!(
            "/toestemmingen/intrekken?id={}",
            fatima_consent.id
        ))
        .await;
    assert!(
        confirm.contains("Weet u zeker dat u uw toestemming wilt intrekken?"),
        "{confirm}"
    );
    assert_eq!(
        withdraw_consent(&mut fatima, fatima_consent.id).await,
        "/toestemmingen?melding=ingetrokken"
    );
    let row = consents::Entity::find_by_id(fatima_consent.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(row.withdrawn_at.is_some() && row.withdrawal_channel.as_deref() == Some("Inzage"));
    let events = app.all::<source_events::Entity>().await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, "consent.withdrawn");
    assert!(events[0].payload.contains("wt-c-2") && !events[0].payload.contains("999993653"));
    assert_eq!(
        server::platform::audit::verify(&app.db, &app.settings.secrets.audit_key(), None)
            .await
            .unwrap()
            .unwrap()
            .unsealed,
        1
    );
    // Twice changes nothing more.
    assert_eq!(
        withdraw_consent(&mut fatima, fatima_consent.id).await,
        "/toestemmingen?melding=onbekend"
    );
    assert_eq!(app.all::<source_events::Entity>().await.len(), 1);
    app.finish().await;
}
db_test!(usage_consents_downloads, usage_consents_and_downloads);

/// Every citizen route, with another citizen's ids where a route takes one: citizen B sees
/// nothing of citizen A; anonymous visitors and staff reach none of them.
async fn authorization_table(app: TestApp) {
    seed_demo(&app).await;
    let fatima_consent = fatima_consent(&app).await.id;
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
    let mut kees = app.citizen_at(KEES, "hoog").await;
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
        still_given(&app, fatima_consent).await,
        "Kees withdrew Fatima's consent"
    );

    let mut anonymous = app.browser();
    let mut staff = app.staff(EVA).await;
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
    let vault = crate::support::demo::vault(&app);
    let bsn = server::dev::demo::seed_scale(&app.db, &vault, 1)
        .await
        .unwrap()
        .unwrap();
    let (mut browser, _) = app
        .try_citizen_login(Login {
            persoon: "anders",
            bsn: &bsn,
            niveau: "substantieel",
            ..Login::default()
        })
        .await;
    let page = browser.get_text("/mijn-gegevens").await;
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
        .get_text(&format!("/mijn-gegevens?bron={source}"))
        .await;
    assert!(first.contains("Pagina 1 van "), "a pager");
    let per_page = first.matches("data-testid=\"record\"").count();
    assert!(
        per_page > 10 && per_page <= 50 * groups,
        "{per_page} on one page"
    );
    let second = browser
        .get_text(&format!("/mijn-gegevens?bron={source}&pagina=2"))
        .await;
    assert!(second.contains("Pagina 2 van "));
    let last = browser
        .get_text(&format!("/mijn-gegevens?bron={source}&pagina=9999"))
        .await;
    assert!(!last.contains("Pagina 9999"), "the page is clamped");
    // The downloads keep all 2,000.
    let csv = browser.get_text("/mijn-gegevens/download.csv").await;
    assert_eq!(csv.lines().count(), 2001, "header and 2,000 records");
    // Someone else asking for that source sees none of it.
    let mut other = app.citizen(HANS).await;
    let foreign = other
        .get_text(&format!("/mijn-gegevens?bron={source}"))
        .await;
    assert_eq!(foreign.matches("data-testid=\"record\"").count(), 0);
    app.finish().await;
}
db_test!(paging, large_data_sets_are_shown_page_by_page);

//! The scale seed (`inzage seed-scale`) at a small size: the rows the database generates are
//! rows the portal reads back (timestamps, dates, words and references in each database's own
//! format), in the sizes asked for, with the benchmark subject's fixed share, and the pages the
//! scale benchmark measures show them.

use chrono::Datelike;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use server::{
    dev::scale::{self, Sizes},
    entities::{
        citizens, disclosures, personal_data_records, processing_log_lines, request_events,
        rights_requests,
    },
    identity::{Bsn, BsnVault},
};
use types::RequestReference;

use crate::{
    db_test,
    support::{
        Login, TestApp, citizen_login,
        demo::{EVA, PRIVACY_OFFICER, vault},
        location,
    },
};

async fn the_scale_seed_makes_readable_data_of_the_asked_size(app: TestApp) {
    let vault = vault(&app);
    let sizes = Sizes::proportional(300);
    let seeded = scale::seed(&app.db, &app.settings, &vault, sizes, &|_| {})
        .await
        .unwrap();
    assert_eq!(seeded.subject_bsn, "800000006");
    assert_eq!(seeded.citizens, 300);
    // Per citizen between 1 and twice the mean, the subject fixed: near the asked totals.
    let near = |got: u64, want: u64, what: &str| {
        assert!(
            got > want * 8 / 10 && got < want * 12 / 10,
            "{what}: {got} for {want} asked"
        );
    };
    near(seeded.records, sizes.records, "records");
    near(seeded.disclosures, sizes.disclosures, "disclosures");
    near(seeded.log_lines, sizes.log_lines, "log lines");
    assert_eq!(seeded.requests, 30);

    // Every generated row loads as the portal's own model (each column in its stored format).
    let subject = citizens::Entity::find()
        .filter(
            citizens::Column::BsnPseudonym.eq(vault.pseudonym(&Bsn::parse("800000006").unwrap())),
        )
        .one(&app.db)
        .await
        .unwrap()
        .expect("the benchmark subject");
    assert_eq!(
        vault.decrypt_bsn(&subject.bsn_ciphertext).unwrap().expose(),
        "800000006"
    );
    let records = personal_data_records::Entity::find()
        .filter(personal_data_records::Column::CitizenId.eq(subject.id))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(records.len(), 2_000);
    assert!(records.iter().all(|r| r.retention_until.is_some()));
    assert!(
        records
            .iter()
            .any(|r| r.recorded_at.year() < 2016 && r.recorded_at.year() >= 2012)
    );
    assert_eq!(
        disclosures::Entity::find()
            .filter(disclosures::Column::CitizenId.eq(subject.id))
            .count(&app.db)
            .await
            .unwrap(),
        300
    );
    let all_records = app.all::<personal_data_records::Entity>().await;
    let all_disclosures = app.all::<disclosures::Entity>().await;
    let lines = app.all::<processing_log_lines::Entity>().await;
    assert!(all_records.len() as u64 >= seeded.records);
    assert!(all_disclosures.len() as u64 >= seeded.disclosures);
    let subject_lines: Vec<_> = lines
        .iter()
        .filter(|l| l.subject_pseudonym == subject.bsn_pseudonym)
        .collect();
    assert!(!subject_lines.is_empty(), "the subject has log lines");
    assert!(subject_lines.iter().all(|l| l.end_time > l.start_time));

    // Requests: references as filing makes them, the year of arrival in them; open ones with
    // deadlines around today, the decided ones with their decision on the timeline.
    let requests = rights_requests::Entity::find()
        .filter(rights_requests::Column::SubmitToken.starts_with("scale-"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(requests.len(), 30);
    for r in &requests {
        let made = RequestReference::new(r.received_at.year(), r.id);
        assert_eq!(r.reference, made.as_str());
        assert_eq!(
            r.status.is_final(),
            r.closed_at.is_some(),
            "{}",
            r.reference
        );
    }
    let open = requests.iter().filter(|r| !r.status.is_final()).count();
    assert!(open >= 1, "some are open");
    let decisions = request_events::Entity::find()
        .filter(request_events::Column::RequestId.gte(requests[0].id))
        .count(&app.db)
        .await
        .unwrap();
    assert!(decisions > 0, "decided requests have their decision");

    // The pages the benchmark measures.
    let mut citizen = app.browser();
    let callback = citizen_login(
        &mut citizen,
        Login {
            persoon: "anders",
            bsn: "800000006",
            ..Login::default()
        },
    )
    .await;
    assert_eq!(location(&callback), "/overzicht");
    let mine = citizen.get_text("/mijn-gegevens").await;
    // Per domain "N gegevens in dit systeem": together all 2,000 (none is confidential).
    let shown: u64 = mine
        .split(" gegevens in dit systeem")
        .map(|before| {
            let digits: String = before
                .chars()
                .rev()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .filter(char::is_ascii_digit)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            digits.parse::<u64>().unwrap_or(0)
        })
        .sum();
    assert_eq!(shown, 2_000, "the subject's records on Mijn gegevens");
    let overview = citizen.get_text("/overzicht").await;
    assert!(overview.contains("Synthetisch (schaal)") || overview.contains("gegevens"));

    let mut eva = app.staff(EVA).await;
    let queue = eva.get_text("/backoffice").await;
    let first_open = requests.iter().find(|r| !r.status.is_final()).unwrap();
    let search = eva
        .get_text(&format!("/backoffice?zoek={}", first_open.reference))
        .await;
    assert!(search.contains(&first_open.reference), "{queue}");
    let mut officer = app.staff(PRIVACY_OFFICER).await;
    let toezicht = officer.get_text("/backoffice/toezicht").await;
    assert!(
        toezicht.contains("Synthetisch (schaal)"),
        "retention per source"
    );

    // A second run on the same database is refused: the numbers would collide.
    let again = scale::seed(&app.db, &app.settings, &vault, sizes, &|_| {}).await;
    assert!(format!("{:#}", again.unwrap_err()).contains("already holds synthetic citizens"));
    app.finish().await;
}

db_test!(
    seed_makes_readable_data,
    the_scale_seed_makes_readable_data_of_the_asked_size
);

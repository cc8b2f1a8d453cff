//! Stored domain words load as the vocabulary's enums: a value Inzage did not write is an error
//! that names the row, never a silent default (the old code read an unknown status as
//! "submitted").

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use server::{entities::rights_requests, transparency::Visibility};

use crate::{
    db_test,
    support::{Login, TestApp, citizen_login, staff_login},
};

async fn an_unknown_status_is_an_error_naming_the_request(app: TestApp) {
    let vault = server::platform::crypto::Vault::new(&app.settings.secrets).unwrap();
    server::dev::demo::seed(&app.db, &vault).await.unwrap();
    server::dev::demo::seed_requests(&app.db, &app.settings, &vault)
        .await
        .unwrap();
    let fatima = server::identity::people::find_or_create_citizen(
        &app.db,
        &vault,
        &server::identity::Bsn::parse(Login::default().persoon).unwrap(),
        None,
    )
    .await
    .unwrap();
    let request = rights_requests::Entity::find()
        .filter(rights_requests::Column::RequesterId.eq(fatima))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the demo files a request for Fatima");
    app.db
        .execute_unprepared(&format!(
            "UPDATE rights_requests SET status = 'nonsense' WHERE id = {}",
            request.id
        ))
        .await
        .unwrap();

    let visibility = Visibility::at(&app.settings, server::identity::AssuranceLevel::Hoog);
    let loaded = server::rights::requests::detail_for_citizen(
        &app.db,
        fatima,
        visibility,
        &request.reference,
        chrono::Utc::now(),
    )
    .await;
    match loaded {
        Err(DbErr::Type(message)) => {
            assert!(message.contains(&request.reference), "{message}");
            assert!(message.contains("nonsense"), "{message}");
        }
        other => panic!("an unknown status loaded: {other:?}"),
    }

    // A list names every such row too: the queue, the citizen's list, Toezicht.
    let handler = crate::support::rights::staff_actor(
        &app,
        crate::support::demo::EVA,
        &[server::identity::StaffRole::Handler],
    )
    .await;
    let queue = server::rights::requests::queue(
        &app.db,
        &handler,
        &app::models::QueueFilter::default(),
        chrono::Utc::now(),
    )
    .await;
    match queue {
        Err(server::rights::requests::RequestError::Database(DbErr::Type(message))) => {
            assert!(message.contains(&request.reference), "{message}");
            assert!(message.contains("nonsense"), "{message}");
        }
        other => panic!("the queue loaded an unknown status: {other:?}"),
    }
    let oversight = server::oversight::toezicht::view(&app.db, chrono::Utc::now()).await;
    assert!(
        matches!(&oversight, Err(DbErr::Type(m)) if m.contains(&request.reference)),
        "{oversight:?}"
    );

    // Over HTTP the page fails plainly instead of showing the request as just filed.
    let mut citizen = app.browser();
    citizen_login(&mut citizen, Login::default()).await;
    let page = citizen
        .get(&format!("/verzoeken/{}", request.reference))
        .await;
    assert_eq!(page.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let mut handler = app.browser();
    staff_login(&mut handler, "mw-0001", "none").await;
    assert_eq!(
        handler.get("/backoffice/verzoeken").await.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    app.finish().await;
}

db_test!(
    unknown_stored_word,
    an_unknown_status_is_an_error_naming_the_request
);

/// A decision form whose choice is not one of the form's words changes nothing and says so; it
/// used to count as a refusal.
async fn a_decision_choice_outside_the_vocabulary_is_refused(app: TestApp) {
    use crate::support::{
        demo::{EVA, FATIMA, citizen_id, seed_demo},
        rights::{
            access_to_everything, act_now, file, item_ids, staff_act, staff_actor, status_of,
        },
    };
    let vault = seed_demo(&app).await;
    let fatima = citizen_id(&app, &vault, FATIMA).await;
    let reference = file(&app, fatima, &access_to_everything(), "keuze").await;
    let eva = staff_actor(&app, EVA, &[server::identity::StaffRole::Handler]).await;
    act_now(
        &app,
        &eva,
        &reference,
        server::rights::requests::Command::Claim,
    )
    .await
    .unwrap();
    let item = item_ids(&app, &reference).await[0];
    let before = status_of(&app, &reference).await;
    let mut browser = app.staff(EVA).await;
    // With a ground and a note, the old reading ("anything else is a refusal") would have
    // moved the request on to the approver.
    let (choice, ground, note) = (
        format!("besluit-{item}"),
        format!("grond-{item}"),
        format!("toelichting-{item}"),
    );
    let answer = staff_act(
        &mut browser,
        &app,
        &reference,
        &[
            ("actie", "decide"),
            (&choice, "misschien"),
            (&ground, types::RefusalGround::Excessive.as_str()),
            (&note, "Te vaak gevraagd."),
        ],
    )
    .await;
    assert!(answer.ends_with("?melding=ongeldig"), "{answer}");
    assert_eq!(status_of(&app, &reference).await, before);
    app.finish().await;
}

db_test!(
    decision_choice,
    a_decision_choice_outside_the_vocabulary_is_refused
);

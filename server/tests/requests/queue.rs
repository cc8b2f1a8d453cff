//! The back-office queue in SQL: 50 a page with the total and page links that keep the filter,
//! a search by reference, and the same requests and counts the filters always meant.

use chrono::Utc;
use reqwest::StatusCode;
use server::{
    entities::rights_requests,
    identity::StaffRole,
    rights::requests::{self, QUEUE_PAGE},
};
use types::{Kind, StatusFilter};

use crate::support::{
    TestApp,
    demo::{EVA, FATIMA, citizen_id, seed_demo_with_requests},
    rights::{access_to_everything, file, staff_actor},
};

/// Every reference the filter shows, page by page.
async fn all_pages(
    app: &TestApp,
    staff: &server::rights::requests::StaffActor,
    filter: &app::models::QueueFilter,
) -> (Vec<String>, app::models::QueueView) {
    let mut references = Vec::new();
    let mut page = 1;
    loop {
        let view = requests::queue(
            &app.db,
            staff,
            &app::models::QueueFilter {
                page,
                ..filter.clone()
            },
            Utc::now(),
        )
        .await
        .unwrap();
        assert!(view.rows.len() as u64 <= QUEUE_PAGE);
        references.extend(view.rows.iter().map(|r| r.reference.clone()));
        if page >= view.pages {
            return (references, view);
        }
        page += 1;
    }
}

pub(super) async fn the_queue_pages_filters_and_counts_in_the_database(app: TestApp) {
    let vault = seed_demo_with_requests(&app).await;
    let fatima = citizen_id(&app, &vault, FATIMA).await;
    for n in 0..110 {
        file(&app, fatima, &access_to_everything(), &format!("queue-{n}")).await;
    }
    let eva = staff_actor(&app, EVA, &[StaffRole::Handler]).await;
    let all = app.all::<rights_requests::Entity>().await;
    let today = server::rights::deadlines::received_on(Utc::now());
    let due = |r: &rights_requests::Model| r.extended_to.unwrap_or(r.due_on);

    // Each filter shows what it always meant, in due-date order, over all its pages.
    let filters = [
        app::models::QueueFilter::default(),
        app::models::QueueFilter {
            status: Some(StatusFilter::Open),
            ..Default::default()
        },
        app::models::QueueFilter {
            kind: Some(Kind::Erasure),
            ..Default::default()
        },
        app::models::QueueFilter {
            overdue: true,
            ..Default::default()
        },
        app::models::QueueFilter {
            due_within: Some(5),
            ..Default::default()
        },
        app::models::QueueFilter {
            unassigned: true,
            ..Default::default()
        },
        app::models::QueueFilter {
            mine: true,
            ..Default::default()
        },
    ];
    for filter in &filters {
        let mut expected: Vec<&rights_requests::Model> = all
            .iter()
            .filter(|r| {
                filter.kind.is_none_or(|k| k == r.kind)
                    && filter.status.is_none_or(|f| f.admits(r.status))
                    && filter.due_within.is_none_or(|d| {
                        r.status.is_open() && due(r) <= today + chrono::Duration::days(i64::from(d))
                    })
                    && (!filter.overdue || (r.status.is_open() && due(r) < today))
                    && (!filter.mine || r.assignee_id == Some(eva.id))
                    && (!filter.unassigned || r.assignee_id.is_none())
            })
            .collect();
        expected.sort_by_key(|r| (due(r), r.id));
        let (shown, view) = all_pages(&app, &eva, filter).await;
        assert_eq!(
            shown,
            expected
                .iter()
                .map(|r| r.reference.clone())
                .collect::<Vec<_>>(),
            "{filter:?}"
        );
        assert_eq!(view.total, expected.len() as u64, "{filter:?}");
    }
    let open: Vec<_> = all.iter().filter(|r| r.status.is_open()).collect();
    let (_, view) = all_pages(&app, &eva, &Default::default()).await;
    assert_eq!(view.total, 120);
    assert_eq!(view.pages, 3);
    assert_eq!(view.open, open.len());
    assert_eq!(view.overdue, open.iter().filter(|r| due(r) < today).count());
    assert_eq!(
        view.unassigned,
        open.iter().filter(|r| r.assignee_id.is_none()).count()
    );

    // Over HTTP: 50 rows, the total, links to the other pages that keep the filter.
    let mut staff = app.staff(EVA).await;
    let page = staff.get_text("/backoffice/verzoeken?soort=access").await;
    let rows = |html: &str| html.matches("href=\"/backoffice/verzoeken/AVG-").count();
    assert_eq!(rows(&page), 50);
    let access = all.iter().filter(|r| r.kind == Kind::Access).count();
    assert!(
        page.contains(&format!("{access} verzoeken")),
        "total missing"
    );
    assert!(page.contains("Pagina 1 van 3"));
    assert!(page.contains("href=\"/backoffice/verzoeken?soort=access&amp;pagina=2\""));
    let last = staff
        .get_text("/backoffice/verzoeken?soort=access&pagina=3")
        .await;
    assert_eq!(rows(&last), access - 100);
    assert!(last.contains("Pagina 3 van 3") && last.contains("rel=\"prev\""));
    // A page past the end shows the last; one that is not a number, the first.
    for (asked, shown) in [("999", "Pagina 3 van 3"), ("x", "Pagina 1 van 3")] {
        let html = staff
            .get_text(&format!(
                "/backoffice/verzoeken?soort=access&pagina={asked}"
            ))
            .await;
        assert!(html.contains(shown), "pagina={asked}");
    }

    // A search by reference, whole or its start, in any case; what is not part of a reference
    // is dropped, never used as a pattern.
    let one = &all.iter().max_by_key(|r| r.id).unwrap().reference;
    let found = staff
        .get_text(&format!(
            "/backoffice/verzoeken?zoek={}",
            one.to_lowercase()
        ))
        .await;
    assert_eq!(rows(&found), 1);
    assert!(found.contains(one.as_str()));
    let start = &one[..one.len() - 1];
    let some = staff
        .get_text(&format!("/backoffice/verzoeken?zoek={start}"))
        .await;
    let expected = all
        .iter()
        .filter(|r| r.reference.starts_with(start))
        .count();
    assert_eq!(rows(&some), expected.min(50));
    let odd = staff
        .get("/backoffice/verzoeken?zoek=%25%27%20OR%201%3D1")
        .await;
    assert_eq!(odd.status(), StatusCode::OK);
    assert!(odd.text().await.unwrap().contains("0 verzoeken"));
    app.finish().await;
}

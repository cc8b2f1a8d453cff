//! Who reaches which request: every request route for every kind of visitor, checked against a
//! snapshot of every request that nobody but its own people may change.

use reqwest::StatusCode;
use server::entities::rights_requests;
use types::Status;

use super::{send_message, withdraw};
use crate::support::{
    TestApp,
    demo::{ADMIN, KEES, NO_ROLE, PRIVACY_OFFICER, citizen_id, seed_demo_with_requests},
    location,
    rights::post_staff_action,
    staff_login,
};

/// Lifts the PDF limit for a test that is about who may see which document.
pub(super) fn unlimited_pdfs(settings: &mut server::config::Settings) {
    settings.limits.pdf_per_minute = 100_000;
}

/// Every request route for every kind of visitor: citizens reach only their own requests, staff
/// only by role, the privacy officer changes nothing, and nobody changes anything by sending
/// another's reference.
pub(super) async fn request_authorization_table(app: TestApp) {
    let vault = seed_demo_with_requests(&app).await;
    let kees = citizen_id(&app, &vault, KEES).await;
    let all = app.all::<rights_requests::Entity>().await;
    assert!(all.len() >= 10);
    let snapshot = || async {
        let mut rows: Vec<(String, Status, i32)> = app
            .all::<rights_requests::Entity>()
            .await
            .into_iter()
            .map(|r| (r.reference, r.status, r.version))
            .collect();
        rows.sort();
        let messages = app
            .count::<server::entities::request_messages::Entity>()
            .await;
        (rows, messages)
    };
    let before = snapshot().await;

    // A reference nobody has is a 404, for staff as for citizens.
    let mut handler = app.staff(crate::support::demo::EVA).await;
    let unknown = handler.get("/backoffice/verzoeken/AVG-2026-999999").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    let mut citizen = app.citizen_at(KEES, "hoog").await;
    let own_list = citizen.get_text("/verzoeken").await;
    for r in &all {
        let own = r.requester_id == kees;
        assert_eq!(
            own_list.contains(&r.reference),
            own,
            "{} in Kees's list",
            r.reference
        );
        let response = citizen.get(&format!("/verzoeken/{}", r.reference)).await;
        // Someone else's request is as missing as one that does not exist: 404.
        assert_eq!(
            response.status(),
            if own {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            },
            "{} for Kees",
            r.reference
        );
        let page = response.text().await.unwrap();
        assert_eq!(
            page.contains("Dit verzoek bestaat niet, of het is niet van u."),
            !own,
            "{} for Kees",
            r.reference
        );
        if !own {
            assert!(
                !page.contains(&r.explanation) || r.explanation.is_empty(),
                "{} leaks",
                r.reference
            );
            // Nor its answer or letters, in any form.
            for path in [
                "antwoord.json",
                "antwoord.pdf",
                "brief/besluit.pdf",
                "brief/verlenging.pdf",
            ] {
                assert_eq!(
                    citizen
                        .get(&format!("/verzoeken/{}/{path}", r.reference))
                        .await
                        .status(),
                    StatusCode::NOT_FOUND,
                    "{} {path} for Kees",
                    r.reference
                );
            }
            for page in ["antwoord", "besluit", "verlenging"] {
                let html = citizen
                    .get_text(&format!("/verzoeken/{}/{page}", r.reference))
                    .await;
                assert!(
                    !html.contains("data-testid=\"letter\""),
                    "{} {page}",
                    r.reference
                );
                assert!(
                    !html.contains("data-testid=\"answer\""),
                    "{} {page}",
                    r.reference
                );
            }
            withdraw(&mut citizen, &r.reference).await;
            send_message(&mut citizen, &r.reference, "van Kees").await;
        }
        // Back-office forms are for staff only.
        let claim = [("actie", "claim")];
        let forged = post_staff_action(&mut citizen, &r.reference, r.version, &claim).await;
        assert_eq!(location(&forged), "/?verlopen=1");
        let queue = citizen
            .get(&format!("/backoffice/verzoeken/{}", r.reference))
            .await;
        assert_eq!(location(&queue), "/overzicht");
    }
    assert_eq!(
        snapshot().await,
        before,
        "Kees changed someone else's request"
    );

    // Anonymous: every page redirects, every form changes nothing.
    let mut anonymous = app.browser();
    for r in &all {
        for path in [
            format!("/verzoeken/{}", r.reference),
            format!("/backoffice/verzoeken/{}", r.reference),
            format!("/verzoeken/{}/antwoord", r.reference),
            format!("/verzoeken/{}/antwoord.pdf", r.reference),
            format!("/verzoeken/{}/brief/besluit.pdf", r.reference),
            format!("/backoffice/verzoeken/{}/brief/besluit.pdf", r.reference),
        ] {
            assert!(
                anonymous.get(&path).await.status().is_redirection(),
                "anonymous reached {path}"
            );
        }
        withdraw(&mut anonymous, &r.reference).await;
        let claim = [("actie", "claim")];
        post_staff_action(&mut anonymous, &r.reference, r.version, &claim).await;
    }
    assert!(anonymous.get("/verzoeken").await.status().is_redirection());
    assert_eq!(snapshot().await, before);

    // Staff by role: the privacy officer reads everything and changes nothing; an admin and a
    // member without a role see no requests at all.
    for (subject, reads) in [(PRIVACY_OFFICER, true), (ADMIN, false), (NO_ROLE, false)] {
        // Not `app.staff`: the member without a role is refused at login, and must still
        // change nothing with the forms.
        let mut staff = app.browser();
        staff_login(&mut staff, subject, "none").await;
        let queue = staff.get_text("/backoffice/verzoeken").await;
        assert_eq!(queue.contains(&all[0].reference), reads, "{subject} queue");
        for r in &all {
            let page = staff
                .get_text(&format!("/backoffice/verzoeken/{}", r.reference))
                .await;
            assert_eq!(
                page.contains("data-testid=\"bsn\""),
                reads,
                "{subject} on {}",
                r.reference
            );
            for action in [
                "claim",
                "approve",
                "execute",
                "message",
                "note",
                "extend",
                "send_back",
                "send_answer",
            ] {
                let form = [("actie", action), ("bericht", "x"), ("reden", "x")];
                post_staff_action(&mut staff, &r.reference, r.version, &form).await;
            }
            staff
                .post(
                    &format!("/backoffice/verzoeken/{}/bsn", r.reference),
                    &[("reden", "nieuwsgierig")],
                )
                .await;
        }
    }
    assert_eq!(
        snapshot().await,
        before,
        "a read-only role changed a request"
    );
    app.finish().await;
}

/// A link on another site to a request in the back office records no view in the staff member's
/// name and shows nothing of the request: only their own click from Inzage's page opens it.
pub(super) async fn a_link_from_elsewhere_records_no_view(app: TestApp) {
    seed_demo_with_requests(&app).await;
    let reference = app.all::<rights_requests::Entity>().await[0]
        .reference
        .clone();
    let path = format!("/backoffice/verzoeken/{reference}");
    let mut eva = app.staff(crate::support::demo::EVA).await;
    let audit = || async { app.count::<server::entities::audit_events::Entity>().await };
    let lines = || async {
        app.count::<server::entities::processing_log_lines::Entity>()
            .await
    };
    let (audit_before, lines_before) = (audit().await, lines().await);
    for site in ["cross-site", "same-site"] {
        let response = eva.get_from(&path, site).await;
        assert_eq!(response.status(), StatusCode::OK, "{site}");
        let page = response.text().await.unwrap();
        assert!(page.contains("data-testid=\"open-from-here\""), "{site}");
        assert!(
            page.contains(&format!("href=\"{path}\"")),
            "a link that opens it"
        );
        assert!(!page.contains("******"), "nothing of the citizen: {site}");
    }
    assert_eq!(audit().await, audit_before, "no view recorded");
    assert_eq!(lines().await, lines_before, "nothing in the citizen's log");
    // A forged reference is not echoed into the page.
    let forged = eva
        .get_from("/backoffice/verzoeken/%3Cscript%3E", "cross-site")
        .await;
    assert_eq!(location(&forged), "/backoffice/verzoeken");

    // The staff member's own click (same origin) or typed address (none) opens it, recorded.
    for site in ["same-origin", "none"] {
        let page = eva.get_from(&path, site).await.text().await.unwrap();
        assert!(page.contains("******"), "the request opens: {site}");
    }
    assert_eq!(audit().await, audit_before + 2, "each view recorded");
    assert_eq!(lines().await, lines_before + 2);
    app.finish().await;
}

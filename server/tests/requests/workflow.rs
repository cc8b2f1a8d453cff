//! The workflow's rules as the service applies them: four eyes on erasure, and random sequences
//! of actions by random roles that never reach an illegal state.

use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use server::{
    entities::{request_events, rights_requests},
    rights::requests::{self, Command, Draft, ItemDecision, Kind, LeaveOutDecision},
};
use types::{Action, RefusalGround, Status};

use super::{managed_record, record_by_id};
use crate::support::{
    TestApp,
    demo::{HANS, KEES, citizen_id, seed_demo},
    rights::{
        SEES_HEALTH, act_in_turn, act_now, claim_and_grant, draft, file, item_ids, request_row,
        staff_actor, status_of,
    },
};

pub(super) async fn erasure_needs_a_second_pair_of_eyes(app: TestApp) {
    use server::identity::StaffRole::{Approver, Handler, PrivacyOfficer};
    let vault = seed_demo(&app).await;
    let kees = citizen_id(&app, &vault, KEES).await;
    let visibility = SEES_HEALTH;
    let record = managed_record(&app, kees, "Schuldhulpverlening").await;
    let erasure = draft(Kind::Erasure, vec![(record, None)]);
    let reference = file(&app, kees, &erasure, "t1").await;
    let both = staff_actor(&app, "both", &[Handler, Approver]).await;
    let approver = staff_actor(&app, "approver", &[Approver]).await;
    let officer = staff_actor(&app, "officer", &[PrivacyOfficer]).await;
    claim_and_grant(&app, &both, &reference).await;
    assert_eq!(status_of(&app, &reference).await.0, "awaiting_approval");
    // The citizen sees neither the unapproved decision nor the internal note.
    let note = Command::Note("Check bij de Kredietbank".into());
    act_now(&app, &both, &reference, note).await.unwrap();
    let seen = requests::detail_for_citizen(&app.db, kees, visibility, &reference, Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert!(
        seen.items.iter().all(|i| i.decision.is_none()),
        "draft decision shown"
    );
    assert!(
        seen.timeline.iter().all(|e| e.action != Action::Note),
        "internal step shown"
    );
    assert!(seen.messages.is_empty(), "internal note shown");
    // The decider cannot approve their own erasure, even with the approver role.
    assert!(matches!(
        act_now(&app, &both, &reference, Command::Approve).await,
        Err(requests::RequestError::Refused(
            server::rights::workflow::Refusal::OwnDecision
        ))
    ));
    assert!(matches!(
        act_now(&app, &officer, &reference, Command::Approve).await,
        Err(requests::RequestError::Refused(
            server::rights::workflow::Refusal::NotAllowed
        ))
    ));
    assert_eq!(status_of(&app, &reference).await.0, "awaiting_approval");
    assert!(
        record_by_id(&app, record).await.is_some(),
        "nothing erased before approval"
    );
    act_in_turn(
        &app,
        &reference,
        [(&approver, Command::Approve), (&both, Command::Execute)],
    )
    .await;
    assert!(
        record_by_id(&app, record).await.is_none(),
        "erased after approval"
    );
    app.finish().await;
}

/// Random sequences of actions by random roles: every request stays in a known status, its
/// timeline is one unbroken chain of allowed steps, and no request is lost.
pub(super) async fn random_actions_never_reach_an_illegal_state(app: TestApp) {
    use proptest::{
        prelude::*,
        strategy::ValueTree,
        test_runner::{Config, TestRunner},
    };
    use server::identity::StaffRole::{Approver, Handler, PrivacyOfficer};
    let vault = seed_demo(&app).await;
    let hans = citizen_id(&app, &vault, HANS).await;
    let visibility = SEES_HEALTH;
    let records: Vec<i64> = requests::pickable_records(&app.db, hans, visibility)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .take(2)
        .collect();
    let actors = [
        staff_actor(&app, "h1", &[Handler]).await,
        staff_actor(&app, "h2", &[Handler]).await,
        staff_actor(&app, "a1", &[Approver]).await,
        staff_actor(&app, "ha", &[Handler, Approver]).await,
        staff_actor(&app, "po", &[PrivacyOfficer]).await,
    ];
    // (actor index or 9 for the citizen, action 0..12, a coin for grant/refuse)
    let step = (0usize..6, 0u8..12, any::<bool>());
    let mut runner = TestRunner::new(Config {
        cases: 24,
        ..Config::default()
    });
    let sequences = proptest::collection::vec(step, 5..30);
    let kinds = [
        Kind::Rectification,
        Kind::Erasure,
        Kind::Access,
        Kind::Restriction,
    ];
    for case in 0..24 {
        let plan = sequences.new_tree(&mut runner).unwrap().current();
        let kind = kinds[case % kinds.len()];
        let draft = Draft {
            for_child: None,
            kind,
            all_data: kind == Kind::Access,
            items: if kind == Kind::Access {
                vec![]
            } else {
                records
                    .iter()
                    .map(|&r| (r, (kind == Kind::Rectification).then(|| "nieuw".to_owned())))
                    .collect()
            },
            explanation: "x".into(),
        };
        let reference = file(&app, hans, &draft, &format!("p{case}")).await;
        for (who, action, coin) in plan {
            let (_, version) = status_of(&app, &reference).await;
            let items = item_ids(&app, &reference).await;
            if who == 5 {
                let _ = match action % 2 {
                    0 => requests::withdraw(&app.db, hans, &reference, Utc::now()).await,
                    _ => {
                        requests::citizen_message(&app.db, hans, &reference, "antwoord", Utc::now())
                            .await
                    }
                };
                continue;
            }
            let command = match action {
                0 => Command::Claim,
                1 => Command::AskInformation("vraag".into()),
                2 => Command::Extend("reden".into()),
                3 => Command::Decide(
                    items
                        .iter()
                        .map(|&item_id| ItemDecision {
                            item_id,
                            granted: coin,
                            ground: (!coin).then_some(RefusalGround::LegalObligation),
                            note: "n".into(),
                        })
                        .collect(),
                    String::new(),
                    // Granting access may leave a record out: a refusal in effect.
                    LeaveOutDecision {
                        records: if coin {
                            records[..1].to_vec()
                        } else {
                            Vec::new()
                        },
                        ground: Some(RefusalGround::OthersRights),
                        note: "n".into(),
                    },
                ),
                4 => Command::Approve,
                5 => Command::SendBack("terug".into()),
                6 => Command::Execute,
                7 => Command::Message("bericht".into()),
                8 => Command::Note("notitie".into()),
                9 => Command::ConfirmAuthority,
                10 => Command::FinishTask {
                    task_id: i64::from(coin),
                    done: coin,
                    reason: "r".into(),
                },
                _ => Command::Decide(Vec::new(), String::new(), Default::default()),
            };
            let _ = requests::act(
                &app.db,
                &app.settings,
                &actors[who],
                &reference,
                version,
                command,
                Utc::now(),
            )
            .await;
        }
        // The request is there, in a known status, and its timeline is an unbroken chain.
        let (status, _) = status_of(&app, &reference).await;
        assert!(Status::parse(&status).is_some(), "{status}");
        let status = Status::parse(&status).unwrap();
        let request = request_row(&app, &reference).await;
        let events = request_events::Entity::find()
            .filter(request_events::Column::RequestId.eq(request.id))
            .order_by_asc(request_events::Column::Id)
            .all(&app.db)
            .await
            .unwrap();
        let mut current = Status::Submitted;
        for e in &events[1..] {
            assert_eq!(
                e.from_status, current,
                "{reference}: chain broken at {}",
                e.action
            );
            current = e.to_status;
        }
        assert_eq!(
            current, status,
            "{reference}: the timeline ends where the request is"
        );
        // A final state is only reached through its own door.
        match status {
            Status::Withdrawn => assert!(events.iter().any(|e| e.action == Action::Withdraw)),
            Status::Rejected => assert!(request.approved_by.is_some()),
            Status::Completed => assert!(events.iter().any(|e| e.action == Action::Execute)),
            _ => {}
        }
        // Erasure and refusal never take effect without an approver other than the decider.
        if matches!(
            status,
            Status::Decided | Status::Executing | Status::Completed | Status::Rejected
        ) && (kind == Kind::Erasure || request.approved_by.is_some())
        {
            assert!(
                request.approved_by.is_some() && request.approved_by != request.decided_by,
                "{reference}: four eyes"
            );
        }
        // An answer leaves records out only as an approver other than the decider approved.
        if let Some(answer) = server::rights::answers::sent(&app.db, request.id)
            .await
            .unwrap()
            .filter(|a| !a.left_out_items.is_empty())
        {
            assert!(
                request.approved_by.is_some() && request.approved_by != request.decided_by,
                "{reference}: left out without four eyes"
            );
            let approved: Vec<i64> = server::rights::answers::leave_outs(&app.db, request.id)
                .await
                .unwrap()
                .iter()
                .map(|l| l.record_id)
                .collect();
            let sent: Vec<i64> = answer.left_out_items.iter().map(|i| i.id).collect();
            assert_eq!(sent, approved, "{reference}: left out what was approved");
        }
    }
    assert_eq!(
        app.count::<rights_requests::Entity>().await,
        24,
        "no request lost"
    );
    app.finish().await;
}

//! The request workflow as one explicit transition table (DESIGN §3).
//!
//! ```text
//! submitted → in_review ⇄ awaiting_citizen
//! in_review → awaiting_approval → decided | rejected     (erasure or refusal: four eyes;
//!                                                          leaving data out of an access
//!                                                          answer is a refusal too)
//! in_review → decided                                     (nothing that needs an approver)
//! awaiting_approval → in_review                           (the approver sends it back)
//! decided → executing → completed
//! completed → completed                                   (a handler lifts a restriction)
//! submitted | in_review | awaiting_citizen | awaiting_approval → withdrawn   (by the citizen)
//! ```
//!
//! [`check`] decides whether an actor may take an action in a state, and where it leads. The
//! service in `requests` calls it inside the transaction that applies the change.

use crate::{identity::StaffRole, rights::deadlines::ExtensionRefused};
pub use types::{Action, Status};

/// Who acts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// The citizen who filed the request (the requester).
    Requester,
    /// A staff member with these roles.
    Staff {
        /// Staff account id.
        id: i64,
        /// Roles at this login.
        roles: Vec<StaffRole>,
    },
    /// Inzage itself (a source system's acknowledgement finishing the last task).
    System,
}

/// The facts about the request a rule looks at, besides its status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// The assigned handler.
    pub assignee: Option<i64>,
    /// Who took the decision that waits for approval.
    pub decided_by: Option<i64>,
    /// The decision includes an erasure or a refusal, or leaves records out of an access
    /// answer (needs an approver).
    pub needs_approval: bool,
    /// Every item is refused.
    pub all_refused: bool,
    /// Filed by a parent for a child, and the parent's authority is not yet confirmed.
    pub authority_unconfirmed: bool,
    /// Open execution tasks remain.
    pub open_tasks: bool,
    /// Records of the citizen are still restricted by this request.
    pub restriction_in_effect: bool,
    /// Why the deadline can no longer be extended, if it cannot (`deadlines::may_extend`).
    pub extension_refused: Option<ExtensionRefused>,
}

/// Why an action is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Not allowed in the current status.
    #[error("not possible in this status")]
    WrongStatus,
    /// The actor lacks the role.
    #[error("not allowed for this role")]
    NotAllowed,
    /// Only the assigned handler may do this.
    #[error("only the assigned handler may do this")]
    NotAssignee,
    /// The approver must be someone other than the decider.
    #[error("the approver must be someone other than the handler who decided")]
    OwnDecision,
    /// A parent's authority must be confirmed first.
    #[error("the parent's authority must be confirmed first")]
    AuthorityUnconfirmed,
    /// Tasks are still open.
    #[error("tasks are still open")]
    TasksOpen,
    /// There is no parent's authority to confirm (filed by the subject, or confirmed already).
    #[error("there is no authority to confirm")]
    NothingToConfirm,
    /// The request restricts no record (any more).
    #[error("there is no restriction to lift")]
    NothingToLift,
    /// The deadline rules refuse an extension.
    #[error("extension refused: {0}")]
    Extension(ExtensionRefused),
}

fn has(actor: &Actor, role: StaffRole) -> Option<i64> {
    match actor {
        Actor::Staff { id, roles } if roles.contains(&role) => Some(*id),
        _ => None,
    }
}

/// Whether `actor` may take `action` on a request in `status` with these `facts`, and the status
/// it leads to. The single place the workflow's rules live.
pub fn check(
    status: Status,
    action: Action,
    actor: &Actor,
    facts: &Facts,
) -> Result<Status, Refusal> {
    use Action as A;
    use Status as S;
    let handler = has(actor, StaffRole::Handler);
    let approver = has(actor, StaffRole::Approver);
    // Role first: a privacy officer is refused for the role, whatever the status.
    let role_ok = match action {
        A::CitizenReplies | A::Withdraw => matches!(actor, Actor::Requester),
        A::Approve | A::SendBack => approver.is_some(),
        A::FinishTasks => handler.is_some() || matches!(actor, Actor::System),
        A::Message | A::Note => handler.is_some() || approver.is_some(),
        _ => handler.is_some(),
    };
    if !role_ok {
        return Err(Refusal::NotAllowed);
    }
    let assignee_only = |to: Status| {
        if handler.is_some() && facts.assignee == handler {
            Ok(to)
        } else {
            Err(Refusal::NotAssignee)
        }
    };
    match (action, status) {
        (A::Claim, S::Submitted) => Ok(S::InReview),
        (A::Claim, s @ (S::InReview | S::AwaitingCitizen)) => Ok(s),
        (A::AskInformation, S::InReview) => assignee_only(S::AwaitingCitizen),
        (A::CitizenReplies, S::AwaitingCitizen) => Ok(S::InReview),
        (A::Extend, s @ (S::Submitted | S::InReview | S::AwaitingCitizen)) => {
            match facts.extension_refused {
                Some(refused) => Err(Refusal::Extension(refused)),
                None => Ok(s),
            }
        }
        (A::ConfirmAuthority, s) if s.is_open() => {
            if facts.authority_unconfirmed {
                Ok(s)
            } else {
                Err(Refusal::NothingToConfirm)
            }
        }
        (A::Decide, S::InReview) => {
            if facts.authority_unconfirmed {
                return Err(Refusal::AuthorityUnconfirmed);
            }
            assignee_only(if facts.needs_approval {
                S::AwaitingApproval
            } else {
                S::Decided
            })
        }
        (A::Approve | A::SendBack, S::AwaitingApproval) => {
            // Without a known decider nobody can show they are someone else.
            if facts.decided_by.is_none() || facts.decided_by == approver {
                return Err(Refusal::OwnDecision);
            }
            Ok(match action {
                A::SendBack => S::InReview,
                _ if facts.all_refused => S::Rejected,
                _ => S::Decided,
            })
        }
        (A::Execute, S::Decided) => Ok(S::Executing),
        // Closing one task leaves the request executing; FinishTasks completes it after the last.
        (A::FinishTask, S::Executing) => Ok(S::Executing),
        (A::FinishTasks, S::Executing) => {
            if facts.open_tasks {
                Err(Refusal::TasksOpen)
            } else {
                Ok(S::Completed)
            }
        }
        (A::Withdraw, s) if s.is_open() => Ok(S::Withdrawn),
        // Lifting a restriction is a step of its own after completion: the request stays
        // completed, its timeline records the lifting and the reason the citizen is told.
        (A::LiftRestriction, S::Completed) => {
            if facts.restriction_in_effect {
                Ok(S::Completed)
            } else {
                Err(Refusal::NothingToLift)
            }
        }
        (A::Message | A::Note, s) if !s.is_final() => Ok(s),
        // Before lifting a restriction the citizen must be told (Art. 18(3)): the handler can
        // still write to them while it holds.
        (A::Message, S::Completed) if facts.restriction_in_effect => Ok(S::Completed),
        _ => Err(Refusal::WrongStatus),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staff(id: i64, roles: &[StaffRole]) -> Actor {
        Actor::Staff {
            id,
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn statuses_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("nonsense"), None);
    }

    #[test]
    fn the_happy_path_of_an_erasure() {
        let handler = staff(1, &[StaffRole::Handler]);
        let approver = staff(2, &[StaffRole::Approver]);
        let mut facts = Facts::default();
        let s = check(Status::Submitted, Action::Claim, &handler, &facts).unwrap();
        assert_eq!(s, Status::InReview);
        facts.assignee = Some(1);
        let s = check(s, Action::AskInformation, &handler, &facts).unwrap();
        assert_eq!(s, Status::AwaitingCitizen);
        let s = check(s, Action::CitizenReplies, &Actor::Requester, &facts).unwrap();
        facts.needs_approval = true;
        let s = check(s, Action::Decide, &handler, &facts).unwrap();
        assert_eq!(s, Status::AwaitingApproval);
        facts.decided_by = Some(1);
        let s = check(s, Action::Approve, &approver, &facts).unwrap();
        assert_eq!(s, Status::Decided);
        let s = check(s, Action::Execute, &handler, &facts).unwrap();
        facts.open_tasks = true;
        assert_eq!(
            check(s, Action::FinishTasks, &Actor::System, &facts),
            Err(Refusal::TasksOpen)
        );
        facts.open_tasks = false;
        assert_eq!(
            check(s, Action::FinishTasks, &Actor::System, &facts),
            Ok(Status::Completed)
        );
    }

    #[test]
    fn a_handler_lifts_a_restriction_only_while_one_is_in_effect() {
        let handler = staff(1, &[StaffRole::Handler]);
        let officer = staff(2, &[StaffRole::PrivacyOfficer]);
        let held = Facts {
            restriction_in_effect: true,
            ..Facts::default()
        };
        let lift = |status, actor: &Actor, facts: &Facts| {
            check(status, Action::LiftRestriction, actor, facts)
        };
        assert_eq!(
            lift(Status::Completed, &handler, &held),
            Ok(Status::Completed)
        );
        assert_eq!(
            lift(Status::Completed, &handler, &Facts::default()),
            Err(Refusal::NothingToLift)
        );
        assert_eq!(
            lift(Status::Completed, &officer, &held),
            Err(Refusal::NotAllowed)
        );
        for status in Status::ALL.into_iter().filter(|s| *s != Status::Completed) {
            assert_eq!(
                lift(status, &handler, &held),
                Err(Refusal::WrongStatus),
                "{status}"
            );
        }
    }

    #[test]
    fn four_eyes_refuses_the_deciders_own_approval() {
        let both = staff(1, &[StaffRole::Handler, StaffRole::Approver]);
        let facts = Facts {
            assignee: Some(1),
            decided_by: Some(1),
            needs_approval: true,
            ..Facts::default()
        };
        assert_eq!(
            check(Status::AwaitingApproval, Action::Approve, &both, &facts),
            Err(Refusal::OwnDecision)
        );
        assert_eq!(
            check(Status::AwaitingApproval, Action::SendBack, &both, &facts),
            Err(Refusal::OwnDecision)
        );
    }

    #[test]
    fn a_handler_closes_tasks_only_while_executing() {
        let handler = staff(1, &[StaffRole::Handler]);
        let facts = Facts::default();
        for s in Status::ALL {
            let expected = if s == Status::Executing {
                Ok(Status::Executing)
            } else {
                Err(Refusal::WrongStatus)
            };
            assert_eq!(
                check(s, Action::FinishTask, &handler, &facts),
                expected,
                "{s:?}"
            );
        }
        assert_eq!(
            check(
                Status::Executing,
                Action::FinishTask,
                &staff(2, &[StaffRole::Approver]),
                &facts
            ),
            Err(Refusal::NotAllowed)
        );
    }

    #[test]
    fn no_approval_without_a_known_decider() {
        let facts = Facts {
            needs_approval: true,
            ..Facts::default()
        };
        assert_eq!(
            check(
                Status::AwaitingApproval,
                Action::Approve,
                &staff(2, &[StaffRole::Approver]),
                &facts
            ),
            Err(Refusal::OwnDecision)
        );
    }

    #[test]
    fn a_refusal_of_everything_ends_rejected() {
        let facts = Facts {
            decided_by: Some(1),
            needs_approval: true,
            all_refused: true,
            ..Facts::default()
        };
        assert_eq!(
            check(
                Status::AwaitingApproval,
                Action::Approve,
                &staff(2, &[StaffRole::Approver]),
                &facts
            ),
            Ok(Status::Rejected)
        );
    }

    #[test]
    fn withdrawal_only_before_a_decision() {
        let facts = Facts::default();
        for s in Status::ALL {
            let result = check(s, Action::Withdraw, &Actor::Requester, &facts);
            if s.is_open() {
                assert_eq!(result, Ok(Status::Withdrawn));
            } else {
                assert_eq!(result, Err(Refusal::WrongStatus), "{s:?}");
            }
        }
    }

    #[test]
    fn the_privacy_officer_and_admin_change_nothing() {
        let facts = Facts {
            assignee: Some(4),
            decided_by: Some(1),
            ..Facts::default()
        };
        for role in [StaffRole::PrivacyOfficer, StaffRole::Admin] {
            let actor = staff(4, &[role]);
            for s in Status::ALL {
                for a in Action::ALL {
                    assert_eq!(
                        check(s, a, &actor, &facts),
                        Err(Refusal::NotAllowed),
                        "{role:?} {s:?} {a:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn only_the_assignee_decides_or_asks() {
        let other = staff(9, &[StaffRole::Handler]);
        let facts = Facts {
            assignee: Some(1),
            ..Facts::default()
        };
        assert_eq!(
            check(Status::InReview, Action::Decide, &other, &facts),
            Err(Refusal::NotAssignee)
        );
        assert_eq!(
            check(Status::InReview, Action::AskInformation, &other, &facts),
            Err(Refusal::NotAssignee)
        );
        // Anyone with the role may take it over first.
        assert_eq!(
            check(Status::InReview, Action::Claim, &other, &facts),
            Ok(Status::InReview)
        );
    }

    #[test]
    fn a_parents_request_is_not_decided_before_authority_is_confirmed() {
        let facts = Facts {
            assignee: Some(1),
            authority_unconfirmed: true,
            ..Facts::default()
        };
        assert_eq!(
            check(
                Status::InReview,
                Action::Decide,
                &staff(1, &[StaffRole::Handler]),
                &facts
            ),
            Err(Refusal::AuthorityUnconfirmed)
        );
    }

    #[test]
    fn final_states_accept_nothing() {
        let everyone = [
            Actor::Requester,
            Actor::System,
            staff(1, &[StaffRole::Handler, StaffRole::Approver]),
        ];
        let facts = Facts {
            assignee: Some(1),
            ..Facts::default()
        };
        for s in [Status::Completed, Status::Withdrawn, Status::Rejected] {
            for a in Action::ALL {
                for actor in &everyone {
                    assert!(check(s, a, actor, &facts).is_err(), "{s:?} {a:?} {actor:?}");
                }
            }
        }
    }
}

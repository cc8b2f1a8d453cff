//! Rights requests: what is asked, where it stands, what was decided and done.

use serde::{Deserialize, Serialize};

use crate::macros::vocabulary;

vocabulary! {
    /// The kinds of request (GDPR articles 15–21 and the BRP protocol).
    Kind, "kind" {
        /// Art. 15: a copy of the data and the facts about its processing.
        Access => "access",
        /// Art. 16: correct a value.
        Rectification => "rectification",
        /// Art. 17: erase.
        Erasure => "erasure",
        /// Art. 18: restrict processing.
        Restriction => "restriction",
        /// Art. 21: object to processing.
        Objection => "objection",
        /// The full BRP protocol: who received the citizen's BRP data.
        BrpProtocol => "brp_protocol",
    }
}

impl Kind {
    /// Whether the citizen may pick records (the others always cover all data).
    pub fn picks_records(self) -> bool {
        !matches!(self, Kind::Access | Kind::BrpProtocol)
    }

    /// What a granted item does to its record, if anything.
    pub fn task_action(self) -> Option<TaskAction> {
        match self {
            Kind::Rectification => Some(TaskAction::Rectify),
            Kind::Erasure => Some(TaskAction::Erase),
            Kind::Restriction | Kind::Objection => Some(TaskAction::Restrict),
            Kind::Access | Kind::BrpProtocol => None,
        }
    }

    /// The translation key of the longer explanation on "Nieuw verzoek".
    pub fn explained_key(self) -> &'static str {
        match self {
            Kind::Access => "kind.access.explained",
            Kind::Rectification => "kind.rectification.explained",
            Kind::Erasure => "kind.erasure.explained",
            Kind::Restriction => "kind.restriction.explained",
            Kind::Objection => "kind.objection.explained",
            Kind::BrpProtocol => "kind.brp_protocol.explained",
        }
    }
}

vocabulary! {
    /// Where a request stands (the workflow's states, DESIGN §3).
    Status, "status" {
        /// Filed, nobody has picked it up.
        Submitted => "submitted",
        /// A handler works on it.
        InReview => "in_review",
        /// The municipality waits for information from the citizen.
        AwaitingCitizen => "awaiting_citizen",
        /// A decision that needs a second pair of eyes waits for an approver.
        AwaitingApproval => "awaiting_approval",
        /// Decided (and approved where needed); not yet carried out.
        Decided => "decided",
        /// Being carried out: source systems and recipients have open tasks.
        Executing => "executing",
        /// Done.
        Completed => "completed",
        /// Withdrawn by the citizen before a decision.
        Withdrawn => "withdrawn",
        /// Refused as a whole, with grounds.
        Rejected => "rejected",
    }
}

impl Status {
    /// No further action changes it.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Status::Completed | Status::Withdrawn | Status::Rejected
        )
    }

    /// Still running against its due date.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::Submitted
                | Status::InReview
                | Status::AwaitingCitizen
                | Status::AwaitingApproval
        )
    }

    /// The municipality's decision has taken effect: the citizen sees it and a letter exists.
    pub fn decision_in_effect(self) -> bool {
        matches!(
            self,
            Status::Decided | Status::Executing | Status::Completed | Status::Rejected
        )
    }
}

/// The queue's status filter: one status, or every open one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatusFilter {
    /// Every status that still runs against its due date.
    Open,
    /// Exactly this status.
    Is(Status),
}

impl StatusFilter {
    /// The form value: `open` or the status's stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusFilter::Open => "open",
            StatusFilter::Is(status) => status.as_str(),
        }
    }

    /// Reads the form value; anything else is no filter.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "open" => Some(StatusFilter::Open),
            other => Status::parse(other).map(StatusFilter::Is),
        }
    }

    /// Whether a request in `status` passes.
    pub fn admits(self, status: Status) -> bool {
        match self {
            StatusFilter::Open => status.is_open(),
            StatusFilter::Is(wanted) => wanted == status,
        }
    }
}

vocabulary! {
    /// What someone does to a request: the workflow's actions and the timeline's entries.
    Action, "action" {
        /// The citizen files the request (the first timeline entry; not a transition).
        Submit => "submit",
        /// A handler takes it on (or takes it over).
        Claim => "claim",
        /// The handler asks the citizen for information.
        AskInformation => "ask_information",
        /// The citizen answers.
        CitizenReplies => "citizen_replies",
        /// The handler extends the deadline (checked further by the deadline rules).
        Extend => "extend",
        /// The handler confirms a parent's authority over the child the request is for.
        ConfirmAuthority => "confirm_authority",
        /// The handler decides every item.
        Decide => "decide",
        /// An approver other than the decider approves the decision.
        Approve => "approve",
        /// An approver sends the decision back.
        SendBack => "send_back",
        /// The handler carries the decision out.
        Execute => "execute",
        /// A handler closes one Art. 19 task (done, or impossible with a reason).
        FinishTask => "finish_task",
        /// The last open task was finished.
        FinishTasks => "finish_tasks",
        /// The citizen withdraws the request.
        Withdraw => "withdraw",
        /// A handler lifts the restriction a completed restriction or objection put on the
        /// citizen's records (Art. 18(3): the citizen is told, with the reason).
        LiftRestriction => "lift_restriction",
        /// A message to the citizen.
        Message => "message",
        /// An internal note, for staff only.
        Note => "note",
    }
}

impl Action {
    /// Timeline entries only staff see.
    pub fn staff_only(self) -> bool {
        matches!(self, Action::Note | Action::SendBack | Action::FinishTask)
    }
}

vocabulary! {
    /// Who wrote a timeline entry or a message.
    ActorKind, "actor" {
        /// The citizen (the requester).
        Citizen => "citizen",
        /// A staff member (named separately).
        Staff => "staff",
        /// Inzage itself.
        System => "system",
    }
}

vocabulary! {
    /// The decision on one item of a request.
    Decision, "decision" {
        /// Granted.
        Granted => "granted",
        /// Refused, with a ground.
        Refused => "refused",
    }
}

vocabulary! {
    /// Grounds on which an item may be refused.
    RefusalGround, "ground" {
        /// Art. 17(3)(b): a legal obligation or a task in the public interest.
        LegalObligation => "art17_3_b",
        /// Art. 17(3)(d): archiving in the public interest (Archiefwet, Jeugdwet retention).
        Archiving => "art17_3_d",
        /// Art. 17(3)(e): legal claims.
        LegalClaims => "art17_3_e",
        /// Art. 12(5): manifestly unfounded or excessive.
        Excessive => "art12_5",
        /// UAVG art. 41: the rights of others, or another ground of the national law.
        Uavg41 => "uavg41",
        /// Art. 15(4): a copy would adversely affect the rights and freedoms of others.
        OthersRights => "art15_4",
    }
}

impl RefusalGround {
    /// The grounds on which a record may be left out of an access answer: Art. 15(4) (others'
    /// rights and freedoms) and the national restrictions of UAVG art. 41. The Art. 17(3)
    /// grounds are about keeping data, and Art. 12(5) about the request as a whole.
    pub const LEAVE_OUT: [RefusalGround; 2] = [RefusalGround::OthersRights, RefusalGround::Uavg41];

    /// Whether a record may be left out of an access answer on this ground.
    pub fn leaves_out(self) -> bool {
        Self::LEAVE_OUT.contains(&self)
    }
}

vocabulary! {
    /// What execution did to one item.
    Outcome, "outcome" {
        /// The value was corrected (old value in the history).
        Rectified => "rectified",
        /// The record was erased.
        Erased => "erased",
        /// Processing of the record is restricted.
        Restricted => "restricted",
        /// A connected source system has the task and has not confirmed yet.
        SentToSource => "sent_to_source",
        /// Refused: the record stays as it is.
        Kept => "kept",
        /// Granted, with nothing to change (access, objection answered).
        Answered => "answered",
        /// The record no longer exists.
        Gone => "gone",
        /// The source system reported that it cannot carry it out.
        Impossible => "impossible",
    }
}

vocabulary! {
    /// Who a task is for.
    TaskKind, "task" {
        /// A connected source system carries the change out.
        Source => "source",
        /// A recipient of the data is told of the change (Art. 19).
        Art19 => "art19",
    }
}

vocabulary! {
    /// What a task asks of its source system or recipient.
    TaskAction, "task.action" {
        /// Correct the value.
        Rectify => "rectify",
        /// Erase the record.
        Erase => "erase",
        /// Restrict processing.
        Restrict => "restrict",
    }
}

vocabulary! {
    /// The choice per item on the staff decision form (`besluit-<item>`).
    DecisionChoice, "decision" {
        /// Grant the item.
        Grant => "toekennen" as "decision.granted",
        /// Refuse the item (with a ground).
        Refuse => "weigeren" as "decision.refused",
    }
}

vocabulary! {
    /// How a handler closes an Art. 19 task on the staff form (`uitkomst`).
    TaskOutcome, "staff" {
        /// The recipient was told.
        Done => "gedaan" as "staff.task_done",
        /// Telling them was impossible (with a reason).
        Impossible => "onmogelijk" as "staff.task_impossible",
    }
}

/// The staff form's `actie` that carries out a granted access request by sending its answer
/// (a command of its own, beside the workflow's actions).
pub const SEND_ANSWER: &str = "send_answer";

vocabulary! {
    /// Where a task stands.
    TaskStatus, "task.status" {
        /// Waiting for the source system or the handler.
        Open => "open",
        /// Carried out.
        Done => "done",
        /// Could not be carried out (with a reason).
        Impossible => "impossible",
    }
}

vocabulary! {
    /// A notice on a request or consent page after a form (`?melding=`).
    Notice, "request.notice" {
        /// The request was filed.
        Received => "ontvangen" as "request.notice.received",
        /// The message was sent.
        Sent => "verstuurd" as "request.notice.sent",
        /// The request or consent was withdrawn.
        Withdrawn => "ingetrokken" as "request.notice.withdrawn",
        /// The change was saved.
        Saved => "opgeslagen" as "request.notice.saved",
        /// A confirmation is needed first.
        Confirm => "bevestigen" as "request.notice.confirm",
        /// Not possible in this status.
        WrongStatus => "status" as "request.notice.status",
        /// The form has problems.
        Invalid => "ongeldig" as "request.notice.invalid",
        /// No such request (or not yours).
        Unknown => "onbekend" as "request.notice.unknown",
        /// The form was already sent; look again.
        Again => "opnieuw" as "request.notice.again",
        /// Not allowed for this role.
        Role => "rol" as "request.notice.role",
        /// Only the assigned handler may do this.
        NotAssignee => "niet-toegewezen" as "request.notice.not_assignee",
        /// The approver must be someone else.
        FourEyes => "vier-ogen" as "request.notice.four_eyes",
        /// The parent's authority must be confirmed first.
        Authority => "gezag" as "request.notice.authority",
        /// Tasks are still open.
        TasksOpen => "taken-open" as "request.notice.tasks_open",
        /// The deadline was already extended once.
        AlreadyExtended => "al-verlengd" as "request.notice.already_extended",
        /// The first month has passed: no extension any more.
        TooLate => "te-laat" as "request.notice.too_late",
        /// An extension needs a reason.
        Reason => "reden" as "request.notice.reason",
        /// Someone else changed the request in the meantime.
        Stale => "gewijzigd" as "request.notice.stale",
        /// The access answer misses Art. 15 items.
        AnswerIncomplete => "antwoord-onvolledig" as "request.notice.answer_incomplete",
        /// Leaving data out of the answer needs a ground from the list and a note.
        LeaveOutGround => "weglaten-grond" as "request.notice.leave_out_ground",
        /// The answer leaves out exactly what the approver approved, nothing else.
        LeaveOutNotApproved => "weglaten-niet-goedgekeurd" as "request.notice.leave_out_not_approved",
        /// Storing failed; nothing changed.
        Failed => "fout" as "request.notice.failed",
    }
}

impl Notice {
    /// An error (shown as an alert) rather than a confirmation.
    pub fn is_error(self) -> bool {
        !matches!(
            self,
            Notice::Received | Notice::Sent | Notice::Withdrawn | Notice::Saved
        )
    }
}

vocabulary! {
    /// A notice on "Instellingen" after a contact form (`?melding=`).
    ContactNotice, "settings" {
        /// A confirmation code was sent.
        Sent => "verstuurd" as "settings.notice_sent",
        /// The address is confirmed.
        Confirmed => "bevestigd" as "settings.notice_confirmed",
        /// The address was removed.
        Removed => "verwijderd" as "settings.notice_removed",
        /// Not an e-mail address.
        Invalid => "ongeldig" as "settings.notice_invalid",
        /// The code is wrong.
        WrongCode => "code-onjuist" as "settings.notice_wrong_code",
        /// No code is waiting (or it expired).
        NoCode => "code-verlopen" as "settings.notice_no_code",
        /// Asked again too soon.
        TooSoon => "te-snel" as "settings.notice_too_soon",
        /// Too many tries.
        TooMany => "te-vaak" as "settings.notice_too_many",
    }
}

impl ContactNotice {
    /// An error (shown as an alert) rather than a confirmation.
    pub fn is_error(self) -> bool {
        !matches!(
            self,
            ContactNotice::Sent | ContactNotice::Confirmed | ContactNotice::Removed
        )
    }
}

//! What the citizen does and reads: their requests, one request, withdrawing, messaging.

use super::*;

/// Whose requests a citizen's session reaches: the citizen's own and, unless someone acts for
/// them, those they filed for a child in their authority. A mandate covers the represented
/// person only, never the children in their authority.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Requester {
    /// The session's citizen (the represented person, under a machtiging).
    pub citizen_id: i64,
    /// The representative acting in this session, if anyone: the actor in the audit log.
    pub acting: Option<i64>,
}

impl From<i64> for Requester {
    fn from(citizen_id: i64) -> Self {
        Self {
            citizen_id,
            acting: None,
        }
    }
}

impl Requester {
    /// Who the audit log names as having acted.
    fn actor(self) -> audit::Actor {
        audit::Actor::Citizen(self.acting.unwrap_or(self.citizen_id))
    }
}

/// "Mijn verzoeken": the requests the citizen filed, newest first.
pub async fn list_for_citizen(
    db: &DatabaseConnection,
    who: impl Into<Requester>,
    now: DateTime<Utc>,
) -> Result<Vec<RequestSummaryView>, DbErr> {
    let who = who.into();
    let today = deadlines::received_on(now);
    let mut query = rights_requests::Entity::find()
        .filter(rights_requests::Column::RequesterId.eq(who.citizen_id));
    if who.acting.is_some() {
        query = query.filter(rights_requests::Column::CitizenId.eq(who.citizen_id));
    }
    let query = query
        .order_by_desc(rights_requests::Column::ReceivedAt)
        .order_by_desc(rights_requests::Column::Id);
    Ok(load_requests(db, query)
        .await?
        .iter()
        .map(|r| summary(r, today, None))
        .collect())
}

/// A request the citizen filed and may still see on `today`: about themselves, or about a child
/// still in their authority. Re-checked at every view and action, so a parent whose authority
/// ended (or a child who turned 16) finds it gone, as anyone else's request is.
pub(super) async fn by_reference_for_citizen<C: ConnectionTrait>(
    db: &C,
    who: Requester,
    reference: &str,
    today: NaiveDate,
) -> Result<rights_requests::Model, RequestError> {
    let citizen_id = who.citizen_id;
    let query = rights_requests::Entity::find()
        .filter(rights_requests::Column::Reference.eq(reference))
        .filter(rights_requests::Column::RequesterId.eq(citizen_id));
    let request = load_requests(db, query)
        .await?
        .into_iter()
        .next()
        .ok_or(RequestError::NotFound)?;
    let theirs = request.citizen_id == citizen_id
        || who.acting.is_none()
            && children_of(db, citizen_id, today)
                .await?
                .iter()
                .any(|(id, _)| *id == request.citizen_id);
    if theirs {
        Ok(request)
    } else {
        Err(RequestError::NotFound)
    }
}

/// A request the citizen filed, for its answer and letters: for a child only while the parent
/// still files for them.
pub async fn for_citizen_documents(
    db: &DatabaseConnection,
    who: impl Into<Requester>,
    reference: &str,
    now: DateTime<Utc>,
) -> Result<Option<rights_requests::Model>, DbErr> {
    let who = who.into();
    let today = deadlines::received_on(now);
    match by_reference_for_citizen(db, who, reference, today).await {
        Ok(request) => Ok(Some(request)),
        Err(RequestError::Database(e)) => Err(e),
        Err(_) => Ok(None),
    }
}

/// A request of the citizen's, in full (internal notes and staff names left out).
pub async fn detail_for_citizen(
    db: &DatabaseConnection,
    who: impl Into<Requester>,
    visibility: Visibility,
    reference: &str,
    now: DateTime<Utc>,
) -> Result<Option<RequestDetailView>, DbErr> {
    let who = who.into();
    let today = deadlines::received_on(now);
    let request = match by_reference_for_citizen(db, who, reference, today).await {
        Ok(request) => request,
        Err(RequestError::Database(e)) => return Err(e),
        Err(_) => return Ok(None),
    };
    // Current values only as the rest of the portal would show them at this login.
    let visible: HashMap<i64, String> = pickable_records(db, request.citizen_id, visibility)
        .await?
        .into_iter()
        .map(|r| (r.id, r.value))
        .collect();
    Ok(Some(
        detail(db, &request, &Audience::Citizen(visible, visibility), today).await?,
    ))
}

/// The citizen withdraws their request; refused once a decision is taken.
pub async fn withdraw(
    db: &DatabaseConnection,
    who: impl Into<Requester>,
    reference: &str,
    now: DateTime<Utc>,
) -> Result<(), RequestError> {
    let who = who.into();
    let txn = db.begin().await?;
    let today = deadlines::received_on(now);
    let request = by_reference_for_citizen(&txn, who, reference, today).await?;
    step(
        &txn,
        &request,
        &Actor::Requester,
        Action::Withdraw,
        &Facts::default(),
        now,
    )
    .await?;
    audit::append(
        &txn,
        &audit::AuditEntry {
            actor: who.actor(),
            action: "request.withdrawn".to_owned(),
            citizen_id: Some(request.citizen_id),
            details: serde_json::json!({ "reference": request.reference }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A message from the citizen; when the municipality was waiting for them, it goes back to the
/// handler.
pub async fn citizen_message(
    db: &DatabaseConnection,
    who: impl Into<Requester>,
    reference: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), RequestError> {
    let who = who.into();
    let body = text(body)?;
    let txn = db.begin().await?;
    let today = deadlines::received_on(now);
    let request = by_reference_for_citizen(&txn, who, reference, today).await?;
    let from = request.status;
    if from.is_final() {
        return Err(Refusal::WrongStatus.into());
    }
    if from == Status::AwaitingCitizen {
        step(
            &txn,
            &request,
            &Actor::Requester,
            Action::CitizenReplies,
            &Facts::default(),
            now,
        )
        .await?;
    }
    request_messages::ActiveModel {
        request_id: Set(request.id),
        at: Set(now),
        author: Set(ActorKind::Citizen),
        staff_id: Set(None),
        body: Set(body.clone()),
        internal: Set(false),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(())
}

//! Filing: the "Nieuw verzoek" form read and checked, the draft, and submitting it.

use super::*;

/// A filled-in "Nieuw verzoek" form, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    /// The kind.
    pub kind: Kind,
    /// The child the parent files for; `None`: the citizen themselves.
    pub for_child: Option<i64>,
    /// All the citizen's data.
    pub all_data: bool,
    /// Records picked, with the proposed value for rectification.
    pub items: Vec<(i64, Option<String>)>,
    /// The citizen's explanation.
    pub explanation: String,
}

/// The "Nieuw verzoek" form as sent, read once: `soort`, `bereik` (`alles` | `gegevens`),
/// `voor`, `gegeven` (repeated record ids) with `voorstel-<id>` for each, and `toelichting`.
/// A draft kept in the session is the same form again (`From<&NewRequestView>`), so a
/// reviewed draft is checked by [`read_form`] once more when it is filed, by the same rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewRequestForm {
    /// The kind chosen, if it is one.
    pub kind: Option<Kind>,
    /// "All my data" rather than listed records.
    pub all_data: bool,
    /// The child the parent files for.
    pub for_child: Option<i64>,
    /// Records chosen (each once), with the proposed value where one was typed.
    pub chosen: Vec<(i64, Option<String>)>,
    /// A `gegeven` that is not a record id was sent.
    pub unreadable_record: bool,
    /// The citizen's explanation.
    pub explanation: String,
}

impl NewRequestForm {
    /// Reads the form's fields (a form whose field names are not all fixed).
    pub fn from_fields(pairs: &[(String, String)]) -> Self {
        let field = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim().to_owned())
        };
        let mut form = Self {
            kind: field("soort").as_deref().and_then(Kind::parse),
            all_data: field("bereik").as_deref() != Some("gegevens"),
            for_child: field("voor").and_then(|v| v.parse::<i64>().ok()),
            explanation: field("toelichting").unwrap_or_default(),
            ..Self::default()
        };
        for (_, v) in pairs.iter().filter(|(k, _)| k == "gegeven") {
            match v.trim().parse::<i64>() {
                Ok(id) if !form.chosen.iter().any(|(c, _)| *c == id) => {
                    let proposal = field(&format!("voorstel-{id}")).filter(|p| !p.is_empty());
                    form.chosen.push((id, proposal));
                }
                Ok(_) => {}
                Err(_) => form.unreadable_record = true,
            }
        }
        form
    }
}

impl From<&NewRequestView> for NewRequestForm {
    fn from(view: &NewRequestView) -> Self {
        Self {
            kind: view.kind,
            all_data: view.all_data,
            for_child: view.for_child,
            chosen: view.chosen.clone(),
            unreadable_record: false,
            explanation: view.explanation.clone(),
        }
    }
}

/// Checks the form: what it shows again, and the draft if nothing is wrong.
pub fn read_form(form: &NewRequestForm) -> (NewRequestView, Result<Draft, Vec<&'static str>>) {
    let NewRequestForm {
        kind,
        all_data,
        for_child,
        chosen,
        unreadable_record,
        explanation,
    } = form.clone();
    let mut errors = Vec::new();
    if unreadable_record {
        errors.push("request.error.unknown_record");
    }
    let view = NewRequestView {
        kind,
        all_data,
        chosen: chosen.clone(),
        explanation: explanation.clone(),
        for_child,
        ..Default::default()
    };
    let Some(kind) = kind else {
        errors.push("request.error.kind");
        return (view, Err(errors));
    };
    let all_data = all_data || !kind.picks_records();
    if !all_data && chosen.is_empty() {
        errors.push("request.error.no_items");
    }
    if kind == Kind::Rectification {
        if all_data {
            errors.push("request.error.rectification_items");
        } else if chosen.iter().any(|(_, p)| p.is_none()) {
            errors.push("request.error.proposal");
        }
    }
    if kind == Kind::Objection && explanation.is_empty() {
        errors.push("request.error.objection_reason");
    }
    if explanation.chars().count() > MAX_TEXT
        || chosen
            .iter()
            .any(|(_, p)| p.as_ref().is_some_and(|p| p.chars().count() > 1000))
    {
        errors.push("request.error.too_long");
    }
    if !errors.is_empty() {
        return (view, Err(errors));
    }
    let items = if all_data {
        Vec::new()
    } else if kind == Kind::Rectification {
        chosen
    } else {
        chosen.into_iter().map(|(id, _)| (id, None)).collect()
    };
    (
        view,
        Ok(Draft {
            kind,
            for_child,
            all_data,
            items,
            explanation,
        }),
    )
}

/// What "Klopt dit niet?" / "Verwijderen aanvragen" preselect on a fresh "Nieuw verzoek" form.
#[derive(Clone, Debug, Default)]
pub struct Preselect {
    /// The kind of request.
    pub kind: Option<Kind>,
    /// The child the parent files for (honoured only for a child in their authority).
    pub for_child: Option<i64>,
    /// Records to put in the scope (honoured only for records the subject may pick).
    pub records: Vec<i64>,
}

/// "Nieuw verzoek": the draft being filled in, or a fresh form with `preselect` applied; with
/// the records the subject may pick and the children the citizen may file for, now.
pub async fn new_request_form(
    db: &DatabaseConnection,
    who: impl Into<Requester>,
    visibility: Visibility,
    draft: Option<NewRequestView>,
    preselect: Preselect,
    now: DateTime<Utc>,
) -> Result<NewRequestView, DbErr> {
    let who: Requester = who.into();
    let citizen_id = who.citizen_id;
    // Someone acting under a mandate files for the represented person only.
    let children = if who.acting.is_none() {
        children_of(db, citizen_id, deadlines::received_on(now)).await?
    } else {
        Vec::new()
    };
    let may_file_for = |id: &i64| children.iter().any(|(c, _)| c == id);
    let mut view = match draft {
        Some(view) => view,
        None => {
            // Only a child in the citizen's authority; anything else is the citizen themselves.
            let for_child = preselect.for_child.filter(may_file_for);
            let records = pickable_records(db, for_child.unwrap_or(citizen_id), visibility).await?;
            let chosen: Vec<(i64, Option<String>)> = preselect
                .records
                .into_iter()
                .filter(|id| records.iter().any(|r| r.id == *id))
                .map(|id| (id, None))
                .collect();
            NewRequestView {
                kind: preselect.kind,
                all_data: chosen.is_empty(),
                chosen,
                token: crate::platform::crypto::random_hex(16),
                for_child,
                ..Default::default()
            }
        }
    };
    if !view.for_child.as_ref().is_none_or(may_file_for) {
        view.for_child = None;
    }
    view.records = pickable_records(db, view.for_child.unwrap_or(citizen_id), visibility).await?;
    view.children = children;
    Ok(view)
}

/// The records a citizen may put in a request at this login, for the form.
pub async fn pickable_records(
    db: &DatabaseConnection,
    citizen_id: i64,
    visibility: Visibility,
) -> Result<Vec<PickableRecord>, DbErr> {
    let data = transparency::my_data(db, citizen_id, visibility).await?;
    Ok(data
        .domains
        .into_iter()
        .flat_map(|d| {
            let domain = d.domain;
            d.sources.into_iter().flat_map(move |s| {
                s.records.into_iter().map(move |r| PickableRecord {
                    id: r.id,
                    domain,
                    label: r.label,
                    value: r.value,
                })
            })
        })
        .collect())
}

/// The children a parent may file for on `today`: in their authority and under 16; id and
/// "name (age)".
pub async fn children_of<C: ConnectionTrait>(
    db: &C,
    parent_id: i64,
    today: NaiveDate,
) -> Result<Vec<(i64, String)>, DbErr> {
    use chrono::Datelike;
    let age_on = |born: NaiveDate| {
        let mut age = today.year() - born.year();
        if (today.month(), today.day()) < (born.month(), born.day()) {
            age -= 1;
        }
        age
    };
    let minors: Vec<(i64, i32)> = guardianships::Entity::find()
        .filter(guardianships::Column::ParentId.eq(parent_id))
        .all(db)
        .await?
        .into_iter()
        .map(|g| (g.child_id, age_on(g.child_birth_date)))
        .filter(|(_, age)| (0..16).contains(age))
        .collect();
    if minors.is_empty() {
        return Ok(Vec::new());
    }
    let names: HashMap<i64, String> = citizens::Entity::find()
        .filter(citizens::Column::Id.is_in(minors.iter().map(|(id, _)| *id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.display_name.unwrap_or_default()))
        .collect();
    Ok(minors
        .into_iter()
        .map(|(id, age)| {
            let name = names.get(&id).map_or("", String::as_str);
            (id, format!("{name} ({age})"))
        })
        .collect())
}

/// What [`submit`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submitted {
    /// The reference.
    pub reference: String,
    /// Whether this call made it (`false`: the same form was sent before).
    pub created: bool,
}

/// What the citizen sends: the checked form, its one-time token and the page language.
#[derive(Clone, Copy, Debug)]
pub struct Filing<'a> {
    /// The checked form.
    pub draft: &'a Draft,
    /// The form's one-time token.
    pub token: &'a str,
    /// The language the citizen filed in.
    pub locale: &'a str,
    /// Who files for the citizen under a machtiging (the session's representative), if anyone.
    pub acting: Option<&'a crate::identity::Acting>,
}

/// Files a request for the logged-in citizen. The form's `token` makes a second submission of
/// the same form (double click, back and resubmit) return the first request.
pub async fn submit(
    db: &DatabaseConnection,
    settings: &Settings,
    citizen_id: i64,
    visibility: Visibility,
    filing: &Filing<'_>,
    now: DateTime<Utc>,
) -> Result<Submitted, RequestError> {
    let Filing {
        draft,
        token,
        locale,
        acting,
    } = *filing;
    if token.is_empty() || token.len() > 64 {
        return Err(RequestError::Invalid(vec!["request.error.token"]));
    }
    // Under a machtiging the request is the represented person's own (the session's citizen),
    // and the representative is kept as who filed it; a parent files for a child under 16 in
    // their authority, and the child is the subject.
    let requester_id = citizen_id;
    if let Some(existing) = find_by_token(db, requester_id, token).await? {
        return Ok(Submitted {
            reference: existing,
            created: false,
        });
    }
    let citizen_id = match draft.for_child {
        None => citizen_id,
        // A mandate covers the represented person, not the children in their authority.
        Some(_) if acting.is_some() => {
            return Err(RequestError::Invalid(vec!["request.error.child"]));
        }
        Some(child) => {
            let today = deadlines::received_on(now);
            if !children_of(db, requester_id, today)
                .await?
                .iter()
                .any(|(id, _)| *id == child)
            {
                return Err(RequestError::Invalid(vec!["request.error.child"]));
            }
            child
        }
    };
    // Only records the citizen sees at this login can be in scope: the picked ones, or for
    // erasure, restriction or objection of "all my data" every record the citizen sees, so each
    // gets its own decision; for access, one item for all. One read, without the values.
    let picked: Vec<i64> = draft.items.iter().map(|(id, _)| *id).collect();
    let scope: Vec<(transparency::ScopeRecord, Option<String>)> = if !draft.all_data {
        let visible: HashMap<i64, transparency::ScopeRecord> =
            transparency::visible_records(db, citizen_id, visibility, Some(&picked))
                .await?
                .into_iter()
                .map(|r| (r.id, r))
                .collect();
        let mut scope = Vec::with_capacity(draft.items.len());
        for (id, proposal) in &draft.items {
            let Some(record) = visible.get(id) else {
                return Err(RequestError::Invalid(vec!["request.error.unknown_record"]));
            };
            scope.push((record.clone(), proposal.clone()));
        }
        scope
    } else if draft.kind.picks_records() {
        transparency::visible_records(db, citizen_id, visibility, None)
            .await?
            .into_iter()
            .map(|r| (r, None))
            .collect()
    } else {
        Vec::new()
    };

    let txn = db.begin().await?;
    let received = deadlines::received_on(now);
    let inserted = rights_requests::ActiveModel {
        reference: Set(format!(
            "pending-{}",
            crate::platform::crypto::random_hex(12)
        )),
        kind: Set(draft.kind),
        citizen_id: Set(citizen_id),
        requester_id: Set(requester_id),
        authority_confirmed_by: Set(None),
        all_data: Set(draft.all_data),
        explanation: Set(draft.explanation.clone()),
        status: Set(Status::Submitted),
        received_at: Set(now),
        due_on: Set(deadlines::due_date(received)),
        extended_to: Set(None),
        extension_reason: Set(None),
        assignee_id: Set(None),
        decided_by: Set(None),
        decision_note: Set(None),
        approved_by: Set(None),
        locale: Set(locale.to_owned()),
        version: Set(0),
        submit_token: Set(token.to_owned()),
        closed_at: Set(None),
        mandate: Set(acting.and_then(|a| a.mandate.clone())),
        filed_by: Set(acting.map(|a| a.citizen_id)),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let request = match inserted {
        Ok(request) => request,
        Err(e) => {
            // The same form sent twice at once: the unique token lets one through.
            drop(txn);
            if let Some(existing) = find_by_token(db, requester_id, token).await? {
                return Ok(Submitted {
                    reference: existing,
                    created: false,
                });
            }
            return Err(e.into());
        }
    };
    let typed_reference = RequestReference::new(received.year(), request.id);
    let reference = typed_reference.to_string();
    rights_requests::Entity::update_many()
        .col_expr(rights_requests::Column::Reference, Expr::value(&reference))
        .filter(rights_requests::Column::Id.eq(request.id))
        .exec(&txn)
        .await?;

    // The items in one statement per thousand (bind parameters are limited).
    let items: Vec<request_items::ActiveModel> = if scope.is_empty() {
        vec![request_items::ActiveModel {
            request_id: Set(request.id),
            label: Set("Alle gegevens".to_owned()),
            special_category: Set(false),
            ..Default::default()
        }]
    } else {
        scope
            .into_iter()
            .map(|(record, proposal)| request_items::ActiveModel {
                request_id: Set(request.id),
                record_id: Set(Some(record.id)),
                source_system_id: Set(Some(record.source_system_id)),
                label: Set(record.label),
                proposed_value: Set(proposal),
                special_category: Set(record.special_category),
                ..Default::default()
            })
            .collect()
    };
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        request_items::Entity::insert_many(items.by_ref().take(1000))
            .exec_without_returning(&txn)
            .await?;
    }
    append_event(
        &txn,
        request.id,
        now,
        &Actor::Requester,
        Action::Submit,
        Status::Submitted,
        Status::Submitted,
        None,
        false,
    )
    .await?;
    audit::append(
        &txn,
        &audit::AuditEntry {
            actor: audit::Actor::Citizen(acting.map_or(requester_id, |a| a.citizen_id)),
            action: "request.submitted".to_owned(),
            citizen_id: Some(citizen_id),
            details: match acting {
                None => serde_json::json!({ "reference": reference, "kind": draft.kind.as_str() }),
                Some(a) => serde_json::json!({
                    "reference": reference, "kind": draft.kind.as_str(),
                    "on_behalf_of": citizen_id, "mandate": a.mandate,
                }),
            },
        },
    )
    .await?;
    if acting.is_some() {
        // The represented person reads in "Wie gebruikte mijn gegevens" that someone they
        // authorised acted for them.
        transparency::log_portal_step(
            &txn,
            citizen_id,
            &format!("Uw gemachtigde diende namens u verzoek {reference} in"),
            &format!(
                "{}, via Inzage (DigiD Machtigen)",
                settings.municipality_name
            ),
            now,
        )
        .await?;
    }
    mail::notify_citizen(
        &txn,
        settings,
        requester_id,
        &Mail::RequestReceived(typed_reference.clone()),
    )
    .await?;
    mail::notify_staff(&txn, settings, &Mail::StaffNewRequest(typed_reference)).await?;
    txn.commit().await?;
    Ok(Submitted {
        reference,
        created: true,
    })
}

/// The request an earlier submission of the form with this token made, if any.
pub async fn submit_again(
    db: &DatabaseConnection,
    requester_id: i64,
    token: &str,
) -> Result<Option<String>, DbErr> {
    if token.is_empty() {
        return Ok(None);
    }
    find_by_token(db, requester_id, token).await
}

pub(super) async fn find_by_token(
    db: &DatabaseConnection,
    requester_id: i64,
    token: &str,
) -> Result<Option<String>, DbErr> {
    Ok(rights_requests::Entity::find()
        .filter(rights_requests::Column::RequesterId.eq(requester_id))
        .filter(rights_requests::Column::SubmitToken.eq(token))
        .one(db)
        .await?
        .map(|r| r.reference))
}

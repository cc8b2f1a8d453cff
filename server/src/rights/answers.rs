//! The answer to an access request (Art. 15 AVG), built from the register and the citizen's
//! data, checked for completeness before it may go out, and kept as it was sent.
//!
//! [`build`] and [`missing`] are plain functions: the page, the PDF and the JSON download all
//! show the one [`AccessAnswerView`] they produce, so the three cannot disagree.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder,
};
use types::{Confidentiality, RefusalGround};

use crate::entities::{
    access_answers, disclosures, personal_data_records, processing_activities, request_items,
    request_leave_outs, rights_requests,
};
use app::{
    i18n::{Locale, tr},
    models::{
        AccessAnswerView, AnswerActivity, AnswerDisclosure, AnswerDomain, AnswerDraftView,
        AnswerItem, AnswerLeftOut,
    },
    routes::my_data::{basis_words, retention_words},
};

/// What an answer is built from: the current register and everything held on the subject.
pub struct AnswerInput {
    /// Current register entries by code.
    pub activities: HashMap<String, processing_activities::Model>,
    /// Source system names by id.
    pub sources: HashMap<i64, String>,
    /// The subject's records.
    pub records: Vec<personal_data_records::Model>,
    /// The subject's disclosures.
    pub disclosures: Vec<disclosures::Model>,
    /// The records the decision granted access to, when the request named records; `None` when
    /// it asked for everything. Refused records never go out.
    pub granted: Option<BTreeSet<i64>>,
}

/// A record the decision leaves out of the answer, on a ground, with the handler's note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaveOut {
    /// The record.
    pub record_id: i64,
    /// Why, from the list (`RefusalGround::leaves_out`).
    pub ground: RefusalGround,
    /// The handler's explanation.
    pub note: String,
}

/// The leave-outs the decision on request `request_id` holds: proposed while it waits for the
/// approver, approved once it is decided. Ordered by record.
pub async fn leave_outs<C: ConnectionTrait>(
    db: &C,
    request_id: i64,
) -> Result<Vec<LeaveOut>, DbErr> {
    Ok(request_leave_outs::Entity::find()
        .filter(request_leave_outs::Column::RequestId.eq(request_id))
        .order_by_asc(request_leave_outs::Column::RecordId)
        .all(db)
        .await?
        .into_iter()
        .map(|l| LeaveOut {
            record_id: l.record_id,
            ground: l.ground,
            note: l.note,
        })
        .collect())
}

/// One gap the completeness check found: the Art. 15 item (`a`–`h`) and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    /// `a`–`h`.
    pub item: char,
    /// The activity it is missing for (empty for the answer as a whole).
    pub activity: String,
}

/// Loads what the answer to `request` is built from.
pub async fn load<C: ConnectionTrait>(
    db: &C,
    request: &rights_requests::Model,
) -> Result<AnswerInput, DbErr> {
    let citizen_id = request.citizen_id;
    let items = request_items::Entity::find()
        .filter(request_items::Column::RequestId.eq(request.id))
        .all(db)
        .await?;
    let granted = |i: &request_items::Model| i.decision == Some(types::Decision::Granted);
    // "Alle gegevens" is the one item without a record; otherwise only what was granted.
    let granted = if items.iter().any(|i| i.record_id.is_none() && granted(i)) {
        None
    } else {
        Some(
            items
                .iter()
                .filter(|i| granted(i))
                .filter_map(|i| i.record_id)
                .collect(),
        )
    };
    let crate::transparency::Register {
        activities,
        sources,
    } = crate::transparency::register(db).await?;
    let records = personal_data_records::Entity::find()
        .filter(personal_data_records::Column::CitizenId.eq(citizen_id))
        .order_by_asc(personal_data_records::Column::RecordedAt)
        .order_by_asc(personal_data_records::Column::Id)
        .all(db)
        .await?;
    let disclosures = disclosures::Entity::find()
        .filter(disclosures::Column::CitizenId.eq(citizen_id))
        .order_by_asc(disclosures::Column::DisclosedAt)
        .order_by_asc(disclosures::Column::Id)
        .all(db)
        .await?;
    Ok(AnswerInput {
        activities,
        sources,
        records,
        disclosures,
        granted,
    })
}

/// Everything an activity needs before the answer can say what it does.
fn activity_facts(
    l: Locale,
    code: &str,
    register: Option<&processing_activities::Model>,
) -> AnswerActivity {
    let list = |json: &str| -> Vec<String> {
        serde_json::from_str::<Vec<String>>(json)
            .unwrap_or_default()
            .into_iter()
            .filter(|s| !s.trim().is_empty())
            .collect()
    };
    match register {
        Some(a) => AnswerActivity {
            name: a.name.clone(),
            purpose: a.purpose.trim().to_owned(),
            legal_basis: basis_words(l, Some(a.legal_basis), Some(&a.legal_basis_text)),
            categories: list(&a.data_categories),
            recipient_categories: list(&a.recipient_categories),
            disclosures: Vec::new(),
            retention: retention_words(l, a.retention.trim()),
            source: a.source.trim().to_owned(),
            automated_decision: match a.automated_decision.as_deref().map(str::trim) {
                Some(text) if !text.is_empty() => text.to_owned(),
                _ => tr(l, "answer.no_automated"),
            },
            data: Vec::new(),
        },
        // Data under an activity the register does not know: every fact about it is missing,
        // and the check says so rather than leaving the data out.
        None => AnswerActivity {
            name: code.to_owned(),
            purpose: String::new(),
            legal_basis: String::new(),
            categories: Vec::new(),
            recipient_categories: Vec::new(),
            disclosures: Vec::new(),
            retention: String::new(),
            source: String::new(),
            automated_decision: String::new(),
            data: Vec::new(),
        },
    }
}

type Tree = BTreeMap<String, BTreeMap<String, AnswerActivity>>;

/// The entry of activity `code` in the answer, under its domain.
fn slot<'t>(
    tree: &'t mut Tree,
    input: &AnswerInput,
    l: Locale,
    code: &str,
) -> &'t mut AnswerActivity {
    let register = input.activities.get(code);
    let domain = register
        .map(|a| a.domain.as_str().to_owned())
        .unwrap_or_else(|| "onbekend".to_owned());
    tree.entry(domain)
        .or_default()
        .entry(code.to_owned())
        .or_insert_with(|| activity_facts(l, code, register))
}

fn confidential(input: &AnswerInput, code: &str) -> bool {
    input
        .activities
        .get(code)
        .is_some_and(|a| a.confidentiality == Confidentiality::Vertrouwelijk)
}

/// The records the answer would show: the subject's, outside confidential activities, within
/// what the decision granted. Only these can be left out.
pub fn answerable(input: &AnswerInput) -> BTreeSet<i64> {
    input
        .records
        .iter()
        .filter(|r| !confidential(input, &r.activity_code))
        .filter(|r| input.granted.as_ref().is_none_or(|g| g.contains(&r.id)))
        .map(|r| r.id)
        .collect()
}

/// Builds the answer for one request, leaving out the records in `left_out`: the answer names
/// each of them (label and category, not the value) with its ground and note. Confidential
/// activities are not part of it, as they are never shown to the citizen (Art. 41 UAVG).
pub fn build(
    l: Locale,
    municipality: &str,
    reference: &str,
    sent_on: &str,
    input: &AnswerInput,
    left_out: &[LeaveOut],
) -> AccessAnswerView {
    let confidential = |code: &str| confidential(input, code);
    let left_out: HashMap<i64, &LeaveOut> = left_out.iter().map(|l| (l.record_id, l)).collect();
    // Domain → activity code → facts, in a stable order.
    let mut tree: Tree = BTreeMap::new();
    let mut left_out_items = Vec::new();
    for r in &input.records {
        if confidential(&r.activity_code)
            || input.granted.as_ref().is_some_and(|g| !g.contains(&r.id))
        {
            continue;
        }
        if let Some(leave_out) = left_out.get(&r.id) {
            left_out_items.push(AnswerLeftOut {
                id: r.id,
                label: r.label.clone(),
                category: r.category.clone(),
                domain: input
                    .activities
                    .get(&r.activity_code)
                    .map(|a| a.domain.as_str().to_owned())
                    .unwrap_or_else(|| "onbekend".to_owned()),
                special: r.special_category,
                ground: leave_out.ground,
                ground_text: tr(l, leave_out.ground.key()),
                note: leave_out.note.clone(),
            });
            continue;
        }
        slot(&mut tree, input, l, &r.activity_code)
            .data
            .push(AnswerItem {
                id: r.id,
                label: r.label.clone(),
                category: r.category.clone(),
                value: r.value.clone(),
                recorded_on: r.recorded_at.date_naive().to_string(),
                recorded_by: r.recorded_by.clone(),
                source_system: input
                    .sources
                    .get(&r.source_system_id)
                    .cloned()
                    .unwrap_or_default(),
                special: r.special_category,
                restricted_by: r
                    .restricted
                    .then(|| r.restricted_by.clone().unwrap_or_default()),
            });
    }
    // A request for some records gets the disclosures of their activities, not of every one.
    let named: BTreeSet<String> = tree
        .values()
        .flat_map(|activities| activities.keys().cloned())
        .collect();
    for d in &input.disclosures {
        if confidential(&d.activity_code)
            || (input.granted.is_some() && !named.contains(&d.activity_code))
        {
            continue;
        }
        slot(&mut tree, input, l, &d.activity_code)
            .disclosures
            .push(AnswerDisclosure {
                recipient: d.recipient_name.clone(),
                on: d.disclosed_at.date_naive().to_string(),
                categories: serde_json::from_str(&d.categories).unwrap_or_default(),
                purpose: d.purpose.clone(),
            });
    }
    AccessAnswerView {
        reference: reference.to_owned(),
        municipality: municipality.to_owned(),
        sent_on: sent_on.to_owned(),
        domains: tree
            .into_iter()
            .map(|(domain, activities)| AnswerDomain {
                domain,
                activities: activities.into_values().collect(),
            })
            .collect(),
        rights: tr(l, "answer.rights_text"),
        complaint: tr(l, "answer.complaint_text"),
        fee: tr(l, "answer.fee_text"),
        left_out: left_out_items.len(),
        left_out_note: None,
        left_out_items,
    }
}

/// The completeness check: every Art. 15 item (a)–(h) must be there for every activity in the
/// answer. An empty list means the answer may go out.
pub fn missing(answer: &AccessAnswerView) -> Vec<Gap> {
    let mut gaps = Vec::new();
    for activity in answer.domains.iter().flat_map(|d| &d.activities) {
        let checks = [
            (
                'a',
                !activity.purpose.is_empty() && !activity.legal_basis.is_empty(),
            ),
            ('b', !activity.categories.is_empty()),
            ('c', !activity.recipient_categories.is_empty()),
            ('d', !activity.retention.is_empty()),
            ('g', !activity.source.is_empty()),
            ('h', !activity.automated_decision.is_empty()),
        ];
        gaps.extend(
            checks
                .into_iter()
                .filter(|(_, present)| !present)
                .map(|(item, _)| Gap {
                    item,
                    activity: activity.name.clone(),
                }),
        );
    }
    for (item, text) in [('e', &answer.rights), ('f', &answer.complaint)] {
        if text.trim().is_empty() {
            gaps.push(Gap {
                item,
                activity: String::new(),
            });
        }
    }
    gaps
}

/// The handler's preview: the answer as it would go out now, and what the check misses.
pub fn draft(answer: AccessAnswerView) -> AnswerDraftView {
    let missing = missing(&answer)
        .into_iter()
        .map(|g| (g.item.to_string(), g.activity))
        .collect();
    AnswerDraftView { answer, missing }
}

/// The answer a request was sent, if it was. One that no longer reads is an error, never "not
/// sent": what the citizen was given is not lost quietly.
pub async fn sent<C: ConnectionTrait>(
    db: &C,
    request_id: i64,
) -> Result<Option<AccessAnswerView>, DbErr> {
    access_answers::Entity::find_by_id(request_id)
        .one(db)
        .await?
        .map(|a| {
            serde_json::from_str(&a.body).map_err(|e| {
                DbErr::Custom(format!(
                    "stored answer of request {request_id} unreadable: {e}"
                ))
            })
        })
        .transpose()
}

/// Why an answer could not go out.
#[derive(Debug, PartialEq, Eq)]
pub enum NotSent {
    /// Items (a)–(h) are missing.
    Incomplete(Vec<Gap>),
    /// The records to leave out are not exactly the ones approved with the decision.
    NotApproved,
}

/// Builds, checks and stores the answer of `request` inside the caller's transaction. It leaves
/// out exactly the records the decision does ([`leave_outs`], approved with it); `asked`, what
/// the send form says to leave out, must be that same set (`None`: no form said).
pub async fn send<C: ConnectionTrait>(
    txn: &C,
    municipality: &str,
    request: &rights_requests::Model,
    staff_id: i64,
    asked: Option<&BTreeSet<i64>>,
    now: DateTime<Utc>,
) -> Result<Result<(), NotSent>, DbErr> {
    let left_out = leave_outs(txn, request.id).await?;
    let approved: BTreeSet<i64> = left_out.iter().map(|l| l.record_id).collect();
    if asked.is_some_and(|asked| *asked != approved) {
        return Ok(Err(NotSent::NotApproved));
    }
    let input = load(txn, request).await?;
    let answer = build(
        Locale::parse(&request.locale),
        municipality,
        &request.reference,
        &crate::rights::deadlines::received_on(now).to_string(),
        &input,
        &left_out,
    );
    let gaps = missing(&answer);
    if !gaps.is_empty() {
        return Ok(Err(NotSent::Incomplete(gaps)));
    }
    let body = serde_json::to_string(&answer).map_err(|e| DbErr::Custom(e.to_string()))?;
    let mut notes: Vec<&str> = left_out.iter().map(|l| l.note.as_str()).collect();
    notes.dedup();
    access_answers::ActiveModel {
        request_id: Set(request.id),
        body: Set(body),
        left_out: Set(serde_json::json!(approved).to_string()),
        left_out_note: Set((!notes.is_empty()).then(|| notes.join("\n"))),
        sent_by: Set(staff_id),
        sent_at: Set(now),
    }
    .insert(txn)
    .await?;
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn activity(code: &str, recipients: &[&str]) -> processing_activities::Model {
        processing_activities::Model {
            id: 1,
            code: code.to_owned(),
            version: 1,
            is_current: true,
            name: format!("Activiteit {code}"),
            purpose: "Ondersteuning regelen".to_owned(),
            legal_basis: types::LegalBasis::PublicTask,
            legal_basis_text: "Wmo 2015 art. 2.3.2".to_owned(),
            data_categories: r#"["Naam en adres","Gezondheid"]"#.to_owned(),
            retention: "P10Y".to_owned(),
            source: "U zelf".to_owned(),
            recipient_categories: serde_json::json!(recipients).to_string(),
            confidentiality: Confidentiality::Normaal,
            domain: types::Domain::Wmo,
            automated_decision: None,
            valid_from: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        }
    }

    fn record(id: i64, code: &str) -> personal_data_records::Model {
        let t = Utc.with_ymd_and_hms(2026, 2, 1, 9, 0, 0).unwrap();
        personal_data_records::Model {
            id,
            citizen_id: 7,
            source_system_id: 1,
            source_record_id: format!("r{id}"),
            activity_code: code.to_owned(),
            category: "Gezondheid".to_owned(),
            label: format!("Gegeven {id}"),
            value: format!("Waarde {id}"),
            recorded_at: t,
            recorded_by: "Wmo-consulent".to_owned(),
            special_category: true,
            retention_until: None,
            restricted: false,
            restricted_by: None,
            restricted_at: None,
            updated_at: t,
        }
    }

    fn input(activities: Vec<processing_activities::Model>) -> AnswerInput {
        AnswerInput {
            activities: activities
                .into_iter()
                .map(|a| (a.code.clone(), a))
                .collect(),
            sources: HashMap::from([(1, "Wmo-systeem".to_owned())]),
            records: vec![record(1, "wmo"), record(2, "wmo")],
            disclosures: Vec::new(),
            granted: None,
        }
    }

    fn answer(input: &AnswerInput, left_out: &[i64]) -> AccessAnswerView {
        build(
            Locale::Nl,
            "Voorbeeldstad",
            "AVG-2026-000001",
            "2026-03-01",
            input,
            &left_out
                .iter()
                .map(|&record_id| LeaveOut {
                    record_id,
                    ground: RefusalGround::OthersRights,
                    note: "Gaat over de buurman".to_owned(),
                })
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn a_complete_register_passes_the_check_with_every_item_filled_in() {
        let a = answer(&input(vec![activity("wmo", &["Zorgaanbieders"])]), &[]);
        assert_eq!(missing(&a), Vec::new());
        let wmo = &a.domains[0].activities[0];
        assert_eq!(wmo.data.len(), 2);
        assert!(wmo.retention.starts_with("10 jaar"), "{wmo:?}");
        assert!(wmo.automated_decision.contains("geen"), "{wmo:?}");
        assert!(a.complaint.contains("Autoriteit Persoonsgegevens"));
        assert!(a.fee.contains("kosteloos"));
    }

    #[test]
    fn no_recipient_categories_blocks_the_answer_with_item_c() {
        let a = answer(&input(vec![activity("wmo", &[])]), &[]);
        assert_eq!(
            missing(&a),
            vec![Gap {
                item: 'c',
                activity: "Activiteit wmo".to_owned()
            }]
        );
    }

    #[test]
    fn data_under_an_unregistered_activity_blocks_instead_of_disappearing() {
        let a = answer(&input(Vec::new()), &[]);
        let items: Vec<char> = missing(&a).into_iter().map(|g| g.item).collect();
        assert_eq!(items, vec!['a', 'b', 'c', 'd', 'g', 'h']);
        assert_eq!(a.domains[0].activities[0].data.len(), 2);
    }

    #[test]
    fn left_out_records_are_counted_and_confidential_activities_never_appear() {
        let mut secret = activity("fraude", &["OM"]);
        secret.confidentiality = Confidentiality::Vertrouwelijk;
        let mut i = input(vec![activity("wmo", &["Zorgaanbieders"]), secret]);
        i.records.push(record(3, "fraude"));
        let a = answer(&i, &[2]);
        assert_eq!(a.left_out, 1);
        // The answer says what kind of record it left out and why, never what it holds.
        let left = &a.left_out_items[0];
        assert_eq!(
            (left.id, left.label.as_str(), left.category.as_str()),
            (2, "Gegeven 2", "Gezondheid")
        );
        assert_eq!(left.ground, RefusalGround::OthersRights);
        assert!(left.ground_text.contains("artikel 15, lid 4"), "{left:?}");
        assert_eq!(left.note, "Gaat over de buurman");
        assert!(!serde_json::to_string(&a).unwrap().contains("Waarde 2"));
        let ids: Vec<i64> = a
            .domains
            .iter()
            .flat_map(|d| &d.activities)
            .flat_map(|x| &x.data)
            .map(|d| d.id)
            .collect();
        assert_eq!(ids, vec![1]);
    }

    #[test]
    fn refused_records_stay_out_of_a_partly_granted_answer() {
        let mut i = input(vec![activity("wmo", &["Zorgaanbieders"])]);
        i.granted = Some(BTreeSet::from([2]));
        let a = answer(&i, &[]);
        assert_eq!(a.left_out, 0, "a refusal is not a left-out record");
        assert_eq!(answerable(&i), BTreeSet::from([2]));
        let ids: Vec<i64> = a.domains[0].activities[0]
            .data
            .iter()
            .map(|d| d.id)
            .collect();
        assert_eq!(ids, vec![2]);
        i.granted = Some(BTreeSet::new());
        assert!(answer(&i, &[]).domains.is_empty());
    }
}

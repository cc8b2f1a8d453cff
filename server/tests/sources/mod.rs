//! Rights that stick: a decision carried out in Inzage holds against every source system's next
//! sync. A simulated source system (the `source-simulator` crate) pushes its batch over HTTP,
//! the citizen files over HTTP, staff decide and execute over HTTP, and then the source re-sends
//! its original batch, processes its events and tasks, and syncs its own copy again.

mod bulk;
mod decisions;
mod otlp;
mod sync;

use chrono::{TimeZone, Utc};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use server::entities::personal_data_records;
use source_simulator::{Consent, Disclosure, Holdings, LogLine, Record, Simulator};
use types::{Kind, SourceMode};

use crate::{
    db_test,
    support::{
        Browser, TestApp,
        api::{Source, source_with_token},
        location,
        rights::{input_value, receipt_reference, staff_act, status_of},
    },
};

db_test!(rectification_managed, decisions::rectification_managed);
db_test!(rectification_connected, decisions::rectification_connected);
db_test!(erasure_managed, decisions::erasure_managed);
db_test!(erasure_connected, decisions::erasure_connected);
db_test!(restriction_managed, decisions::restriction_managed);
db_test!(restriction_connected, decisions::restriction_connected);
db_test!(objection_managed, decisions::objection_managed);
db_test!(objection_connected, decisions::objection_connected);
db_test!(
    erased_id_refused,
    sync::a_re_sent_erased_id_is_refused_and_nothing_written
);
db_test!(
    rectification_guard,
    sync::the_old_value_is_refused_until_the_source_acknowledged
);
db_test!(
    connected_syncs_first,
    sync::a_connected_source_that_syncs_first_still_has_its_old_value_refused
);
db_test!(
    consent_sticks,
    sync::a_consent_withdrawn_in_the_portal_stays_withdrawn
);
db_test!(log_lines_per_source, sync::log_lines_are_kept_per_source);
db_test!(
    restricted_processing,
    sync::processing_of_restricted_data_shows_on_toezicht
);
db_test!(
    otlp_sdk_spans,
    otlp::sdk_spans_reach_the_citizen_and_unknown_ones_nowhere
);
db_test!(
    otlp_partial_success,
    otlp::a_refused_span_is_named_in_the_partial_success
);
db_test!(
    full_batch,
    bulk::a_full_batch_is_written_whole_once_and_refused_whole
);
db_test!(
    full_batch_statements,
    bulk::every_kind_takes_a_full_batch_in_a_few_statements
);

/// Labels of the simulator's records, unique in the demo so pages can be searched for them.
pub const LABELS: [&str; 3] = [
    "Simulatie: verslag huisbezoek",
    "Simulatie: telefoonnummer",
    "Simulatie: voorkeurstaal",
];
/// The values the source first holds.
pub const VALUES: [&str; 3] = [
    "Huisbezoek op 3 november: hulp bij de boodschappen gewenst",
    "06-12345678",
    "Nederlands",
];

/// What a source system holds on `bsn`: three records, a consent, a disclosure and a log line.
pub fn fixture(bsn: &str) -> Holdings {
    let at = Utc.with_ymd_and_hms(2026, 11, 3, 10, 0, 0).unwrap();
    let mut copy = Holdings::default();
    for (n, (label, value)) in LABELS.iter().zip(VALUES).enumerate() {
        let id = format!("sim-{}", n + 1);
        copy.records.insert(
            id.clone(),
            Record {
                source_record_id: id,
                bsn: bsn.to_owned(),
                activity_code: "wmo-onderzoek".to_owned(),
                // No demo recipient received this category: no Art. 19 task waits.
                category: "Simulatiegegeven".to_owned(),
                label: (*label).to_owned(),
                value: value.to_owned(),
                recorded_at: at,
                recorded_by: "Wmo-consulent, Gemeente Voorbeeldstad".to_owned(),
                special_category: false,
                retention_until: None,
            },
        );
    }
    copy.consents.insert(
        "sim-consent-1".to_owned(),
        Consent {
            source_consent_id: "sim-consent-1".to_owned(),
            bsn: bsn.to_owned(),
            recipient: "Buurtteam Noord".to_owned(),
            purpose: "Simulatie: afstemming van de hulp".to_owned(),
            given_at: at,
            channel: "formulier".to_owned(),
            withdrawn_at: None,
        },
    );
    copy.disclosures.push(Disclosure {
        source_disclosure_id: "sim-disclosure-1".to_owned(),
        bsn: bsn.to_owned(),
        activity_code: "wmo-onderzoek".to_owned(),
        recipient_name: "Buurtteam Noord".to_owned(),
        recipient_oin: None,
        categories: vec!["Contactgegevens".to_owned()],
        purpose: "Simulatie: afstemming van de hulp".to_owned(),
        legal_basis: Some("PublicTask".to_owned()),
        legal_basis_text: Some("Wmo 2015 art. 2.3.2".to_owned()),
        consent_id: None,
        disclosed_at: at,
    });
    copy.log_lines.push(line(
        bsn,
        "4bf92f3577b34da6a3ce929d0e0e4736",
        "00f067aa0ba902b7",
    ));
    copy
}

/// A log line of `bsn` under the simulator's activity.
pub fn line(bsn: &str, trace_id: &str, span_id: &str) -> LogLine {
    let at = Utc.with_ymd_and_hms(2026, 11, 3, 10, 5, 0).unwrap();
    LogLine {
        trace_id: trace_id.to_owned(),
        span_id: span_id.to_owned(),
        parent_span_id: None,
        name: "Simulatie: aanvraag beoordelen".to_owned(),
        status: "ok".to_owned(),
        start_time: at,
        end_time: at,
        activity_code: "wmo-onderzoek".to_owned(),
        bsn: bsn.to_owned(),
        processor: "Gemeente Voorbeeldstad, team Wmo".to_owned(),
        foreign_operation: None,
    }
}

/// A source system of this mode, registered with a token, that has pushed its fixture once.
pub async fn simulated_source(
    app: &TestApp,
    name: &str,
    mode: SourceMode,
    bsn: &str,
) -> (Source, Simulator) {
    let source = source_with_token(app, name, "Sociaal Domein", mode, false).await;
    let simulator = Simulator::new(
        format!("{}/api/v1", app.base),
        source.token.clone(),
        fixture(bsn),
    )
    .unwrap();
    let first = simulator.push_own().await.unwrap();
    assert!(first.is_accepted(), "{first:?}");
    (source, simulator)
}

/// Inzage's id of the source's record `source_record_id`, as "Mijn gegevens" links it.
pub async fn record_id(app: &TestApp, source: &Source, source_record_id: &str) -> i64 {
    personal_data_records::Entity::find()
        .filter(personal_data_records::Column::SourceSystemId.eq(source.id))
        .filter(personal_data_records::Column::SourceRecordId.eq(source_record_id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the record was pushed")
        .id
}

/// Files a request of `kind` through the citizen's form, as a citizen does: about one record
/// (from its link) or, without one, about everything held; reviewed, sent. The reference.
pub async fn file_over_http(
    citizen: &mut Browser,
    kind: Kind,
    record_id: Option<i64>,
    proposal: Option<&str>,
) -> String {
    let link = match record_id {
        Some(id) => format!("/verzoeken/nieuw?soort={kind}&gegeven={id}"),
        None => format!("/verzoeken/nieuw?soort={kind}"),
    };
    let form = citizen.get_text(&link).await;
    let token = input_value(&form, "token");
    let record = record_id.map(|id| id.to_string()).unwrap_or_default();
    let proposal_field = format!("voorstel-{record}");
    let mut fields = vec![
        ("stap", "controleren"),
        ("token", token.as_str()),
        ("soort", kind.as_str()),
        ("toelichting", "Dit wil ik graag geregeld zien."),
    ];
    if record_id.is_some() {
        fields.extend([("bereik", "gegevens"), ("gegeven", record.as_str())]);
    } else {
        fields.push(("bereik", "alles"));
    }
    if let Some(proposal) = proposal {
        fields.push((proposal_field.as_str(), proposal));
    }
    let reviewed = citizen.post("/verzoeken/nieuw", &fields).await;
    assert_eq!(location(&reviewed), "/verzoeken/nieuw");
    let sent = citizen
        .post(
            "/verzoeken/nieuw",
            &[("stap", "indienen"), ("token", &token)],
        )
        .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    receipt_reference(&location(&sent))
}

/// Eva claims and grants every item over the back office's forms, and Ingrid approves where the
/// four-eyes rule asks; Eva's browser, to carry it out.
pub async fn grant_over_http(app: &TestApp, reference: &str) -> Browser {
    let mut eva = app.staff(crate::support::demo::EVA).await;
    let page = format!("/backoffice/verzoeken/{reference}");
    assert!(
        staff_act(&mut eva, app, reference, &[("actie", "claim")])
            .await
            .ends_with("melding=opgeslagen")
    );
    let detail = eva.get_text(&page).await;
    let fields: Vec<String> = detail
        .split("name=\"besluit-")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|id| format!("besluit-{id}"))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut form: Vec<(&str, &str)> = vec![("actie", "decide"), ("toelichting", "Toegekend.")];
    form.extend(fields.iter().map(|f| (f.as_str(), "toekennen")));
    let decided = staff_act(&mut eva, app, reference, &form).await;
    assert!(decided.ends_with("melding=opgeslagen"), "{decided}");
    if status_of(app, reference).await.0 == "awaiting_approval" {
        let mut ingrid = app.staff("mw-0003").await;
        let approved = staff_act(&mut ingrid, app, reference, &[("actie", "approve")]).await;
        assert!(approved.ends_with("melding=opgeslagen"), "{approved}");
    }
    assert_eq!(status_of(app, reference).await.0, "decided");
    eva
}

/// Granted over HTTP as [`grant_over_http`], and carried out by Eva.
pub async fn grant_and_execute(app: &TestApp, reference: &str) {
    let mut eva = grant_over_http(app, reference).await;
    let executed = staff_act(&mut eva, app, reference, &[("actie", "execute")]).await;
    assert!(executed.ends_with("melding=opgeslagen"), "{executed}");
}

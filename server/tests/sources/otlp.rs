//! The Logboek Dataverwerkingen over OpenTelemetry: a source instrumented with the real
//! OpenTelemetry SDK exports its spans over OTLP/HTTP to the running portal, and the citizen
//! finds them under "Wie gebruikte mijn gegevens" and in the download; a span the register does
//! not know is refused by name and stored nowhere.

use std::collections::HashMap;

use opentelemetry::{
    Context, KeyValue, SpanId, TraceFlags, TraceId,
    trace::{Link, Span as _, SpanContext, TraceContextExt, TraceState, Tracer, TracerProvider},
};
use opentelemetry_otlp::{Compression, Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_proto::tonic::{
    collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse},
    common::v1::{AnyValue, KeyValue as ProtoKeyValue, any_value::Value},
    trace::v1::{ResourceSpans, ScopeSpans, Span as ProtoSpan},
};
use prost::Message;
use reqwest::{StatusCode, header};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use server::{
    entities::processing_log_lines,
    sources::otlp::{ACTIVITY, FOREIGN_ENTITY, SUBJECT, SUBJECT_TYPE},
};
use types::SourceMode;

use crate::support::{
    TestApp,
    api::source_with_token,
    demo::{FATIMA, HANS, seed_demo},
};

/// The foreign organisation whose request started the Wmo processing.
const CAK: &str = "urn:oin:00000003273229750000";

/// Exports spans the way an instrumented municipal system does: the SDK's OTLP/HTTP exporter
/// with its own (blocking) HTTP client, on a thread of its own as a service's exporter runs.
fn export_with_sdk(endpoint: String, token: String, protocol: Protocol, spans: Vec<SdkSpan>) {
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(endpoint)
        .with_protocol(protocol)
        .with_compression(Compression::Gzip)
        .with_headers(HashMap::from([(
            "authorization".to_owned(),
            format!("Bearer {token}"),
        )]))
        .build()
        .expect("exporter");
    let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder()
        .with_simple_exporter(exporter)
        .with_resource(
            opentelemetry_sdk::Resource::builder()
                .with_service_name("wmo-backend")
                .build(),
        )
        .build();
    let tracer = provider.tracer("inzage-test");
    for span in spans {
        let mut attributes = vec![
            KeyValue::new(SUBJECT, span.subject),
            KeyValue::new(SUBJECT_TYPE, "BSN"),
        ];
        if let Some(activity) = span.activity {
            attributes.push(KeyValue::new(ACTIVITY, activity));
        }
        // A parent and its child, the child caused by the foreign organisation's processing.
        let mut parent = tracer
            .span_builder(span.name)
            .with_attributes(attributes.clone())
            .start(&tracer);
        parent.set_status(opentelemetry::trace::Status::Ok);
        let cx = Context::current_with_span(parent);
        let foreign = SpanContext::new(
            TraceId::from_hex("0af7651916cd43dd8448eb211c80319c").unwrap(),
            SpanId::from_hex("b7ad6b7169203331").unwrap(),
            TraceFlags::SAMPLED,
            true,
            TraceState::default(),
        );
        let mut child = tracer
            .span_builder(format!("{}: gegevens opvragen", span.name))
            .with_attributes(attributes)
            .with_links(vec![Link::new(
                foreign,
                vec![KeyValue::new(FOREIGN_ENTITY, CAK)],
                0,
            )])
            .start_with_context(&tracer, &cx);
        child.end();
        cx.span().end();
    }
    provider.force_flush().expect("flush");
    provider.shutdown().expect("shutdown");
}

/// A span pair the SDK source sends.
struct SdkSpan {
    name: &'static str,
    activity: Option<&'static str>,
    subject: &'static str,
}

fn attribute(key: &str, value: &str) -> ProtoKeyValue {
    ProtoKeyValue {
        key: key.to_owned(),
        value: Some(AnyValue {
            value: Some(Value::StringValue(value.to_owned())),
        }),
        ..Default::default()
    }
}

/// An export of two spans built from the OTLP types: one for a known activity, one for an
/// activity the register does not hold.
fn mixed_export(first_byte: u8) -> ExportTraceServiceRequest {
    let at = chrono::Utc::now().timestamp_nanos_opt().unwrap() as u64;
    let span = |n: u8, name: &str, activity: &str| ProtoSpan {
        trace_id: vec![first_byte; 16],
        span_id: vec![first_byte, n, 0, 0, 0, 0, 0, 1],
        name: name.to_owned(),
        start_time_unix_nano: at,
        end_time_unix_nano: at + 1_000_000,
        attributes: vec![
            attribute(ACTIVITY, activity),
            attribute(SUBJECT, FATIMA),
            attribute(SUBJECT_TYPE, "BSN"),
        ],
        ..Default::default()
    };
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            scope_spans: vec![ScopeSpans {
                spans: vec![
                    span(1, "OTLP: melding vastleggen", "wmo-onderzoek"),
                    span(2, "OTLP: geheime verwerking", "niet-in-het-register"),
                ],
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

async fn lines_named(app: &TestApp, name: &str) -> Vec<processing_log_lines::Model> {
    processing_log_lines::Entity::find()
        .filter(processing_log_lines::Column::Name.eq(name))
        .all(&app.db)
        .await
        .unwrap()
}

pub(super) async fn sdk_spans_reach_the_citizen_and_unknown_ones_nowhere(app: TestApp) {
    seed_demo(&app).await;
    let source = source_with_token(&app, "Wmo-systeem", "Wmo", SourceMode::Managed, false).await;
    let endpoint = format!("{}/v1/traces", app.base);

    // The SDK exports protobuf and JSON, gzip-compressed, with the source's token.
    for (protocol, name) in [
        (Protocol::HttpBinary, "OTel: indicatie beoordelen"),
        (Protocol::HttpJson, "OTel: huisbezoek plannen"),
    ] {
        let (endpoint, token) = (endpoint.clone(), source.token.clone());
        tokio::task::spawn_blocking(move || {
            export_with_sdk(
                endpoint,
                token,
                protocol,
                vec![
                    SdkSpan {
                        name,
                        activity: Some("wmo-onderzoek"),
                        subject: FATIMA,
                    },
                    SdkSpan {
                        name: "OTel: buiten het register",
                        activity: Some("onbekende-activiteit"),
                        subject: FATIMA,
                    },
                    SdkSpan {
                        name: "OTel: zonder activiteit",
                        activity: None,
                        subject: FATIMA,
                    },
                ],
            );
        })
        .await
        .unwrap();
        let parent = lines_named(&app, name).await;
        assert_eq!(parent.len(), 1, "{name}: stored once");
        let child = lines_named(&app, &format!("{name}: gegevens opvragen")).await;
        assert_eq!(child.len(), 1);
        let (parent, child) = (&parent[0], &child[0]);
        assert_eq!(child.trace_id, parent.trace_id, "one trace");
        assert_eq!(
            child.parent_span_id.as_deref(),
            Some(parent.span_id.as_str())
        );
        assert_eq!(child.foreign_entity.as_deref(), Some(CAK));
        assert_eq!(
            child.foreign_trace_id.as_deref(),
            Some("0af7651916cd43dd8448eb211c80319c")
        );
        assert_eq!(child.source_system_id, Some(source.id));
        assert_eq!(child.processor, "Wmo-systeem", "the token's source");
        assert_ne!(
            child.subject_pseudonym, FATIMA,
            "only the pseudonym is kept"
        );
    }
    for refused in ["OTel: buiten het register", "OTel: zonder activiteit"] {
        assert!(
            lines_named(&app, refused).await.is_empty(),
            "{refused}: stored nowhere"
        );
    }

    // The citizen sees the spans; another citizen does not.
    let mut fatima = app.citizen(FATIMA).await;
    let usage = fatima.get_text("/gebruik").await;
    for name in ["OTel: indicatie beoordelen", "OTel: huisbezoek plannen"] {
        assert!(usage.contains(name), "{name} on Fatima's page");
    }
    assert!(!usage.contains("OTel: buiten het register"));
    let mut hans = app.citizen(HANS).await;
    assert!(!hans.get_text("/gebruik").await.contains("OTel: "));

    // The download carries her log in the standard's fields.
    let download: serde_json::Value =
        serde_json::from_str(&fatima.get_text("/mijn-gegevens/download.json").await).unwrap();
    let log = download["processing_log"]
        .as_array()
        .expect("processing_log");
    let child = log
        .iter()
        .find(|l| l["name"] == "OTel: indicatie beoordelen: gegevens opvragen")
        .expect("the child span in the download");
    assert_eq!(child["attributes"][ACTIVITY], "wmo-onderzoek");
    assert_eq!(child["status_code"], "STATUS_CODE_OK");
    assert_eq!(child["foreign_operation"]["entity"], CAK);
    assert_eq!(
        child["foreign_operation"]["operation_id"],
        "b7ad6b7169203331"
    );
    assert_eq!(child["operation_id"].as_str().unwrap().len(), 16);
    assert!(child["parent_operation_id"].is_string());
    assert!(
        !download.to_string().contains(FATIMA),
        "no BSN in the log download"
    );
    app.finish().await;
}

pub(super) async fn a_refused_span_is_named_in_the_partial_success(app: TestApp) {
    seed_demo(&app).await;
    let source = source_with_token(&app, "Wmo-systeem", "Wmo", SourceMode::Managed, false).await;
    let client = reqwest::Client::new();
    let endpoint = format!("{}/v1/traces", app.base);

    // Protobuf: one span stored, one refused and named by its span id and attribute.
    let response = client
        .post(&endpoint)
        .bearer_auth(&source.token)
        .header(header::CONTENT_TYPE, "application/x-protobuf")
        .body(mixed_export(0x11).encode_to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/x-protobuf"
    );
    let answer = ExportTraceServiceResponse::decode(response.bytes().await.unwrap()).unwrap();
    let partial = answer.partial_success.expect("partial success");
    assert_eq!(partial.rejected_spans, 1);
    assert!(
        partial.error_message.contains("span 1102000000000001")
            && partial.error_message.contains(ACTIVITY)
            && partial
                .error_message
                .contains("not a processing activity in the register"),
        "{}",
        partial.error_message
    );
    assert!(!partial.error_message.contains(FATIMA), "never the subject");
    assert_eq!(lines_named(&app, "OTLP: melding vastleggen").await.len(), 1);
    assert!(
        lines_named(&app, "OTLP: geheime verwerking")
            .await
            .is_empty()
    );

    // JSON, sent twice: the good span is kept once, the answer the same each time.
    let json = serde_json::to_vec(&mixed_export(0x22)).unwrap();
    for _ in 0..2 {
        let response = client
            .post(&endpoint)
            .bearer_auth(&source.token)
            .header(header::CONTENT_TYPE, "application/json")
            .body(json.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let answer: serde_json::Value = response.json().await.unwrap();
        assert_eq!(answer["partialSuccess"]["rejectedSpans"], 1, "{answer}");
    }
    assert_eq!(lines_named(&app, "OTLP: melding vastleggen").await.len(), 2);

    // Without a token, with a bad body or an unknown encoding: refused, nothing stored.
    let before = app.count::<processing_log_lines::Entity>().await;
    let no_token = client
        .post(&endpoint)
        .header(header::CONTENT_TYPE, "application/x-protobuf")
        .body(mixed_export(0x33).encode_to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), StatusCode::UNAUTHORIZED);
    let garbage = client
        .post(&endpoint)
        .bearer_auth(&source.token)
        .header(header::CONTENT_TYPE, "application/x-protobuf")
        .body(vec![0xff; 32])
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), StatusCode::BAD_REQUEST);
    let not_gzip = client
        .post(&endpoint)
        .bearer_auth(&source.token)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_ENCODING, "gzip")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(not_gzip.status(), StatusCode::BAD_REQUEST);
    let text = client
        .post(&endpoint)
        .bearer_auth(&source.token)
        .header(header::CONTENT_TYPE, "text/plain")
        .body("hallo")
        .send()
        .await
        .unwrap();
    assert_eq!(text.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(app.count::<processing_log_lines::Entity>().await, before);
    app.finish().await;
}

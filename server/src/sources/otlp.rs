//! The Logboek Dataverwerkingen (Logius) over OpenTelemetry: `POST /v1/traces`, OTLP/HTTP in
//! protobuf or JSON, gzip-compressed or not, with the source's bearer token. Each span is a
//! processing ("Actie") of the standard and is kept as a processing log line:
//!
//! | span | log line |
//! |---|---|
//! | `trace_id`, `span_id`, `parent_span_id` | the same, as lower-case hex |
//! | `name`, `start/end_time_unix_nano`, `status.code` | the same (`ERROR` is `error`, else `ok`) |
//! | attribute `dpl.core.processing_activity_id` | `activity_code`: a register code, or a URI ending in one |
//! | attributes `dpl.core.data_subject_id` (+ `_type`, `BSN` when sent) | the citizen, kept only as the keyed pseudonym |
//! | a link with attribute `dpl.core.foreign_operation.entity` | `foreign_operation`: that link's trace and span, and the entity |
//!
//! The processor is the token's source system, never something the span says. A span that does
//! not name a processing activity of the register or a valid subject is refused and stored
//! nowhere; the answer's `partial_success` counts and names it (by span id, never the subject),
//! and everything else in the export is stored and acknowledged. A database failure stores
//! nothing of the export and answers 503, which OTLP exporters retry; a span they send again is
//! kept once.

use std::io::Read;

use axum::{
    Router,
    body::Bytes,
    extract::{DefaultBodyLimit, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::post,
};
use chrono::{DateTime, Utc};
use opentelemetry_proto::tonic::{
    collector::trace::v1::{
        ExportTracePartialSuccess, ExportTraceServiceRequest, ExportTraceServiceResponse,
    },
    common::v1::{KeyValue, any_value::Value},
    trace::v1::{Span, status::StatusCode as SpanCode},
};
use prost::Message;

use crate::{
    AppState,
    platform::crypto::hex,
    sources::{
        api::Source,
        ingest::{self, ForeignOperation, IngestError, LogLineInput, MAX_BATCH, SourceContext},
    },
};

/// The register entry the processing belongs to.
pub const ACTIVITY: &str = "dpl.core.processing_activity_id";
/// Whose data was processed.
pub const SUBJECT: &str = "dpl.core.data_subject_id";
/// What kind of number [`SUBJECT`] is; only `BSN` names a citizen of the portal.
pub const SUBJECT_TYPE: &str = "dpl.core.data_subject_id_type";
/// On a span link: the URI of the organisation whose processing caused this one.
pub const FOREIGN_ENTITY: &str = "dpl.core.foreign_operation.entity";

/// Largest export body, compressed, and what it may grow to when inflated: a gzip bomb stops
/// there instead of filling memory.
const BODY_LIMIT: usize = 8 * 1024 * 1024;
const INFLATED_LIMIT: u64 = 64 * 1024 * 1024;

/// Refused spans named one by one in the answer; the count covers the rest.
const NAMED: usize = 20;

/// The receiver's route, at the path OTLP exporters default to.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/v1/traces", post(traces))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .route_layer(axum::middleware::from_fn_with_state(
            state,
            crate::http::limits::api,
        ))
}

/// How the export is encoded, which is also how it is answered.
#[derive(Clone, Copy)]
enum Encoding {
    Protobuf,
    Json,
}

/// What OTLP/HTTP answers a refused export with (`google.rpc.Status`), in the export's
/// encoding. Only its code and message are sent.
#[derive(Clone, PartialEq, prost::Message, serde::Serialize)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
}

/// `POST /v1/traces`.
async fn traces(
    State(state): State<AppState>,
    Source(source): Source,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(encoding) = encoding_of(&headers) else {
        return refuse(
            Encoding::Json,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send application/x-protobuf or application/json",
        );
    };
    let body = match inflate(&headers, body) {
        Ok(body) => body,
        Err(why) => return refuse(encoding, StatusCode::BAD_REQUEST, why),
    };
    let export = match decode(encoding, &body) {
        Ok(export) => export,
        Err(why) => return refuse(encoding, StatusCode::BAD_REQUEST, &why),
    };
    let spans = export
        .resource_spans
        .iter()
        .flat_map(|r| &r.scope_spans)
        .map(|s| s.spans.len())
        .sum();
    let stored = store(&state, &source, export).await;
    crate::platform::metrics::ingest_batch(
        "otlp",
        match &stored {
            Ok(outcome) if outcome.refused == 0 => "accepted",
            Ok(_) => "partial",
            Err(_) => "failed",
        },
        spans,
    );
    match stored {
        Ok(outcome) => {
            tracing::info!(
                source = %source.name,
                stored = outcome.stored,
                refused = outcome.refused,
                "otlp: export received"
            );
            answer(encoding, outcome)
        }
        Err(e) => {
            tracing::error!(error = %e, "otlp: export not stored");
            refuse(
                encoding,
                StatusCode::SERVICE_UNAVAILABLE,
                "nothing was stored; send the export again later",
            )
        }
    }
}

fn encoding_of(headers: &HeaderMap) -> Option<Encoding> {
    let content_type = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = content_type.split(';').next()?.trim();
    match essence.to_ascii_lowercase().as_str() {
        "application/x-protobuf" | "application/protobuf" => Some(Encoding::Protobuf),
        "application/json" => Some(Encoding::Json),
        _ => None,
    }
}

/// The body, inflated when it came gzip-compressed.
fn inflate(headers: &HeaderMap, body: Bytes) -> Result<Vec<u8>, &'static str> {
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_ascii_lowercase());
    match encoding.as_deref() {
        None | Some("identity") => Ok(body.to_vec()),
        Some("gzip") => {
            let mut inflated = Vec::new();
            flate2::read::GzDecoder::new(&body[..])
                .take(INFLATED_LIMIT + 1)
                .read_to_end(&mut inflated)
                .map_err(|_| "the body is not valid gzip")?;
            if inflated.len() as u64 > INFLATED_LIMIT {
                return Err("the inflated body is larger than 64 MB; send smaller exports");
            }
            Ok(inflated)
        }
        Some(_) => Err("only gzip content encoding is supported"),
    }
}

fn decode(encoding: Encoding, body: &[u8]) -> Result<ExportTraceServiceRequest, String> {
    match encoding {
        Encoding::Protobuf => ExportTraceServiceRequest::decode(body)
            .map_err(|_| "the body is not an OTLP ExportTraceServiceRequest".to_owned()),
        Encoding::Json => {
            serde_json::from_slice(body).map_err(|e| format!("the body is not OTLP JSON: {e}"))
        }
    }
}

/// What an export came to.
#[derive(Default)]
struct Outcome {
    /// Spans kept (new, or sent before and kept once).
    stored: usize,
    /// Spans refused.
    refused: usize,
    /// Why, for the first [`NAMED`] refused spans.
    reasons: Vec<String>,
}

/// Maps every span of the export to a log line and stores the good ones, a batch at a time.
async fn store(
    state: &AppState,
    source: &SourceContext,
    export: ExportTraceServiceRequest,
) -> Result<Outcome, IngestError> {
    let mut outcome = Outcome::default();
    let mut lines = Vec::new();
    // The span ids of `lines`, to name a span the ingest refuses.
    let mut ids = Vec::new();
    for span in export
        .resource_spans
        .iter()
        .flat_map(|r| &r.scope_spans)
        .flat_map(|s| &s.spans)
    {
        match line_of(source, span) {
            Ok(line) => {
                ids.push(line.span_id.clone());
                lines.push(line);
            }
            Err(why) => outcome.refuse(&hex(&span.span_id), &why),
        }
    }
    for (lines, ids) in lines.chunks(MAX_BATCH).zip(ids.chunks(MAX_BATCH)) {
        let partial = ingest::record_good_log_lines(&state.db, &state.vault, source, lines).await?;
        outcome.stored += partial.summary.created + partial.summary.unchanged;
        for (index, errors) in partial.refused {
            let why = errors
                .iter()
                .map(|e| format!("{} {}", attribute_of(&e.pointer), e.detail))
                .collect::<Vec<_>>()
                .join("; ");
            outcome.refuse(&ids[index], &why);
        }
    }
    Ok(outcome)
}

impl Outcome {
    fn refuse(&mut self, span_id: &str, why: &str) {
        self.refused += 1;
        if self.reasons.len() < NAMED {
            self.reasons.push(format!("span {span_id}: {why}"));
        }
    }
}

/// The span attribute (or field) a log line's bad field came from, for the refusal.
fn attribute_of(pointer: &str) -> &str {
    let field = pointer.splitn(4, '/').nth(3).unwrap_or(pointer);
    match field {
        "activity_code" => ACTIVITY,
        "bsn" => SUBJECT,
        "end_time" => "end_time_unix_nano",
        "status" => "status.code",
        "foreign_operation/trace_id" => "link trace_id",
        "foreign_operation/span_id" => "link span_id",
        "foreign_operation/entity" => FOREIGN_ENTITY,
        other => other,
    }
}

/// A span as a log line of `source`, or why it cannot be one. The ingest then checks it as it
/// checks a line sent to the REST API (the register, the BSN's 11-proef, lengths).
fn line_of(source: &SourceContext, span: &Span) -> Result<LogLineInput, String> {
    if span.trace_id.len() != 16 {
        return Err("trace_id must be 16 bytes".to_owned());
    }
    if span.span_id.len() != 8 {
        return Err("span_id must be 8 bytes".to_owned());
    }
    let parent_span_id = match span.parent_span_id.len() {
        0 => None,
        8 => Some(hex(&span.parent_span_id)),
        _ => return Err("parent_span_id must be 8 bytes or empty".to_owned()),
    };
    let activity = text(&span.attributes, ACTIVITY)
        .ok_or_else(|| format!("{ACTIVITY} is missing: every processing names its activity"))?;
    let subject = text(&span.attributes, SUBJECT)
        .ok_or_else(|| format!("{SUBJECT} is missing: the portal shows lines to their subject"))?;
    if let Some(kind) = text(&span.attributes, SUBJECT_TYPE)
        && !kind.eq_ignore_ascii_case("bsn")
    {
        return Err(format!(
            "{SUBJECT_TYPE} must be BSN: only a BSN names a citizen of the portal"
        ));
    }
    let status = match span
        .status
        .as_ref()
        .map(opentelemetry_proto::tonic::trace::v1::Status::code)
    {
        Some(SpanCode::Error) => "error",
        _ => "ok",
    };
    let foreign_operation = span.links.iter().find_map(|link| {
        let entity = text(&link.attributes, FOREIGN_ENTITY)?;
        Some(ForeignOperation {
            trace_id: hex(&link.trace_id),
            span_id: hex(&link.span_id),
            entity: entity.to_owned(),
        })
    });
    Ok(LogLineInput {
        trace_id: hex(&span.trace_id),
        span_id: hex(&span.span_id),
        parent_span_id,
        name: span.name.clone(),
        status: status.to_owned(),
        start_time: moment(span.start_time_unix_nano).ok_or("start_time_unix_nano is not set")?,
        end_time: moment(span.end_time_unix_nano).ok_or("end_time_unix_nano is not set")?,
        // `urn:…:wmo-onderzoek` or `https://…/register/wmo-onderzoek` names the code at the end.
        activity_code: activity
            .rsplit(['/', ':', '#'])
            .next()
            .unwrap_or(activity)
            .to_owned(),
        bsn: subject.to_owned(),
        processor: source.name.clone(),
        foreign_operation,
    })
}

/// A string attribute's value.
fn text<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a str> {
    attributes.iter().find(|kv| kv.key == key).and_then(|kv| {
        match kv.value.as_ref()?.value.as_ref()? {
            Value::StringValue(s) if !s.trim().is_empty() => Some(s.trim()),
            _ => None,
        }
    })
}

/// Nanoseconds since the epoch as a moment; zero means "not set" in OTLP.
fn moment(nanos: u64) -> Option<DateTime<Utc>> {
    let nanos = i64::try_from(nanos).ok().filter(|n| *n > 0)?;
    Some(DateTime::from_timestamp_nanos(nanos))
}

/// 200 with `partial_success` when any span was refused, as OTLP/HTTP asks.
fn answer(encoding: Encoding, outcome: Outcome) -> Response {
    let partial_success = (outcome.refused > 0).then(|| {
        let mut message = format!(
            "{} of {} spans refused and stored nowhere; the others are stored. {}",
            outcome.refused,
            outcome.refused + outcome.stored,
            outcome.reasons.join(" | ")
        );
        if outcome.refused > NAMED {
            message.push_str(&format!(" | and {} more", outcome.refused - NAMED));
        }
        ExportTracePartialSuccess {
            rejected_spans: i64::try_from(outcome.refused).unwrap_or(i64::MAX),
            error_message: message,
        }
    });
    let response = ExportTraceServiceResponse { partial_success };
    match encoding {
        Encoding::Protobuf => encoded(StatusCode::OK, encoding, response.encode_to_vec()),
        Encoding::Json => match serde_json::to_vec(&response) {
            Ok(json) => encoded(StatusCode::OK, encoding, json),
            Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        },
    }
}

/// A refused export: the status and a `google.rpc.Status` that says why.
fn refuse(encoding: Encoding, status: StatusCode, message: &str) -> Response {
    let body = RpcStatus {
        // google.rpc.Code: INVALID_ARGUMENT, UNAVAILABLE.
        code: if status.is_server_error() { 14 } else { 3 },
        message: message.to_owned(),
    };
    let bytes = match encoding {
        Encoding::Protobuf => body.encode_to_vec(),
        Encoding::Json => serde_json::to_vec(&body).unwrap_or_default(),
    };
    let mut response = encoded(status, encoding, bytes);
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    response
}

fn encoded(status: StatusCode, encoding: Encoding, bytes: Vec<u8>) -> Response {
    let content_type = match encoding {
        Encoding::Protobuf => "application/x-protobuf",
        Encoding::Json => "application/json",
    };
    (status, [(header::CONTENT_TYPE, content_type)], bytes).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::{
        common::v1::AnyValue,
        trace::v1::{Status, span::Link},
    };

    fn attr(key: &str, value: &str) -> KeyValue {
        KeyValue {
            key: key.to_owned(),
            value: Some(AnyValue {
                value: Some(Value::StringValue(value.to_owned())),
            }),
            ..Default::default()
        }
    }

    fn source() -> SourceContext {
        SourceContext {
            id: 1,
            name: "Wmo-systeem".to_owned(),
            is_admin: false,
        }
    }

    fn span() -> Span {
        Span {
            trace_id: vec![0x4b; 16],
            span_id: vec![0x0f; 8],
            name: "Indicatie beoordelen".to_owned(),
            start_time_unix_nano: 1_764_000_000_000_000_000,
            end_time_unix_nano: 1_764_000_001_000_000_000,
            attributes: vec![
                attr(
                    ACTIVITY,
                    "https://register.example/activiteiten/wmo-onderzoek",
                ),
                attr(SUBJECT, "999993653"),
                attr(SUBJECT_TYPE, "BSN"),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn a_span_of_the_standard_maps_to_a_log_line() {
        let mut span = span();
        span.status = Some(Status {
            message: String::new(),
            code: SpanCode::Error as i32,
        });
        span.links = vec![Link {
            trace_id: vec![0xaa; 16],
            span_id: vec![0xbb; 8],
            attributes: vec![attr(FOREIGN_ENTITY, "urn:oin:00000001234567890000")],
            ..Default::default()
        }];
        let line = line_of(&source(), &span).unwrap();
        assert_eq!(line.trace_id, "4b".repeat(16));
        assert_eq!(line.span_id, "0f".repeat(8));
        assert_eq!(line.parent_span_id, None);
        assert_eq!(line.activity_code, "wmo-onderzoek");
        assert_eq!(line.status, "error");
        assert_eq!(
            line.processor, "Wmo-systeem",
            "the token's source, not the span's"
        );
        assert_eq!(
            line.end_time - line.start_time,
            chrono::Duration::seconds(1)
        );
        let foreign = line.foreign_operation.unwrap();
        assert_eq!(foreign.trace_id, "aa".repeat(16));
        assert_eq!(foreign.entity, "urn:oin:00000001234567890000");
    }

    #[test]
    fn a_span_without_activity_or_subject_is_refused_with_the_attribute_named() {
        let mut no_activity = span();
        no_activity.attributes.retain(|kv| kv.key != ACTIVITY);
        assert!(
            line_of(&source(), &no_activity)
                .unwrap_err()
                .contains(ACTIVITY)
        );
        let mut no_subject = span();
        no_subject.attributes.retain(|kv| kv.key != SUBJECT);
        assert!(
            line_of(&source(), &no_subject)
                .unwrap_err()
                .contains(SUBJECT)
        );
        let mut other_kind = span();
        other_kind.attributes[2] = attr(SUBJECT_TYPE, "Vreemdelingennummer");
        assert!(
            line_of(&source(), &other_kind)
                .unwrap_err()
                .contains(SUBJECT_TYPE)
        );
        let mut short = span();
        short.span_id = vec![1; 4];
        assert!(line_of(&source(), &short).is_err());
    }

    #[test]
    fn a_refused_field_is_named_by_its_span_attribute() {
        assert_eq!(attribute_of("/items/3/activity_code"), ACTIVITY);
        assert_eq!(attribute_of("/items/0/bsn"), SUBJECT);
        assert_eq!(attribute_of("/items/12/name"), "name");
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_limit() {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..65 {
            encoder.write_all(&zeros).unwrap();
        }
        let bomb = encoder.finish().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        assert!(inflate(&headers, Bytes::from(bomb)).is_err());
    }
}

//! The REST API for source systems under `/api/v1`: bearer tokens per source system (stored
//! hashed), batches that are all or nothing, RFC 9457 problem details that name the field, and
//! an OpenAPI 3.1 document generated from the same types (utoipa).

use axum::{
    Json, Router,
    body::Bytes,
    extract::{DefaultBodyLimit, FromRequestParts, State},
    http::{StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
    routing::{get, post, put},
};
use chrono::Utc;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use types::{TaskAction, TaskStatus};
use utoipa::{OpenApi, ToSchema};

use crate::{
    AppState,
    entities::{source_systems, source_tokens},
    platform::crypto::{Vault, sha256_hex},
    sources::events::{self, EventKind},
    sources::ingest::{
        self, ActivityInput, BatchSummary, ConsentInput, DisclosureInput, FieldError, IngestError,
        LogLineInput, RecordInput, SourceContext, StaffViewInput,
    },
};

/// Largest request body the API accepts.
pub const BODY_LIMIT: usize = 8 * 1024 * 1024;

/// The API's routes, to be nested under `/api/v1`.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/activities", put(put_activities))
        .route("/records", post(post_records))
        .route("/consents", post(post_consents))
        .route("/disclosures", post(post_disclosures))
        .route("/log-lines", post(post_log_lines))
        .route("/staff-views", post(post_staff_views))
        .route("/events", get(get_events))
        .route("/events/{id}/ack", post(ack_event))
        .route("/tasks", get(get_tasks))
        .route("/tasks/{id}/ack", post(ack_task))
        .route("/openapi.json", get(openapi))
        .route("/docs", get(docs))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .route_layer(axum::middleware::from_fn_with_state(
            state,
            crate::http::limits::api,
        ))
}

/// An RFC 9457 problem.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// What went wrong, in words.
    pub detail: String,
    /// The fields that were wrong, by JSON pointer.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// An RFC 9457 problem response.
pub(crate) fn problem(
    status: StatusCode,
    kind: &str,
    title: &str,
    detail: impl Into<String>,
    errors: Vec<FieldError>,
) -> Response {
    let body = Problem {
        kind: format!("https://inzage.example/problems/{kind}"),
        title: title.to_owned(),
        status: status.as_u16(),
        detail: detail.into(),
        errors,
    };
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/problem+json"),
    );
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
    }
    response
}

impl IntoResponse for IngestError {
    fn into_response(self) -> Response {
        match self {
            IngestError::Invalid(errors) => problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-batch",
                "The batch was not accepted",
                "Nothing was written. Correct the fields listed in `errors` and send the batch again.",
                errors,
            ),
            IngestError::Forbidden(why) => problem(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Not allowed",
                why,
                Vec::new(),
            ),
            IngestError::Database(e) => {
                tracing::error!(error = %e, "api: database error");
                problem(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "Try again later",
                    "Nothing was written.",
                    Vec::new(),
                )
            }
        }
    }
}

/// The calling source system, from its bearer token.
pub struct Source(pub SourceContext);

impl FromRequestParts<AppState> for Source {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let unauthorized = || {
            problem(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Not authenticated",
                "Send a valid, unrevoked token as `Authorization: Bearer …`.",
                Vec::new(),
            )
        };
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(unauthorized)?;
        let found = async {
            let Some(token) = source_tokens::Entity::find()
                .filter(source_tokens::Column::TokenHash.eq(sha256_hex(token)))
                .filter(source_tokens::Column::RevokedAt.is_null())
                .one(&state.db)
                .await?
            else {
                return Ok(None);
            };
            let system = source_systems::Entity::find_by_id(token.source_system_id)
                .one(&state.db)
                .await?;
            Ok::<_, sea_orm::DbErr>(system.map(|system| SourceContext {
                id: system.id,
                name: system.name,
                is_admin: token.is_admin,
            }))
        }
        .await;
        match found {
            Ok(Some(source)) => Ok(Source(source)),
            Ok(None) => Err(unauthorized()),
            Err(e) => {
                tracing::error!(error = %e, "api: token look-up failed");
                Err(problem(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "Try again later",
                    "",
                    Vec::new(),
                ))
            }
        }
    }
}

/// A batch: `{"items": [...]}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Batch<T> {
    /// The items, at most 2000.
    pub items: Vec<T>,
}

/// Parses the body, naming the field that does not fit without echoing its value.
fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<Vec<T>, IngestError> {
    // A good body is parsed once, without tracking where the parser is (which costs an
    // allocation per field); only a bad one is parsed again to find the field to name.
    if let Ok(batch) = serde_json::from_slice::<Batch<T>>(body) {
        return Ok(batch.items);
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut deserializer)
        .map(|batch: Batch<T>| batch.items)
        .map_err(|e| {
            let pointer = format!(
                "/{}",
                e.path()
                    .to_string()
                    .replace("[", "/")
                    .replace("]", "")
                    .replace('.', "/")
                    .trim_start_matches('/')
            );
            let inner = e.inner();
            let detail = match inner.classify() {
                serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                    "the body is not valid JSON"
                }
                _ if inner.to_string().starts_with("missing field") => {
                    "a required field is missing here"
                }
                _ if inner.to_string().starts_with("unknown field") => {
                    "this field is not part of the schema"
                }
                _ => "wrong type or format",
            };
            IngestError::Invalid(vec![FieldError {
                pointer: if pointer == "/." || pointer == "/" {
                    String::new()
                } else {
                    pointer
                },
                detail: detail.to_owned(),
            }])
        })
}

/// What a batch endpoint answers: what the batch changed, or the problem.
type Accepted = Result<Json<BatchSummary>, IngestError>;

/// What every batch endpoint does: parses the body into a batch, naming the field that does not
/// fit, and hands its items, with the calling source, to `ingest`, which checks and writes them
/// all or nothing.
async fn accept<T: DeserializeOwned>(
    kind: &'static str,
    State(state): State<AppState>,
    Source(source): Source,
    body: Bytes,
    ingest: impl AsyncFnOnce(
        &DatabaseConnection,
        &Vault,
        &SourceContext,
        &[T],
    ) -> Result<BatchSummary, IngestError>,
) -> Accepted {
    use crate::platform::metrics::ingest_batch;
    let items: Vec<T> = parse(&body).inspect_err(|_| ingest_batch(kind, "refused", 0))?;
    let outcome = ingest(&state.db, &state.vault, &source, &items).await;
    let label = match &outcome {
        Ok(_) => "accepted",
        Err(IngestError::Database(_)) => "failed",
        Err(_) => "refused",
    };
    ingest_batch(kind, label, items.len());
    Ok(Json(outcome?))
}

/// Upserts register entries (admin tokens only).
#[utoipa::path(put, path = "/api/v1/activities", request_body = inline(Batch<ActivityInput>),
    responses((status = 200, body = BatchSummary), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn put_activities(state: State<AppState>, source: Source, body: Bytes) -> Accepted {
    accept(
        "activities",
        state,
        source,
        body,
        async |db, _, source, items| ingest::upsert_activities(db, source, items).await,
    )
    .await
}

/// Upserts personal data records, idempotent by `source_record_id`.
#[utoipa::path(post, path = "/api/v1/records", request_body = inline(Batch<RecordInput>),
    responses((status = 200, body = BatchSummary), (status = 401, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn post_records(state: State<AppState>, source: Source, body: Bytes) -> Accepted {
    accept("records", state, source, body, ingest::upsert_records).await
}

/// Upserts consents, idempotent by `source_consent_id`.
#[utoipa::path(post, path = "/api/v1/consents", request_body = inline(Batch<ConsentInput>),
    responses((status = 200, body = BatchSummary), (status = 401, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn post_consents(state: State<AppState>, source: Source, body: Bytes) -> Accepted {
    accept("consents", state, source, body, ingest::upsert_consents).await
}

/// Upserts disclosures, idempotent by `source_disclosure_id`.
#[utoipa::path(post, path = "/api/v1/disclosures", request_body = inline(Batch<DisclosureInput>),
    responses((status = 200, body = BatchSummary), (status = 401, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn post_disclosures(state: State<AppState>, source: Source, body: Bytes) -> Accepted {
    accept(
        "disclosures",
        state,
        source,
        body,
        ingest::upsert_disclosures,
    )
    .await
}

/// Records processing log lines; a line sent twice is kept once.
#[utoipa::path(post, path = "/api/v1/log-lines", request_body = inline(Batch<LogLineInput>),
    responses((status = 200, body = BatchSummary), (status = 401, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn post_log_lines(state: State<AppState>, source: Source, body: Bytes) -> Accepted {
    accept("log_lines", state, source, body, ingest::record_log_lines).await
}

/// Records which of the source's staff opened a citizen's file, and for which case; the privacy
/// officer sees views without one. A view sent twice is kept once.
#[utoipa::path(post, path = "/api/v1/staff-views", request_body = inline(Batch<StaffViewInput>),
    responses((status = 200, body = BatchSummary), (status = 401, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn post_staff_views(state: State<AppState>, source: Source, body: Bytes) -> Accepted {
    accept(
        "staff_views",
        state,
        source,
        body,
        ingest::record_staff_views,
    )
    .await
}

/// An event for a source system: a decision of the portal about the source's own data.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    /// Acknowledge with `POST /api/v1/events/{id}/ack` once applied to your own copy.
    pub id: i64,
    /// `consent.withdrawn`, `record.rectified`, `record.erased`, `record.restricted` or
    /// `record.unrestricted` (see the API description).
    #[schema(value_type = EventKind)]
    pub kind: String,
    /// The source's own id (`source_record_id` or `source_consent_id`), the request
    /// `reference`, and for `record.rectified` the `new_value`.
    pub payload: serde_json::Value,
    /// When it happened.
    pub created_at: chrono::DateTime<Utc>,
}

/// The calling source's unacknowledged events, oldest first (at most 500): every decision the
/// portal carried out on the source's data, for `managed` and `connected` sources alike.
#[utoipa::path(get, path = "/api/v1/events",
    responses((status = 200, body = [EventView]), (status = 401, body = Problem)),
    security(("bearer" = [])))]
async fn get_events(State(state): State<AppState>, Source(source): Source) -> Response {
    match events::open_events(&state.db, source.id).await {
        Ok(events) => Json(
            events
                .into_iter()
                .map(|e| EventView {
                    id: e.id,
                    kind: e.kind,
                    payload: serde_json::from_str(&e.payload).unwrap_or_default(),
                    created_at: e.created_at,
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => IngestError::Database(e).into_response(),
    }
}

/// Acknowledges one of the calling source's events; another source's event is not found.
/// Acknowledge only what you applied: a `record.rectified` event keeps the old value refused
/// until it is acknowledged.
#[utoipa::path(post, path = "/api/v1/events/{id}/ack",
    params(("id" = i64, Path, description = "The event's id")),
    responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn ack_event(
    State(state): State<AppState>,
    Source(source): Source,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Response {
    match events::acknowledge(&state.db, source.id, id, Utc::now()).await {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => problem(
            StatusCode::NOT_FOUND,
            "not-found",
            "No such open event",
            "It does not exist, is already acknowledged, or belongs to another source.",
            Vec::new(),
        ),
        Err(e) => IngestError::Database(e).into_response(),
    }
}

/// A change a rights request asks of a `connected` source system.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskView {
    /// Acknowledge with `POST /api/v1/tasks/{id}/ack`.
    pub id: i64,
    /// `rectify`, `erase` or `restrict`.
    pub action: TaskAction,
    /// The source's own record id, the new value for `rectify`, and the request reference.
    pub payload: serde_json::Value,
    /// When the task was made.
    pub created_at: chrono::DateTime<Utc>,
}

/// The outcome a source reports for a task.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskAck {
    /// `done` or `impossible`.
    pub status: String,
    /// Why it was impossible (required then).
    pub reason: Option<String>,
}

/// The calling source's open tasks from rights requests, oldest first.
#[utoipa::path(get, path = "/api/v1/tasks",
    responses((status = 200, body = [TaskView]), (status = 401, body = Problem)),
    security(("bearer" = [])))]
async fn get_tasks(State(state): State<AppState>, Source(source): Source) -> Response {
    match crate::rights::requests::open_source_tasks(&state.db, source.id).await {
        Ok(tasks) => Json(
            tasks
                .into_iter()
                .map(|t| TaskView {
                    id: t.id,
                    action: t.action,
                    payload: serde_json::from_str(&t.payload).unwrap_or_default(),
                    created_at: t.created_at,
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => IngestError::Database(e).into_response(),
    }
}

/// Reports a task done (Inzage then applies the change to its own copy, and completes the
/// request with its last task) or impossible, with a reason. Another source's task is not found.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/ack",
    params(("id" = i64, Path, description = "The task's id")),
    request_body = TaskAck,
    responses((status = 204), (status = 400, body = Problem), (status = 401, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn ack_task(
    State(state): State<AppState>,
    Source(source): Source,
    axum::extract::Path(id): axum::extract::Path<i64>,
    body: Bytes,
) -> Response {
    let Ok(ack) = serde_json::from_slice::<TaskAck>(&body) else {
        return problem(
            StatusCode::BAD_REQUEST,
            "invalid-task-ack",
            "Invalid acknowledgement",
            "The body must be a JSON object with \"status\" and, when impossible, \"reason\".",
            vec![FieldError {
                pointer: "/".to_owned(),
                detail:
                    "expected {\"status\": \"done\"} or {\"status\": \"impossible\", \"reason\": …}"
                        .to_owned(),
            }],
        );
    };
    let reason = ack
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let done = match (TaskStatus::parse(&ack.status), reason) {
        (Some(TaskStatus::Done), _) => true,
        (Some(TaskStatus::Impossible), Some(_)) => false,
        _ => {
            return problem(
                StatusCode::BAD_REQUEST,
                "invalid-task-ack",
                "Invalid acknowledgement",
                "status must be \"done\", or \"impossible\" with a reason.",
                vec![FieldError {
                    pointer: "/status".to_owned(),
                    detail: "expected \"done\" or \"impossible\" (with \"reason\")".to_owned(),
                }],
            );
        }
    };
    match crate::rights::requests::acknowledge_task(
        &state.db,
        &state.settings,
        source.id,
        id,
        done,
        reason,
        Utc::now(),
    )
    .await
    {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => problem(
            StatusCode::NOT_FOUND,
            "not-found",
            "No such open task",
            "It does not exist, is already acknowledged, or belongs to another source.",
            Vec::new(),
        ),
        Err(e) => {
            tracing::error!(error = %e, "acknowledging a task failed");
            problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal error",
                "The acknowledgement was not stored; send it again.",
                Vec::new(),
            )
        }
    }
}

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "Inzage source-system API", version = "1",
        description = include_str!("contract.md")),
    paths(put_activities, post_records, post_consents, post_disclosures, post_log_lines, post_staff_views, get_events, ack_event, get_tasks, ack_task),
    components(schemas(Problem, FieldError, BatchSummary, EventView, EventKind, TaskView, TaskAck, ActivityInput, RecordInput, ConsentInput, DisclosureInput, LogLineInput, StaffViewInput)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

async fn openapi() -> Response {
    (
        [(header::CACHE_CONTROL, "no-cache")],
        Json(ApiDoc::openapi()),
    )
        .into_response()
}

/// A readable page generated from the same document (the usual viewers load scripts from a CDN,
/// which Inzage's pages never do).
async fn docs(State(state): State<AppState>) -> Response {
    use html_escape::encode_text as text;
    let doc = ApiDoc::openapi();
    let mut body = String::new();
    for (path, item) in &doc.paths.paths {
        for (method, operation) in [("PUT", &item.put), ("POST", &item.post), ("GET", &item.get)] {
            if let Some(op) = operation {
                body.push_str(&format!(
                    "<section class=\"card my-4\"><h2><code>{method} {}</code></h2><p>{}</p></section>",
                    text(path),
                    text(op.description.as_deref().or(op.summary.as_deref()).unwrap_or(""))
                ));
            }
        }
    }
    let html = format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Inzage API</title>{stylesheets}</head>
<body class="{theme_class} bg-white text-ink"><main class="mx-auto max-w-4xl px-4 py-8"><h1>Inzage source-system API</h1>
{desc}<p>Machine-readable: <a href="/api/v1/openapi.json">OpenAPI 3.1 (openapi.json)</a>. Generated {now}.</p>{body}</main></body></html>"#,
        stylesheets = crate::http::assets::stylesheet_links(&state),
        theme_class = state.theme.class_name,
        // The description's paragraphs and list items as plain, escaped text.
        desc = doc
            .info
            .description
            .as_deref()
            .unwrap_or("")
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(|line| format!("<p>{}</p>", text(line.replace("**", "").as_str())))
            .collect::<String>(),
        now = Utc::now().format("%Y-%m-%d"),
    );
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

//! The source-system API as a connected system calls it: JSON over HTTP with a bearer token.

use reqwest::{Method, StatusCode, header};
use serde_json::Value;
use server::sources::systems::{self, SourceMode};

use super::TestApp;

/// A client for `/api/v1`, answering with status, parsed body (`Null` when not JSON) and
/// content type, since the API's problems are checked by all three.
pub struct Api {
    base: String,
    client: reqwest::Client,
}

/// A source system with a token of its own, as an administrator would register it.
pub struct Source {
    /// The source system's id, as records and tasks refer to it.
    pub id: i64,
    /// The token's id, to revoke it.
    pub token_id: i64,
    /// The bearer token itself, shown once as to an administrator.
    pub token: String,
}

/// Registers (or finds) a source system and gives it a fresh token; `admin` tokens may maintain
/// the register.
pub async fn source_with_token(
    app: &TestApp,
    name: &str,
    department: &str,
    mode: SourceMode,
    admin: bool,
) -> Source {
    let id = systems::ensure_source(&app.db, name, department, mode)
        .await
        .unwrap();
    let (token_id, token) = systems::create_token(&app.db, id, admin, "test")
        .await
        .unwrap();
    Source {
        id,
        token_id,
        token,
    }
}

impl Api {
    /// A client against this app.
    pub fn new(app: &TestApp) -> Self {
        Self {
            base: app.base.clone(),
            client: reqwest::Client::new(),
        }
    }

    /// Any method with a JSON body and, when given, a bearer token.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> (StatusCode, Value, String) {
        let request = self
            .client
            .request(method, format!("{}/api/v1{path}", self.base))
            .json(body);
        Self::answer(request, token).await
    }

    /// POST a JSON body: batches of records, views, acknowledgements.
    pub async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> (StatusCode, Value, String) {
        self.send(Method::POST, path, token, body).await
    }

    /// PUT a JSON body: the register of activities.
    pub async fn put(
        &self,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> (StatusCode, Value, String) {
        self.send(Method::PUT, path, token, body).await
    }

    /// GET without a body, as a source polls for its tasks.
    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value, String) {
        let request = self.client.get(format!("{}/api/v1{path}", self.base));
        Self::answer(request, token).await
    }

    async fn answer(
        mut request: reqwest::RequestBuilder,
        token: Option<&str>,
    ) -> (StatusCode, Value, String) {
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::Null),
            content_type,
        )
    }
}

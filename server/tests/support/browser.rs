//! Just enough browser for the tests: it follows no redirect by itself and keeps cookies by hand,
//! so every `Set-Cookie` and every `Location` can be inspected.

use std::collections::BTreeMap;

use reqwest::{Response, StatusCode, header};

/// A cookie as the server set it.
#[derive(Clone, Debug)]
pub struct SetCookie {
    pub name: String,
    pub value: String,
    pub attributes: String,
}

/// Just enough browser: follows nothing by itself, keeps cookies, sends an Origin on POST.
pub struct Browser {
    pub base: String,
    client: reqwest::Client,
    pub cookies: BTreeMap<String, String>,
    pub set_cookies: Vec<SetCookie>,
}

impl Browser {
    /// A browser with no cookies yet, against `base`.
    pub fn new(base: &str) -> Self {
        Self {
            base: base.to_owned(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: BTreeMap::new(),
            set_cookies: Vec::new(),
        }
    }

    fn url(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with("http") {
            path_or_url.to_owned()
        } else {
            format!("{}{path_or_url}", self.base)
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn remember(&mut self, response: &Response) {
        for value in response.headers().get_all(header::SET_COOKIE) {
            let raw = value.to_str().unwrap().to_owned();
            let (pair, attributes) = raw.split_once(';').unwrap_or((&raw, ""));
            let (name, value) = pair.split_once('=').unwrap();
            let expired = attributes.to_ascii_lowercase().contains("max-age=0") || value.is_empty();
            if expired {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
            self.set_cookies.push(SetCookie {
                name: name.to_owned(),
                value: value.to_owned(),
                attributes: attributes.to_owned(),
            });
        }
    }

    /// GET with this browser's cookies; remembers what the answer sets.
    pub async fn get(&mut self, path: &str) -> Response {
        let response = self
            .client
            .get(self.url(path))
            .header(header::COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.remember(&response);
        response
    }

    /// GET as a navigation the browser says started at `site` (`Sec-Fetch-Site`: `cross-site`,
    /// `same-origin`, …).
    pub async fn get_from(&mut self, path: &str, site: &str) -> Response {
        let response = self
            .client
            .get(self.url(path))
            .header(header::COOKIE, self.cookie_header())
            .header("sec-fetch-site", site)
            .send()
            .await
            .unwrap();
        self.remember(&response);
        response
    }

    /// The body of a GET as text: most checks read the page's HTML and nothing else.
    pub async fn get_text(&mut self, path: &str) -> String {
        self.get(path).await.text().await.unwrap()
    }

    /// Status and body of a GET, for downloads (PDF, JSON) whose bytes are checked.
    pub async fn get_bytes(&mut self, path: &str) -> (StatusCode, Vec<u8>) {
        let response = self.get(path).await;
        let status = response.status();
        (status, response.bytes().await.unwrap().to_vec())
    }

    /// A form POST from this site's own origin, as a real page would send it.
    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Response {
        let origin = self.base.clone();
        self.post_with_origin(path, form, Some(&origin)).await
    }

    /// A form POST with the `Origin` of choice (or none), to test the origin check.
    pub async fn post_with_origin(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
        origin: Option<&str>,
    ) -> Response {
        let mut request = self
            .client
            .post(self.url(path))
            .header(header::COOKIE, self.cookie_header())
            .form(form);
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        let response = request.send().await.unwrap();
        self.remember(&response);
        response
    }
}

/// The `Location` of a redirect, asserting it is one.
pub fn location(response: &Response) -> String {
    assert!(
        response.status().is_redirection(),
        "expected a redirect, got {} for {}",
        response.status(),
        response.url()
    );
    response.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned()
}

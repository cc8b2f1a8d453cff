//! `/dev/mail`: the development mailbox. In dev mode with `mail.transport = "file"` every mail is
//! written as an `.eml` file to `mail.file_dir`; this page lists them, newest first.

use axum::{
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};
use html_escape::encode_text as text;

use crate::AppState;

/// Lists the mails in the file sink.
pub async fn mailbox(State(state): State<AppState>) -> Response {
    let dir = state.settings.mail.file_dir.clone();
    let mut mails: Vec<(std::time::SystemTime, String)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "eml")
                && let (Ok(meta), Ok(raw)) = (entry.metadata(), std::fs::read_to_string(&path))
            {
                mails.push((meta.modified().unwrap_or(std::time::UNIX_EPOCH), raw));
            }
        }
    }
    mails.sort_by_key(|mail| std::cmp::Reverse(mail.0));
    let header_of = |raw: &str, name: &str| {
        raw.lines()
            .take_while(|l| !l.is_empty())
            .find_map(|l| l.strip_prefix(&format!("{name}: ")).map(str::to_owned))
            .unwrap_or_default()
    };
    let items: String = mails
        .iter()
        .take(50)
        .map(|(_, raw)| {
            format!(
                "<article class=\"card my-4\"><h2>{}</h2><p>Aan: {} · {}</p><details><summary>Volledig bericht</summary><pre class=\"whitespace-pre-wrap text-sm\">{}</pre></details></article>",
                text(&header_of(raw, "Subject")),
                text(&header_of(raw, "To")),
                text(&header_of(raw, "Date")),
                text(raw)
            )
        })
        .collect();
    let body = format!(
        r#"<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>Ontwikkel-mailbox — Inzage</title>{stylesheets}</head>
<body class="{theme_class} bg-white text-ink"><main class="mx-auto max-w-4xl px-4 py-8"><h1>Ontwikkel-mailbox</h1>
<p>Alleen in ontwikkelmodus: e-mail wordt niet verstuurd maar bewaard in <code>{dir}</code>. Nieuwste eerst, {count} bericht(en).</p>{items}</main></body></html>"#,
        stylesheets = crate::http::assets::stylesheet_links(&state),
        theme_class = state.theme.class_name,
        dir = text(&dir),
        count = mails.len(),
    );
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

//! The mail texts: `templates/mail/messages.toml` (subject and body per message and language)
//! rendered with minijinja into a plain-text and an HTML part. minijinja because it is small,
//! maintained, escapes HTML by itself and loads templates at run time from embedded strings.

use std::{collections::BTreeMap, sync::LazyLock};

use minijinja::{Environment, context};
use serde::Deserialize;

use app::i18n::Locale;

#[derive(Debug, Deserialize)]
struct Text {
    subject: String,
    body: String,
    action: String,
}

type Table = BTreeMap<String, BTreeMap<String, Text>>;

static TEXTS: LazyLock<Table> = LazyLock::new(|| {
    toml::from_str(include_str!("../../templates/mail/messages.toml"))
        .expect("templates/mail/messages.toml is valid (tested)")
});

static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            minijinja::AutoEscape::Html
        } else {
            minijinja::AutoEscape::None
        }
    });
    env.add_template(
        "layout.html",
        include_str!("../../templates/mail/layout.html"),
    )
    .expect("layout.html parses");
    env.add_template(
        "layout.txt",
        include_str!("../../templates/mail/layout.txt"),
    )
    .expect("layout.txt parses");
    env
});

/// A mail ready to be stored in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Subject line.
    pub subject: String,
    /// The text/plain part.
    pub text: String,
    /// The text/html part.
    pub html: String,
}

/// Why a mail could not be rendered (a programming error; tests cover every message).
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// No text for this message in this language.
    #[error("no text for {0} in {1}")]
    Missing(String, &'static str),
    /// minijinja refused.
    #[error("template: {0}")]
    Template(#[from] minijinja::Error),
}

/// Every message key in the table (for tests and the admin view).
pub fn message_keys() -> Vec<String> {
    TEXTS.keys().cloned().collect()
}

/// Renders message `key` in `locale` with `vars` (already free of personal data).
pub fn render(
    key: &str,
    locale: Locale,
    municipality: &str,
    link: &str,
    vars: &BTreeMap<&'static str, String>,
) -> Result<Rendered, RenderError> {
    let text = TEXTS
        .get(key)
        .and_then(|by_locale| by_locale.get(locale.code()))
        .ok_or_else(|| RenderError::Missing(key.to_owned(), locale.code()))?;
    let mut values: BTreeMap<&str, String> = vars.clone();
    values.insert("municipality", municipality.to_owned());
    let subject = ENV.render_str(&text.subject, &values)?;
    let body = ENV.render_str(&text.body, &values)?;
    let paragraphs: Vec<String> = body
        .split("\n\n")
        .map(|p| p.trim().replace('\n', " "))
        .filter(|p| !p.is_empty())
        .collect();
    let (regards, footer) = match locale {
        Locale::Nl => (
            "Met vriendelijke groet,",
            "Dit is een automatisch bericht. U kunt hier niet op antwoorden. Wij zetten nooit persoonlijke gegevens in een e-mail: die leest u alleen na inloggen met DigiD.",
        ),
        Locale::En => (
            "Kind regards,",
            "This is an automatic message; replies are not read. We never put personal data in an e-mail: you only read it after logging in with DigiD.",
        ),
    };
    let ctx = context! {
        lang => locale.code(),
        subject => &subject,
        paragraphs => &paragraphs,
        action => &text.action,
        link => link,
        municipality => municipality,
        regards => regards,
        footer => footer,
    };
    let html = ENV.get_template("layout.html")?.render(&ctx)?;
    let text = ENV.get_template("layout.txt")?.render(&ctx)?;
    Ok(Rendered {
        subject,
        text,
        html,
    })
}

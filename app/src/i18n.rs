//! Languages. Every visible string goes through [`tr`]; the texts live in `locales/app.yml`.

use serde::{Deserialize, Serialize};

/// A language the portal speaks. Dutch first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Locale {
    /// Nederlands (default).
    #[default]
    Nl,
    /// English.
    En,
}

impl Locale {
    /// The BCP 47 tag, used for `lang` attributes and the translation tables.
    pub fn code(self) -> &'static str {
        match self {
            Self::Nl => "nl",
            Self::En => "en",
        }
    }

    /// Parses a tag; anything but English is Dutch.
    pub fn parse(code: &str) -> Self {
        if code.trim().to_ascii_lowercase().starts_with("en") {
            Self::En
        } else {
            Self::Nl
        }
    }

    /// The other language, offered by the switch.
    pub fn other(self) -> Self {
        match self {
            Self::Nl => Self::En,
            Self::En => Self::Nl,
        }
    }
}

/// Translates `key` into `locale`.
pub fn tr(locale: Locale, key: &str) -> String {
    rust_i18n::t!(key, locale = locale.code()).into_owned()
}

/// Translates `key` and fills `%{name}` placeholders.
pub fn tr_with(locale: Locale, key: &str, args: &[(&str, &str)]) -> String {
    args.iter().fold(tr(locale, key), |text, (name, value)| {
        text.replace(&format!("%{{{name}}}"), value)
    })
}

/// An ISO date (`2026-02-10`, or the date part of a timestamp) as "10 februari 2026".
pub fn long_date(locale: Locale, iso: &str) -> String {
    let date = iso.get(..10).unwrap_or(iso);
    let parts: Vec<&str> = date.split('-').collect();
    match parts.as_slice() {
        [year, month, day] if month.len() == 2 => {
            let month_name = tr(locale, &format!("month.{month}"));
            format!("{} {month_name} {year}", day.trim_start_matches('0'))
        }
        _ => iso.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key in `locales/app.yml`, read from the file itself.
    fn keys() -> Vec<String> {
        include_str!("../locales/app.yml")
            .lines()
            .filter(|line| !line.starts_with(' ') && !line.starts_with('_') && line.ends_with(':'))
            .map(|line| line.trim_end_matches(':').to_owned())
            .collect()
    }

    #[test]
    fn every_text_exists_in_dutch_and_english() {
        let keys = keys();
        assert!(
            keys.len() > 50,
            "the tables were read ({} keys)",
            keys.len()
        );
        for key in &keys {
            for locale in [Locale::Nl, Locale::En] {
                let text = tr(locale, key);
                assert!(
                    !text.is_empty() && text != *key,
                    "{key} has no {} text",
                    locale.code()
                );
            }
        }
    }

    #[test]
    fn every_key_used_in_the_pages_exists() {
        let sources = [
            include_str!("layouts.rs"),
            include_str!("routes/start.rs"),
            include_str!("routes/overview.rs"),
            include_str!("routes/backoffice.rs"),
            include_str!("routes/errors.rs"),
            include_str!("routes/statements.rs"),
            include_str!("routes/settings.rs"),
            include_str!("routes/outbox.rs"),
            include_str!("routes/my_data.rs"),
            include_str!("routes/shared.rs"),
            include_str!("routes/usage.rs"),
            include_str!("routes/consents.rs"),
            include_str!("routes/requests.rs"),
            include_str!("routes/staff_requests.rs"),
            include_str!("models.rs"),
        ];
        let known = keys();
        for source in sources {
            for literal in source.split('"').skip(1).step_by(2) {
                let looks_like_key = literal.contains('.')
                    && !literal.contains(' ')
                    && literal
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_');
                if looks_like_key {
                    assert!(
                        known.iter().any(|k| k == literal),
                        "missing translation key {literal}"
                    );
                }
            }
        }
    }

    #[test]
    fn dates_are_written_out() {
        assert_eq!(long_date(Locale::Nl, "2036-02-10"), "10 februari 2036");
        assert_eq!(
            long_date(Locale::En, "2026-03-01T09:00:00Z"),
            "1 March 2026"
        );
        assert_eq!(long_date(Locale::Nl, "onzin"), "onzin");
    }

    #[test]
    fn locales_parse_with_dutch_as_default() {
        assert_eq!(Locale::parse("en-GB"), Locale::En);
        assert_eq!(Locale::parse("nl"), Locale::Nl);
        assert_eq!(Locale::parse("fr"), Locale::Nl);
        assert_eq!(Locale::default(), Locale::Nl);
        assert_eq!(
            tr_with(Locale::Nl, "overview.welcome_name", &[("naam", "Sanne")]),
            "Welkom, Sanne"
        );
    }
}

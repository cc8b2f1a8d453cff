//! Languages. Every visible string goes through [`tr`]; the texts live in `locales/*.yml`.

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

/// Translates `key`, or `{key}_one` when `n` is 1 ("1 gegeven", not "1 gegevens"), with `n`
/// as `%{aantal}` besides `args`.
pub fn tr_count(locale: Locale, key: &str, n: usize, args: &[(&str, &str)]) -> String {
    let key = if n == 1 {
        format!("{key}_one")
    } else {
        key.to_owned()
    };
    let n = n.to_string();
    let mut all = vec![("aantal", n.as_str())];
    all.extend_from_slice(args);
    tr_with(locale, &key, &all)
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
    use std::path::{Path, PathBuf};

    /// The locale files by name (`locales/<name>.yml`), compiled into the tests so that
    /// `cargo test` rebuilds, and `i18n!` reloads the texts, whenever one of them changes.
    macro_rules! locale_files {
        ($($name:literal),+ $(,)?) => {
            &[$(($name, include_str!(concat!("../locales/", $name, ".yml")))),+]
        };
    }

    const LOCALE_FILES: &[(&str, &str)] = locale_files![
        "common",
        "transparency",
        "requests",
        "staff_requests",
        "documents",
        "oversight",
        "settings",
        "statements",
    ];

    /// Whether `key` has its own text in `locale`. Asks the tables directly: [`tr`] cannot tell,
    /// because a missing English text falls back to Dutch, and a key missing in both comes back
    /// as `<locale>.<key>` rather than as the key itself.
    fn has_text(locale: Locale, key: &str) -> bool {
        crate::_RUST_I18N_BACKEND
            .translate(locale.code(), key)
            .is_some_and(|text| !text.trim().is_empty())
    }

    /// Every key in the locale files, read from the files themselves: the lines that start a
    /// key (`kind.access:`), with `_version` and comments left out.
    fn keys_by_file() -> Vec<(&'static str, String)> {
        LOCALE_FILES
            .iter()
            .flat_map(|(file, text)| {
                text.lines()
                    .filter(|line| !line.starts_with([' ', '_', '#']) && line.ends_with(':'))
                    .map(|line| (*file, line.trim_end_matches(':').to_owned()))
            })
            .collect()
    }

    fn keys() -> Vec<String> {
        keys_by_file().into_iter().map(|(_, key)| key).collect()
    }

    /// Every file under `dir`, in all subfolders, sorted.
    fn files_under(dir: &Path) -> Vec<PathBuf> {
        let mut files = Vec::new();
        let mut folders = vec![dir.to_path_buf()];
        while let Some(folder) = folders.pop() {
            let entries = std::fs::read_dir(&folder)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", folder.display()));
            for entry in entries {
                let path = entry.expect("a readable folder entry").path();
                if path.is_dir() {
                    folders.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        files.sort();
        files
    }

    /// The contents of the string literals in Rust source, raw strings (`r#"…"#`) included.
    /// Skips comments and the char literal `'"'`; enough for this crate's code.
    fn string_literals(source: &str) -> Vec<&str> {
        let bytes = source.as_bytes();
        let mut found = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                }
                b'/' if bytes.get(i + 1) == Some(&b'*') => {
                    i = source[i + 2..]
                        .find("*/")
                        .map_or(bytes.len(), |end| i + 2 + end + 2);
                }
                b'\'' if bytes.get(i + 1) == Some(&b'"') && bytes.get(i + 2) == Some(&b'\'') => {
                    i += 3;
                }
                b'\'' if bytes.get(i + 1) == Some(&b'\\') && bytes.get(i + 3) == Some(&b'\'') => {
                    i += 4;
                }
                b'r' if source[i + 1..].starts_with("#\"") => {
                    let start = i + 3;
                    let end = source[start..]
                        .find("\"#")
                        .map_or(bytes.len(), |end| start + end);
                    found.push(&source[start..end]);
                    i = end + 2;
                }
                b'"' => {
                    let start = i + 1;
                    i = start;
                    while i < bytes.len() && bytes[i] != b'"' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    found.push(&source[start..i.min(bytes.len())]);
                    i += 1;
                }
                _ => i += 1,
            }
        }
        found
    }

    /// A literal shaped like a translation key: `request.notice.received`, `ground.art17_3_b`.
    fn looks_like_key(literal: &str) -> bool {
        literal.starts_with(|c: char| c.is_ascii_lowercase())
            && literal.contains('.')
            && !literal.contains("..")
            && !literal.ends_with('.')
            && literal
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '_')
    }

    #[test]
    fn every_locale_file_is_read_by_the_tests() {
        // rust-i18n loads every YAML, JSON and TOML file under `locales/`, in all subfolders.
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        let on_disk: Vec<String> = files_under(&folder)
            .iter()
            .map(|path| {
                path.strip_prefix(&folder)
                    .expect("under locales/")
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        let listed: Vec<String> = {
            let mut names: Vec<String> = LOCALE_FILES
                .iter()
                .map(|(name, _)| format!("{name}{}", ".yml"))
                .collect();
            names.sort();
            names
        };
        assert_eq!(
            on_disk, listed,
            "every file in locales/ must be listed in LOCALE_FILES (and be YAML)"
        );
    }

    #[test]
    fn no_key_is_defined_twice() {
        // rust-i18n merges the files silently: a second definition would win unnoticed.
        let mut seen: Vec<(&str, String)> = Vec::new();
        let mut twice = Vec::new();
        for (file, key) in keys_by_file() {
            if let Some((first, _)) = seen.iter().find(|(_, k)| *k == key) {
                twice.push(format!("{key} (in {first} and {file})"));
            }
            seen.push((file, key));
        }
        assert!(twice.is_empty(), "keys defined twice: {}", twice.join(", "));
    }

    #[test]
    fn every_text_exists_in_dutch_and_english() {
        let keys = keys();
        assert!(
            keys.len() > 500,
            "the tables were read ({} keys)",
            keys.len()
        );
        let missing: Vec<String> = keys
            .iter()
            .flat_map(|key| {
                [Locale::Nl, Locale::En]
                    .into_iter()
                    .filter(move |&locale| !has_text(locale, key))
                    .map(move |locale| format!("{key} ({})", locale.code()))
            })
            .collect();
        assert!(missing.is_empty(), "texts missing: {}", missing.join(", "));
    }

    #[test]
    fn every_key_used_in_the_code_exists() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let sources: Vec<PathBuf> = files_under(&src)
            .into_iter()
            .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
            .collect();
        assert!(
            sources.len() > 20 && sources.iter().any(|p| p.parent() != Some(src.as_path())),
            "all of src/ was walked, subfolders too ({} files)",
            sources.len()
        );
        let known = keys();
        let mut missing = Vec::new();
        for path in &sources {
            let source = std::fs::read_to_string(path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            for literal in string_literals(&source) {
                if looks_like_key(literal) && !known.iter().any(|k| k == literal) {
                    let file = path.strip_prefix(&src).unwrap_or(path).display();
                    missing.push(format!("{literal} (in {file})"));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "missing translation keys: {}",
            missing.join(", ")
        );
    }

    /// The vocabularies `types` exports, by name, with the translation keys of all their words.
    fn vocabulary_keys() -> Vec<(&'static str, &'static str)> {
        let mut keys: Vec<(&'static str, &'static str)> = Vec::new();
        macro_rules! words {
            ($($vocabulary:ident),+ $(,)?) => {
                $(keys.extend(
                    types::$vocabulary::ALL
                        .iter()
                        .map(|word| (stringify!($vocabulary), word.key())),
                );)+
            };
        }
        words![
            LetterKind,
            LetterOutcome,
            MailStatus,
            SpanStatus,
            DecisionChoice,
            TaskOutcome,
            DeadlineState,
            DisclosureProblem,
            OversightTable,
            AssuranceLevel,
            StaffRole,
            Confidentiality,
            Domain,
            LegalBasis,
            SourceMode,
            Action,
            ActorKind,
            ContactNotice,
            Decision,
            Kind,
            Notice,
            Outcome,
            RefusalGround,
            Status,
            TaskAction,
            TaskKind,
            TaskStatus,
        ];
        keys.extend(
            types::Kind::ALL
                .iter()
                .map(|kind| ("Kind::explained_key", kind.explained_key())),
        );
        keys.extend(
            types::StaffRole::ALL
                .iter()
                .map(|role| ("StaffRole::does_key", role.does_key())),
        );
        keys
    }

    #[test]
    fn every_vocabulary_word_has_a_text_in_dutch_and_english() {
        let keys = vocabulary_keys();
        let missing: Vec<String> = keys
            .iter()
            .flat_map(|&(vocabulary, key)| {
                [Locale::Nl, Locale::En]
                    .into_iter()
                    .filter(move |&locale| !has_text(locale, key))
                    .map(move |locale| format!("{vocabulary}: {key} ({})", locale.code()))
            })
            .collect();
        assert!(missing.is_empty(), "texts missing: {}", missing.join(", "));
    }

    #[test]
    fn every_vocabulary_of_types_is_checked() {
        // The names `types` re-exports (`pub use …::{A, B};`) are its vocabularies.
        let lib = include_str!("../../crates/types/src/lib.rs");
        let mut exported: Vec<&str> = lib
            .split("pub use ")
            .skip(1)
            .filter_map(|statement| statement.split(';').next())
            .flat_map(|path| {
                let names = path.rsplit("::").next().unwrap_or(path);
                names.trim_matches(['{', '}', ' ', '\n']).split(',')
            })
            .map(str::trim)
            .filter(|name| !name.is_empty())
            // A reference is an identifier, the queue's status filter is made of `Status` words
            // and SEND_ANSWER is a form value: none has texts of its own.
            .filter(|name| !matches!(*name, "RequestReference" | "StatusFilter" | "SEND_ANSWER"))
            .collect();
        exported.sort_unstable();
        let mut checked: Vec<&str> = vocabulary_keys()
            .into_iter()
            .map(|(vocabulary, _)| vocabulary)
            .filter(|vocabulary| !vocabulary.contains("::"))
            .collect();
        checked.sort_unstable();
        checked.dedup();
        assert_eq!(
            exported, checked,
            "a vocabulary of `types` is not in vocabulary_keys()"
        );
    }

    #[test]
    fn finds_string_literals_in_code() {
        let code = r#"tr(l, "kind.access") // "not.this"
            let q = '"'; /* "nor.this" */ s("x\"y.z")"#;
        assert_eq!(string_literals(code), ["kind.access", "x\\\"y.z"]);
        let raw = "r#\"status.decided\"# \"kind.erasure\"";
        assert_eq!(string_literals(raw), ["status.decided", "kind.erasure"]);
        assert!(looks_like_key("ground.art17_3_b"));
        assert!(!looks_like_key("app.css x") && !looks_like_key(".yml"));
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

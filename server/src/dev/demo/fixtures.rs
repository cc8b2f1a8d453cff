//! The demo municipality as data: `server/fixtures/demo/*.json`, embedded in the binary so
//! `seed-demo` needs no files at run time, and parsed into the same `*Input` types the REST API
//! takes. Each source file holds what that source system would send: one list per API endpoint,
//! each list the `items` of one batch. `server/fixtures/demo/README.md` says what each file
//! is there to show.

use anyhow::Context;
use serde::{Deserialize, de::DeserializeOwned};
use types::SourceMode;

use crate::sources::ingest::{
    ActivityInput, ConsentInput, DisclosureInput, LogLineInput, RecordInput, StaffViewInput,
};

/// Embeds `server/fixtures/demo/<file>` with its file name, so a parse error can name it.
macro_rules! fixture {
    ($file:literal) => {
        Fixture {
            file: $file,
            text: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/fixtures/demo/",
                $file
            )),
        }
    };
}

/// One embedded fixture file.
struct Fixture {
    file: &'static str,
    text: &'static str,
}

/// The register: its own (admin) source system and the processing activities.
const REGISTER: Fixture = fixture!("register.json");

/// The source systems, in the order `seed` creates them (their ids follow this order).
const SOURCES: &[Fixture] = &[
    fixture!("brp.json"),
    fixture!("wmo.json"),
    fixture!("jeugd.json"),
    fixture!("participatie.json"),
    fixture!("schuldhulpverlening.json"),
    fixture!("wijkteam.json"),
];

/// A source system as `ensure_source` creates it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct System {
    /// Its name, unique among sources ("Wmo").
    pub name: String,
    /// The department that runs it.
    pub department: String,
    /// Whether Inzage applies changes itself or sends the source a task.
    pub mode: SourceMode,
}

/// `register.json`: what the register's admin token would `PUT /api/v1/activities`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterFile {
    /// The register's own source system.
    pub system: System,
    /// The register of processing activities (Art. 30 AVG).
    pub activities: Vec<ActivityInput>,
}

/// One source system's file: each list is what it would post to the endpoint of that name.
/// A source that sends no items of a kind leaves the list out.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceFile {
    /// The source system itself.
    pub system: System,
    /// `POST /api/v1/records`.
    #[serde(default)]
    pub records: Vec<RecordInput>,
    /// `POST /api/v1/consents`; sent before the disclosures that name them.
    #[serde(default)]
    pub consents: Vec<ConsentInput>,
    /// `POST /api/v1/disclosures`.
    #[serde(default)]
    pub disclosures: Vec<DisclosureInput>,
    /// `POST /api/v1/log-lines`.
    #[serde(default)]
    pub log_lines: Vec<LogLineInput>,
    /// `POST /api/v1/staff-views`.
    #[serde(default)]
    pub staff_views: Vec<StaffViewInput>,
}

/// The whole demo municipality, parsed.
#[derive(Clone, Debug)]
pub struct Fixtures {
    /// `register.json`.
    pub register: RegisterFile,
    /// The source files, in seeding order, each with its file name for error messages.
    pub sources: Vec<(&'static str, SourceFile)>,
}

/// Parses every embedded fixture; an error names the file and the path inside it.
pub fn load() -> anyhow::Result<Fixtures> {
    Ok(Fixtures {
        register: parse(&REGISTER)?,
        sources: SOURCES
            .iter()
            .map(|fixture| Ok((fixture.file, parse(fixture)?)))
            .collect::<anyhow::Result<_>>()?,
    })
}

/// Parses the register file alone (`seed_scale` and the tests need only the activities).
pub fn register() -> anyhow::Result<Vec<ActivityInput>> {
    Ok(parse::<RegisterFile>(&REGISTER)?.activities)
}

fn parse<T: DeserializeOwned>(fixture: &Fixture) -> anyhow::Result<T> {
    parse_text(fixture.file, fixture.text)
}

// serde_path_to_error, as in the API, so the message says which item and field is wrong
// ("records[3].recorded_at: ...") and not only a line and column.
fn parse_text<T: DeserializeOwned>(file: &str, text: &str) -> anyhow::Result<T> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut deserializer)
        .with_context(|| format!("demo fixture server/fixtures/demo/{file} does not parse"))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::dev::digid::personas::CITIZENS;

    #[test]
    fn every_fixture_parses() {
        let fixtures = load().unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(fixtures.sources.len(), SOURCES.len());
        for (file, source) in &fixtures.sources {
            let items = source.records.len()
                + source.consents.len()
                + source.disclosures.len()
                + source.log_lines.len()
                + source.staff_views.len();
            assert!(items > 0, "{file} holds nothing");
        }
    }

    #[test]
    fn a_broken_fixture_is_an_error_that_names_the_file() {
        let error = parse_text::<SourceFile>("kapot.json", r#"{"system": {"name": 1}}"#)
            .expect_err("a number is not a name");
        let message = format!("{error:#}");
        assert!(message.contains("kapot.json"), "{message}");
        assert!(message.contains("system.name"), "{message}");
    }

    #[test]
    fn the_register_has_what_the_demo_needs() {
        let register = register().unwrap_or_else(|e| panic!("{e:#}"));
        assert!(register.len() >= 10);
        assert!(
            register
                .iter()
                .any(|a| a.confidentiality == types::Confidentiality::Vertrouwelijk)
        );
        assert!(
            register
                .iter()
                .any(|a| a.legal_basis_text.contains("Jeugdwet art. 7.4.0"))
        );
    }

    // The fixtures hold BSNs and codes as plain strings, as the API does; these checks catch a
    // typo that the ingest would otherwise turn into a rejected batch at `seed-demo` time.
    #[test]
    fn the_sources_speak_of_demo_citizens_and_registered_activities() {
        let fixtures = load().unwrap_or_else(|e| panic!("{e:#}"));
        let citizens: BTreeSet<&str> = CITIZENS.iter().map(|c| c.bsn).collect();
        let codes: BTreeSet<&str> = fixtures
            .register
            .activities
            .iter()
            .map(|a| a.code.as_str())
            .collect();
        let mut names = BTreeSet::from([fixtures.register.system.name.as_str()]);
        for (file, source) in &fixtures.sources {
            assert!(names.insert(&source.system.name), "{file}: name taken");
            let about = source
                .records
                .iter()
                .map(|r| (&r.bsn, &r.activity_code))
                .chain(
                    source
                        .disclosures
                        .iter()
                        .map(|d| (&d.bsn, &d.activity_code)),
                )
                .chain(source.log_lines.iter().map(|l| (&l.bsn, &l.activity_code)))
                .chain(
                    source
                        .staff_views
                        .iter()
                        .map(|v| (&v.bsn, &v.activity_code)),
                );
            for (bsn, code) in about {
                assert!(
                    citizens.contains(bsn.as_str()),
                    "{file}: {bsn} is no demo citizen"
                );
                assert!(
                    codes.contains(code.as_str()),
                    "{file}: {code} is not registered"
                );
            }
            let consents: BTreeSet<&str> = source
                .consents
                .iter()
                .map(|c| c.source_consent_id.as_str())
                .collect();
            for consent in source
                .disclosures
                .iter()
                .filter_map(|d| d.consent_id.as_deref())
            {
                assert!(consents.contains(consent), "{file}: no consent {consent}");
            }
        }
    }
}

//! What a source system holds and sends: one type per item kind, field for field the API's
//! input (`deny_unknown_fields` on both sides, so a field the simulator does not know fails
//! here, in the fixture, rather than vanishing on the way), and the source's own copy.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::Error;

/// A personal data record (`POST /records`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// The source's own id; Inzage upserts by it.
    pub source_record_id: String,
    /// Whose data.
    pub bsn: String,
    /// The register entry it is processed under.
    pub activity_code: String,
    /// Category, e.g. "Gezondheid".
    pub category: String,
    /// Label, e.g. "Indicatie huishoudelijke hulp".
    pub label: String,
    /// The value as the citizen sees it.
    pub value: String,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// Role and organisation, never a person.
    pub recorded_by: String,
    /// Special category (Art. 9 AVG).
    #[serde(default)]
    pub special_category: bool,
    /// End of the retention period, when known.
    #[serde(default)]
    pub retention_until: Option<NaiveDate>,
}

/// A consent (`POST /consents`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    /// The source's own id.
    pub source_consent_id: String,
    /// Whose consent.
    pub bsn: String,
    /// To whom the data may go.
    pub recipient: String,
    /// For what.
    pub purpose: String,
    /// When it was given.
    pub given_at: DateTime<Utc>,
    /// How it was given: "formulier", "gesprek met consulent", …
    pub channel: String,
    /// When it was withdrawn, if it was.
    #[serde(default)]
    pub withdrawn_at: Option<DateTime<Utc>>,
}

/// A disclosure, a verstrekking (`POST /disclosures`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disclosure {
    /// The source's own id.
    pub source_disclosure_id: String,
    /// Whose data was shared.
    pub bsn: String,
    /// The register entry it was shared under.
    pub activity_code: String,
    /// Who received it.
    pub recipient_name: String,
    /// The recipient's OIN, where known.
    #[serde(default)]
    pub recipient_oin: Option<String>,
    /// The categories shared.
    pub categories: Vec<String>,
    /// Why.
    pub purpose: String,
    /// The legal basis as the API spells it (`PublicTask`, `Consent`, …); a string, so a
    /// fixture can also send one Inzage must refuse.
    #[serde(default)]
    pub legal_basis: Option<String>,
    /// The article in words.
    #[serde(default)]
    pub legal_basis_text: Option<String>,
    /// The source's consent id when consent is the basis (the consent is sent first).
    #[serde(default)]
    pub consent_id: Option<String>,
    /// When.
    pub disclosed_at: DateTime<Utc>,
}

/// A line of the Logboek Dataverwerkingen (`POST /log-lines`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogLine {
    /// W3C trace id: 32 lower-case hex digits.
    pub trace_id: String,
    /// W3C span id: 16 lower-case hex digits.
    pub span_id: String,
    /// The parent span, if any.
    #[serde(default)]
    pub parent_span_id: Option<String>,
    /// What was done, e.g. "Indicatie beoordelen".
    pub name: String,
    /// `ok` or `error`.
    pub status: String,
    /// Start.
    pub start_time: DateTime<Utc>,
    /// End.
    pub end_time: DateTime<Utc>,
    /// The register entry.
    pub activity_code: String,
    /// Whose data.
    pub bsn: String,
    /// The organisation unit, never a person.
    pub processor: String,
    /// The processing at another organisation that caused this one (the Logboek's
    /// `foreign_operation`), if any; sent as `null` when there is none.
    #[serde(default)]
    pub foreign_operation: Option<ForeignOperation>,
}

/// A processing at another organisation: its trace and operation, and a URI naming it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignOperation {
    /// That organisation's trace: 32 lower-case hex digits.
    pub trace_id: String,
    /// That organisation's operation (span): 16 lower-case hex digits.
    pub span_id: String,
    /// A URI naming that organisation, e.g. `urn:oin:…`.
    pub entity: String,
}

/// The source system's own copy of its data: what it would send in a full sync.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holdings {
    /// Records by `source_record_id`.
    #[serde(default)]
    pub records: BTreeMap<String, Record>,
    /// Ids of records whose processing is restricted: kept and sent, marked, not used.
    #[serde(default)]
    pub restricted: BTreeSet<String>,
    /// Consents by `source_consent_id`.
    #[serde(default)]
    pub consents: BTreeMap<String, Consent>,
    /// Disclosures, in the order they are sent.
    #[serde(default)]
    pub disclosures: Vec<Disclosure>,
    /// Log lines, in the order they are sent.
    #[serde(default)]
    pub log_lines: Vec<LogLine>,
}

/// A fixture read into a copy, and the top-level keys it had that the simulator does not send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fixture {
    /// The data.
    pub copy: Holdings,
    /// Keys left out, e.g. `system` and `staff_views` of the demo fixtures; named so the caller
    /// can say so rather than drop data in silence.
    pub ignored: Vec<String>,
}

impl Fixture {
    /// Reads a fixture: a [`Holdings`] as JSON, or a demo fixture (`server/fixtures/demo/*.json`)
    /// with lists under `records`, `consents`, `disclosures` and `log_lines`.
    pub fn parse(text: &str) -> Result<Fixture, FixtureError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|source| FixtureError {
                at: String::new(),
                source,
            })?;
        let serde_json::Value::Object(mut object) = value else {
            return Err(FixtureError {
                at: String::new(),
                source: serde::de::Error::custom("a fixture is a JSON object"),
            });
        };
        let records: Vec<Record> = items(&mut object, "records")?;
        let consents: Vec<Consent> = items(&mut object, "consents")?;
        let disclosures = items(&mut object, "disclosures")?;
        let log_lines = items(&mut object, "log_lines")?;
        let restricted = match object.remove("restricted") {
            None | Some(serde_json::Value::Null) => BTreeSet::new(),
            Some(value) => serde_json::from_value(value).map_err(|source| FixtureError {
                at: "restricted".to_owned(),
                source,
            })?,
        };
        Ok(Fixture {
            // Keyed by the item's own id, whatever a keyed fixture used as the key: the id is
            // what Inzage sees, so it is the one events and tasks name.
            copy: Holdings {
                records: records
                    .into_iter()
                    .map(|r| (r.source_record_id.clone(), r))
                    .collect(),
                restricted,
                consents: consents
                    .into_iter()
                    .map(|c| (c.source_consent_id.clone(), c))
                    .collect(),
                disclosures,
                log_lines,
            },
            ignored: object.keys().cloned().collect(),
        })
    }
}

/// Why a fixture could not be read, and where in it.
#[derive(Debug, thiserror::Error)]
#[error("{}{source}", if at.is_empty() { String::new() } else { format!("at {at}: ") })]
pub struct FixtureError {
    /// Where: `records[3]`, `consents.wt-c-1`, or empty for the whole file.
    pub at: String,
    /// What serde found.
    #[source]
    pub source: serde_json::Error,
}

/// Takes the items under `key`, a list as the demo fixtures and the API carry them or an object
/// keyed by id as the state file does, each read on its own so an error names the item.
fn items<T: serde::de::DeserializeOwned>(
    object: &mut serde_json::Map<String, serde_json::Value>,
    key: &str,
) -> Result<Vec<T>, FixtureError> {
    let read = |at: String, value| {
        serde_json::from_value(value).map_err(|source| FixtureError { at, source })
    };
    match object.remove(key) {
        None | Some(serde_json::Value::Null) => Ok(Vec::new()),
        Some(serde_json::Value::Array(list)) => list
            .into_iter()
            .enumerate()
            .map(|(index, value)| read(format!("{key}[{index}]"), value))
            .collect(),
        Some(serde_json::Value::Object(map)) => map
            .into_iter()
            .map(|(id, value)| read(format!("{key}.{id}"), value))
            .collect(),
        // The value itself is left out of the message: it may hold a BSN.
        Some(_) => Err(FixtureError {
            at: key.to_owned(),
            source: serde::de::Error::custom("expected a list or an object"),
        }),
    }
}

/// The state file: what the source first sent, and its copy as it is now.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// The copy as `init` first pushed it, kept to replay a stale sync.
    pub original: Holdings,
    /// The copy with every event and task applied.
    pub copy: Holdings,
}

impl State {
    /// Reads the state file.
    pub fn load(path: &Path) -> Result<State, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::StateIo {
            path: path.to_owned(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| Error::StateFormat {
            path: path.to_owned(),
            source,
        })
    }

    /// Writes the state file (see [`write_state`]).
    pub fn save(&self, path: &Path) -> Result<(), Error> {
        write_state(path, &self.original, &self.copy)
    }
}

/// The state file's shape, borrowed, so saving after every round does not clone the copies.
#[derive(Serialize)]
struct StateRef<'a> {
    original: &'a Holdings,
    copy: &'a Holdings,
}

/// Writes a state file through a temporary file and a rename, so a crash leaves the old state
/// or the new one, never half of one.
pub fn write_state(path: &Path, original: &Holdings, copy: &Holdings) -> Result<(), Error> {
    let io = |source| Error::StateIo {
        path: path.to_owned(),
        source,
    };
    let text = serde_json::to_string_pretty(&StateRef { original, copy }).map_err(|source| {
        Error::StateFormat {
            path: path.to_owned(),
            source,
        }
    })?;
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, text).map_err(io)?;
    std::fs::rename(&temporary, path).map_err(io)
}

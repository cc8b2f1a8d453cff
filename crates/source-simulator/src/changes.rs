//! What Inzage asks of a source, and how the source applies it to its own copy: events
//! (`GET /events`, every source) and tasks (`GET /tasks`, `connected` sources). Applying is a
//! plain function of the copy, so it is tested without a server; every change is idempotent,
//! so one applied twice (a crash between saving and acknowledging) does no harm.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::data::Holdings;

/// An event as `GET /events` lists it.
///
/// Unknown fields are tolerated here, unlike in what the source sends: a source must keep
/// working when Inzage adds to its answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Acknowledged with `POST /events/{id}/ack`.
    pub id: i64,
    /// `record.rectified`, `record.erased`, `consent.withdrawn`, …
    pub kind: String,
    /// The source's own id and the facts of the event.
    #[serde(default)]
    pub payload: serde_json::Value,
    /// When it happened.
    pub created_at: DateTime<Utc>,
}

/// A task as `GET /tasks` lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// Acknowledged with `POST /tasks/{id}/ack`.
    pub id: i64,
    /// `rectify`, `erase` or `restrict`.
    pub action: String,
    /// `source_record_id`, `new_value` (for `rectify`) and the request `reference`.
    #[serde(default)]
    pub payload: serde_json::Value,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// The payload of the `record.*` events and of tasks.
#[derive(Deserialize)]
struct RecordChange {
    source_record_id: String,
    #[serde(default)]
    new_value: Option<String>,
}

/// The payload of `consent.withdrawn`.
#[derive(Deserialize)]
struct ConsentWithdrawal {
    source_consent_id: String,
    withdrawn_at: DateTime<Utc>,
}

/// What applying an event did to the copy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventOutcome {
    /// The copy is now as the event says (it may have been already): acknowledge.
    Applied {
        /// The source's record or consent id.
        id: String,
    },
    /// The copy does not hold that record or consent, so there is nothing to change:
    /// acknowledge.
    NotHeld {
        /// The source's record or consent id.
        id: String,
    },
    /// A kind this source does not know: acknowledge, as a real source would after logging it.
    Unknown,
    /// The payload could not be read: left unacknowledged, for a person to look at.
    Malformed {
        /// What was wrong with it.
        reason: String,
    },
}

/// What applying a task did to the copy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TaskOutcome {
    /// Carried out: acknowledge `done`.
    Done {
        /// The source's record id.
        id: String,
    },
    /// Cannot be carried out: acknowledge `impossible` with the reason.
    Impossible {
        /// The source's record id.
        id: String,
        /// Why, for the handler of the request.
        reason: String,
    },
    /// The payload could not be read: left unacknowledged, for a person to look at.
    Malformed {
        /// What was wrong with it.
        reason: String,
    },
}

/// Reads a payload, with serde's message as the reason when it does not fit.
fn read<T: DeserializeOwned>(payload: &serde_json::Value) -> Result<T, String> {
    T::deserialize(payload).map_err(|e| e.to_string())
}

impl Holdings {
    /// Sets a record's value; `false` if the copy does not hold it.
    pub fn rectify(&mut self, source_record_id: &str, new_value: &str) -> bool {
        match self.records.get_mut(source_record_id) {
            Some(record) => {
                new_value.clone_into(&mut record.value);
                true
            }
            None => false,
        }
    }

    /// Deletes a record and its restriction mark; `false` if the copy did not hold it.
    pub fn erase(&mut self, source_record_id: &str) -> bool {
        self.restricted.remove(source_record_id);
        self.records.remove(source_record_id).is_some()
    }

    /// Marks a record restricted; `false` if the copy does not hold it.
    pub fn restrict(&mut self, source_record_id: &str) -> bool {
        if !self.records.contains_key(source_record_id) {
            return false;
        }
        self.restricted.insert(source_record_id.to_owned());
        true
    }

    /// Clears a record's restriction mark; `false` if the copy does not hold the record.
    pub fn unrestrict(&mut self, source_record_id: &str) -> bool {
        self.restricted.remove(source_record_id);
        self.records.contains_key(source_record_id)
    }

    /// Records a consent's withdrawal; `false` if the copy does not hold the consent. An earlier
    /// withdrawal the source already knew is kept: Inzage accepts an earlier one, never a
    /// cleared one.
    pub fn withdraw_consent(&mut self, source_consent_id: &str, at: DateTime<Utc>) -> bool {
        let Some(consent) = self.consents.get_mut(source_consent_id) else {
            return false;
        };
        consent.withdrawn_at = Some(consent.withdrawn_at.map_or(at, |known| known.min(at)));
        true
    }

    /// Applies one event by its kind and payload.
    pub fn apply_event(&mut self, kind: &str, payload: &serde_json::Value) -> EventOutcome {
        let outcome = |id: String, held: bool| {
            if held {
                EventOutcome::Applied { id }
            } else {
                EventOutcome::NotHeld { id }
            }
        };
        let record = || read::<RecordChange>(payload);
        let applied = match kind {
            "record.rectified" => record().and_then(|change| match change.new_value {
                Some(value) => {
                    let held = self.rectify(&change.source_record_id, &value);
                    Ok(outcome(change.source_record_id, held))
                }
                None => Err("missing field `new_value`".to_owned()),
            }),
            // Erased is erased whether or not the copy still had it.
            "record.erased" => record().map(|change| {
                self.erase(&change.source_record_id);
                outcome(change.source_record_id, true)
            }),
            "record.restricted" => record().map(|change| {
                let held = self.restrict(&change.source_record_id);
                outcome(change.source_record_id, held)
            }),
            "record.unrestricted" => record().map(|change| {
                let held = self.unrestrict(&change.source_record_id);
                outcome(change.source_record_id, held)
            }),
            "consent.withdrawn" => read::<ConsentWithdrawal>(payload).map(|withdrawal| {
                let held =
                    self.withdraw_consent(&withdrawal.source_consent_id, withdrawal.withdrawn_at);
                outcome(withdrawal.source_consent_id, held)
            }),
            _ => Ok(EventOutcome::Unknown),
        };
        applied.unwrap_or_else(|reason| EventOutcome::Malformed { reason })
    }

    /// Applies one task by its action and payload.
    pub fn apply_task(&mut self, action: &str, payload: &serde_json::Value) -> TaskOutcome {
        let change = match read::<RecordChange>(payload) {
            Ok(change) => change,
            Err(reason) => return TaskOutcome::Malformed { reason },
        };
        let id = change.source_record_id;
        let impossible = |id, reason: &str| TaskOutcome::Impossible {
            id,
            reason: reason.to_owned(),
        };
        let not_held = "this source system does not hold the record";
        match action {
            "rectify" => match change.new_value {
                Some(value) if self.rectify(&id, &value) => TaskOutcome::Done { id },
                Some(_) => impossible(id, not_held),
                None => impossible(id, "the task names no new value"),
            },
            // Erased is erased whether or not the copy still had it.
            "erase" => {
                self.erase(&id);
                TaskOutcome::Done { id }
            }
            "restrict" if self.restrict(&id) => TaskOutcome::Done { id },
            "restrict" => impossible(id, not_held),
            // Saying so tells the handler at once; leaving it open would stall the request.
            _ => impossible(id, "this source system does not know the action"),
        }
    }
}

/// What one round of processing did, for a report and for tests to assert on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Processed {
    /// Applied and acknowledged: `(kind, source id)`, with tasks as `task.rectify` and so on.
    pub applied: Vec<(String, String)>,
    /// Acknowledged without a change: `(kind, source id or "#event id")`, for unknown kinds and
    /// ids the copy does not hold.
    pub ignored: Vec<(String, String)>,
    /// Tasks acknowledged as impossible: `(task.action, source id, reason)`.
    pub impossible: Vec<(String, String, String)>,
    /// Left unacknowledged because the payload could not be read: `(kind, "#id: reason")`.
    pub failed: Vec<(String, String)>,
}

impl Processed {
    /// Whether nothing was left unacknowledged.
    pub fn is_clean(&self) -> bool {
        self.failed.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Consent, Record};
    use serde_json::json;

    fn record(id: &str, value: &str) -> Record {
        Record {
            source_record_id: id.to_owned(),
            bsn: "162275869".to_owned(),
            activity_code: "wmo-onderzoek".to_owned(),
            category: "Gezondheid".to_owned(),
            label: "Verslag".to_owned(),
            value: value.to_owned(),
            recorded_at: "2026-02-10T10:00:00Z".parse().unwrap(),
            recorded_by: "Wmo-consulent, Gemeente Voorbeeldstad".to_owned(),
            special_category: true,
            retention_until: None,
        }
    }

    fn consent(id: &str, withdrawn_at: Option<&str>) -> Consent {
        Consent {
            source_consent_id: id.to_owned(),
            bsn: "999993653".to_owned(),
            recipient: "GGD".to_owned(),
            purpose: "Zorg".to_owned(),
            given_at: "2026-01-05T10:00:00Z".parse().unwrap(),
            channel: "formulier".to_owned(),
            withdrawn_at: withdrawn_at.map(|at| at.parse().unwrap()),
        }
    }

    fn copy() -> Holdings {
        let mut copy = Holdings::default();
        for r in [record("r-1", "oud"), record("r-2", "blijft")] {
            copy.records.insert(r.source_record_id.clone(), r);
        }
        let c = consent("c-1", None);
        copy.consents.insert(c.source_consent_id.clone(), c);
        copy
    }

    fn applied(id: &str) -> EventOutcome {
        EventOutcome::Applied { id: id.to_owned() }
    }

    #[test]
    fn rectified_sets_the_value_and_touches_nothing_else() {
        let mut copy = copy();
        let payload =
            json!({"source_record_id": "r-1", "new_value": "nieuw", "reference": "AVG-1"});
        assert_eq!(
            copy.apply_event("record.rectified", &payload),
            applied("r-1")
        );
        assert_eq!(copy.records["r-1"].value, "nieuw");
        assert_eq!(copy.records["r-2"].value, "blijft");
        // Twice is the same as once.
        assert_eq!(
            copy.apply_event("record.rectified", &payload),
            applied("r-1")
        );
        assert_eq!(copy.records["r-1"].value, "nieuw");
    }

    #[test]
    fn rectified_without_a_new_value_is_malformed_and_changes_nothing() {
        let mut copy = copy();
        let outcome = copy.apply_event("record.rectified", &json!({"source_record_id": "r-1"}));
        assert!(
            matches!(outcome, EventOutcome::Malformed { .. }),
            "{outcome:?}"
        );
        assert_eq!(copy, self::copy());
    }

    #[test]
    fn erased_deletes_the_record_and_its_mark() {
        let mut copy = copy();
        copy.restricted.insert("r-1".to_owned());
        let payload = json!({"source_record_id": "r-1", "reference": "AVG-2"});
        assert_eq!(copy.apply_event("record.erased", &payload), applied("r-1"));
        assert!(!copy.records.contains_key("r-1"));
        assert!(copy.restricted.is_empty());
        assert!(copy.records.contains_key("r-2"));
        // Already gone is still erased.
        assert_eq!(copy.apply_event("record.erased", &payload), applied("r-1"));
    }

    #[test]
    fn restricted_marks_and_keeps_the_record_unrestricted_clears_the_mark() {
        let mut copy = copy();
        let payload = json!({"source_record_id": "r-1", "reference": "AVG-3"});
        assert_eq!(
            copy.apply_event("record.restricted", &payload),
            applied("r-1")
        );
        assert!(copy.restricted.contains("r-1"));
        assert_eq!(copy.records["r-1"].value, "oud");
        assert_eq!(
            copy.apply_event("record.unrestricted", &payload),
            applied("r-1")
        );
        assert!(copy.restricted.is_empty());
        assert_eq!(copy, self::copy());
    }

    #[test]
    fn record_events_for_a_record_not_held_change_nothing() {
        let mut copy = copy();
        for kind in [
            "record.rectified",
            "record.restricted",
            "record.unrestricted",
        ] {
            let payload = json!({"source_record_id": "elders", "new_value": "x"});
            assert_eq!(
                copy.apply_event(kind, &payload),
                EventOutcome::NotHeld {
                    id: "elders".to_owned()
                },
                "{kind}"
            );
        }
        assert_eq!(copy, self::copy());
    }

    #[test]
    fn consent_withdrawn_sets_withdrawn_at_and_keeps_an_earlier_one() {
        let mut copy = copy();
        let payload = json!({"source_consent_id": "c-1", "withdrawn_at": "2026-03-01T12:30:00.123456Z", "channel": "Inzage"});
        assert_eq!(
            copy.apply_event("consent.withdrawn", &payload),
            applied("c-1")
        );
        let at: DateTime<Utc> = "2026-03-01T12:30:00.123456Z".parse().unwrap();
        assert_eq!(copy.consents["c-1"].withdrawn_at, Some(at));
        // How the consent was given is not how it was withdrawn.
        assert_eq!(copy.consents["c-1"].channel, "formulier");

        let mut earlier = self::copy();
        earlier.consents.insert(
            "c-1".to_owned(),
            consent("c-1", Some("2026-02-01T10:00:00Z")),
        );
        earlier.apply_event("consent.withdrawn", &payload);
        assert_eq!(
            earlier.consents["c-1"].withdrawn_at,
            Some("2026-02-01T10:00:00Z".parse().unwrap())
        );

        let unknown = json!({"source_consent_id": "c-9", "withdrawn_at": "2026-03-01T12:30:00Z"});
        assert_eq!(
            copy.apply_event("consent.withdrawn", &unknown),
            EventOutcome::NotHeld {
                id: "c-9".to_owned()
            }
        );
        let bad = json!({"source_consent_id": "c-1", "withdrawn_at": "gisteren"});
        assert!(matches!(
            copy.apply_event("consent.withdrawn", &bad),
            EventOutcome::Malformed { .. }
        ));
    }

    #[test]
    fn an_unknown_kind_changes_nothing() {
        let mut copy = copy();
        let outcome = copy.apply_event("record.teleported", &json!({"source_record_id": "r-1"}));
        assert_eq!(outcome, EventOutcome::Unknown);
        assert_eq!(copy, self::copy());
    }

    #[test]
    fn task_rectify_sets_the_value_or_says_why_not() {
        let mut copy = copy();
        let task = json!({"source_record_id": "r-1", "new_value": "nieuw", "reference": "AVG-4"});
        assert_eq!(
            copy.apply_task("rectify", &task),
            TaskOutcome::Done {
                id: "r-1".to_owned()
            }
        );
        assert_eq!(copy.records["r-1"].value, "nieuw");

        let elsewhere =
            json!({"source_record_id": "elders", "new_value": "x", "reference": "AVG-4"});
        assert!(matches!(
            copy.apply_task("rectify", &elsewhere),
            TaskOutcome::Impossible { .. }
        ));
        let no_value = json!({"source_record_id": "r-2", "new_value": null, "reference": "AVG-4"});
        assert!(matches!(
            copy.apply_task("rectify", &no_value),
            TaskOutcome::Impossible { .. }
        ));
        assert_eq!(copy.records["r-2"].value, "blijft");
    }

    #[test]
    fn task_erase_deletes_and_is_done_when_already_gone() {
        let mut copy = copy();
        let task = json!({"source_record_id": "r-2", "new_value": null, "reference": "AVG-5"});
        assert_eq!(
            copy.apply_task("erase", &task),
            TaskOutcome::Done {
                id: "r-2".to_owned()
            }
        );
        assert!(!copy.records.contains_key("r-2"));
        assert_eq!(
            copy.apply_task("erase", &task),
            TaskOutcome::Done {
                id: "r-2".to_owned()
            }
        );
    }

    #[test]
    fn task_restrict_marks_the_record() {
        let mut copy = copy();
        let task = json!({"source_record_id": "r-1", "new_value": null, "reference": "AVG-6"});
        assert_eq!(
            copy.apply_task("restrict", &task),
            TaskOutcome::Done {
                id: "r-1".to_owned()
            }
        );
        assert!(copy.restricted.contains("r-1"));
        assert!(copy.records.contains_key("r-1"));
        let elsewhere = json!({"source_record_id": "elders", "reference": "AVG-6"});
        assert!(matches!(
            copy.apply_task("restrict", &elsewhere),
            TaskOutcome::Impossible { .. }
        ));
    }

    #[test]
    fn a_task_without_a_record_id_is_malformed_and_an_unknown_action_impossible() {
        let mut copy = copy();
        assert!(matches!(
            copy.apply_task("erase", &json!({"reference": "AVG-7"})),
            TaskOutcome::Malformed { .. }
        ));
        assert!(matches!(
            copy.apply_task("anonymise", &json!({"source_record_id": "r-1"})),
            TaskOutcome::Impossible { .. }
        ));
        assert_eq!(copy, self::copy());
    }
}

//! Demo requests in every state of the workflow, so the back office and the citizen pages show
//! real cases from the first start. They are filed and worked through the real services (not
//! written into the tables), so every timeline event, audit line and deadline is what the
//! workflow would have made; only the clock is set back.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use types::{Kind, RefusalGround};

use super::{DAAN, FATIMA, HANS, KEES, NOOR, SANNE, WILHELMINA, citizen};
use crate::{
    config::Settings,
    entities::{request_items, rights_requests},
    platform::crypto::Vault,
    rights::requests::{self, Command, Draft, ItemDecision, StaffActor},
    transparency::Visibility,
};

/// How long before the seeding something happened.
#[derive(Clone, Copy)]
struct Ago {
    days: i64,
    hours: i64,
}

const fn ago(days: i64, hours: i64) -> Ago {
    Ago { days, hours }
}

impl Ago {
    fn before(self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - Duration::days(self.days) + Duration::hours(self.hours)
    }
}

/// A demo staff member, by their subject in `dev::digid::personas::STAFF`.
#[derive(Clone, Copy)]
enum Who {
    /// Eva de Boer, handler.
    Eva,
    /// Ahmed Yilmaz, handler.
    Ahmed,
    /// Ingrid Mulder, approver.
    Ingrid,
}

impl Who {
    fn subject(self) -> &'static str {
        match self {
            Who::Eva => "mw-0001",
            Who::Ahmed => "mw-0002",
            Who::Ingrid => "mw-0003",
        }
    }
}

/// What a staff member does. A decision names no items: they exist only once the request is
/// filed, so it is taken on all of them then.
#[derive(Clone, Copy)]
enum Act {
    Claim,
    AskInformation(&'static str),
    Extend(&'static str),
    /// Grant every item, with the general note.
    GrantAll(&'static str),
    /// Refuse every item on this ground, with the note per item.
    RefuseAll(RefusalGround, &'static str),
    Approve,
    Execute,
}

/// One thing that happens to a demo request after it is filed.
#[derive(Clone, Copy)]
enum Step {
    /// A staff member acts.
    Staff(Who, Act, Ago),
    /// The citizen withdraws the request.
    Withdraw(Ago),
}

/// A request as the citizen files it, and what happens to it afterwards.
struct DemoRequest {
    bsn: &'static str,
    kind: Kind,
    /// The record it is about, by a fragment of its label (the first record when none
    /// matches); `None`: all the citizen's data.
    record: Option<&'static str>,
    /// The proposed value, for a rectification.
    proposal: Option<&'static str>,
    explanation: &'static str,
    received: Ago,
    then: &'static [Step],
}

// In scope so the table below reads as the story of each request.
use Act::*;
use Step::{Staff, Withdraw};
use Who::{Ahmed, Eva, Ingrid};

/// The demo requests, in filing order (their references follow it).
const REQUESTS: &[DemoRequest] = &[
    // Fatima, access: just received.
    DemoRequest {
        bsn: FATIMA,
        kind: Kind::Access,
        record: None,
        proposal: None,
        explanation: "Ik wil weten wat het wijkteam over mij heeft vastgelegd.",
        received: ago(2, 0),
        then: &[],
    },
    // Hans, rectification: in review with Eva.
    DemoRequest {
        bsn: HANS,
        kind: Kind::Rectification,
        record: Some("Huishoudelijke"),
        proposal: Some("4 uur per week"),
        explanation: "Het aantal uren klopt niet; in het keukentafelgesprek is 4 uur afgesproken.",
        received: ago(9, 0),
        then: &[Staff(Eva, Claim, ago(8, 2))],
    },
    // Sanne, objection: waiting for the citizen, and overdue.
    DemoRequest {
        bsn: SANNE,
        kind: Kind::Objection,
        record: Some("Re-integratie"),
        proposal: None,
        explanation: "Door mijn mantelzorg kan ik het traject nu niet volgen.",
        received: ago(40, 0),
        then: &[
            Staff(Ahmed, Claim, ago(38, 1)),
            Staff(
                Ahmed,
                AskInformation(
                    "Kunt u aangeven sinds wanneer u mantelzorg geeft en hoeveel uur per week?",
                ),
                ago(38, 2),
            ),
        ],
    },
    // Kees, erasure: extended.
    DemoRequest {
        bsn: KEES,
        kind: Kind::Erasure,
        record: None,
        proposal: None,
        explanation: "Mijn schuldhulptraject is afgerond.",
        received: ago(20, 0),
        then: &[
            Staff(Eva, Claim, ago(19, 1)),
            Staff(
                Eva,
                Extend(
                    "Uw gegevens staan in drie systemen en een deel moet worden nagevraagd bij \
                     de Kredietbank.",
                ),
                ago(18, 1),
            ),
        ],
    },
    // Wilhelmina, erasure: decided by Eva, waiting for an approver (an erasure needs four eyes).
    DemoRequest {
        bsn: WILHELMINA,
        kind: Kind::Erasure,
        record: None,
        proposal: None,
        explanation: "Deze gegevens zijn ouder dan de bewaartermijn.",
        received: ago(12, 0),
        then: &[
            Staff(Eva, Claim, ago(11, 1)),
            Staff(Eva, GrantAll("De bewaartermijn is verstreken."), ago(10, 1)),
        ],
    },
    // Noor, restriction: decided, not yet carried out.
    DemoRequest {
        bsn: NOOR,
        kind: Kind::Restriction,
        record: None,
        proposal: None,
        explanation: "Zolang mijn bezwaar loopt, wil ik niet dat dit wordt gebruikt.",
        received: ago(15, 0),
        then: &[
            Staff(Ahmed, Claim, ago(14, 1)),
            Staff(Ahmed, GrantAll(""), ago(13, 1)),
        ],
    },
    // Daan, access: completed.
    DemoRequest {
        bsn: DAAN,
        kind: Kind::Access,
        record: None,
        proposal: None,
        explanation: "",
        received: ago(30, 0),
        then: &[
            Staff(Eva, Claim, ago(29, 1)),
            Staff(
                Eva,
                GrantAll("Het overzicht staat in het portaal."),
                ago(25, 1),
            ),
            Staff(Eva, Execute, ago(25, 2)),
        ],
    },
    // Hans, access: withdrawn by the citizen.
    DemoRequest {
        bsn: HANS,
        kind: Kind::Access,
        record: None,
        proposal: None,
        explanation: "",
        received: ago(5, 0),
        then: &[Withdraw(ago(4, 1))],
    },
    // Fatima, erasure of one item: refused with a ground, approved by Ingrid: rejected.
    DemoRequest {
        bsn: FATIMA,
        kind: Kind::Erasure,
        // The empty fragment matches her first record.
        record: Some(""),
        proposal: None,
        explanation: "Ik wil niet dat dit wordt bewaard.",
        received: ago(25, 0),
        then: &[
            Staff(Ahmed, Claim, ago(24, 1)),
            Staff(
                Ahmed,
                RefuseAll(
                    RefusalGround::LegalObligation,
                    "Het wijkteam moet dit verslag bewaren voor de hulpverlening die nog loopt.",
                ),
                ago(22, 1),
            ),
            Staff(Ingrid, Approve, ago(21, 1)),
        ],
    },
    // Noor, rectification of a BRP address: executing, the connected BRP has the task.
    DemoRequest {
        bsn: NOOR,
        kind: Kind::Rectification,
        record: Some("Adres"),
        proposal: Some("Lindelaan 14"),
        explanation: "Het huisnummer is verkeerd.",
        received: ago(18, 0),
        then: &[
            Staff(Eva, Claim, ago(17, 1)),
            Staff(Eva, GrantAll(""), ago(16, 1)),
            Staff(Eva, Execute, ago(16, 2)),
        ],
    },
];

/// Files the demo requests and works them into their states: one overdue, one extended, one
/// waiting for approval, one with an open task at a connected source system. Skipped when any
/// request exists; returns how many were filed.
pub async fn seed_requests(
    db: &DatabaseConnection,
    settings: &Settings,
    vault: &Vault,
) -> anyhow::Result<usize> {
    if rights_requests::Entity::find().count(db).await? > 0 {
        return Ok(0);
    }
    // Seeding is not news: no staff notices for the demo's own requests.
    let mut settings = settings.clone();
    settings.mail.staff_recipients.clear();
    let settings = &settings;
    let staff = log_in_staff(db, settings).await?;
    let now = Utc::now();
    let mut filed = Vec::with_capacity(REQUESTS.len());
    // All are filed before any is worked, so the references run in the order of the table.
    for (n, request) in REQUESTS.iter().enumerate() {
        let citizen_id = citizen(db, vault, request.bsn).await?;
        let reference = file(db, settings, citizen_id, request, n, now).await?;
        filed.push((citizen_id, reference));
    }
    for (request, (citizen_id, reference)) in REQUESTS.iter().zip(&filed) {
        for step in request.then {
            match *step {
                Staff(who, act, when) => {
                    let actor = staff
                        .get(who.subject())
                        .ok_or_else(|| anyhow::anyhow!("no demo staff {}", who.subject()))?;
                    let command = command(db, reference, act).await?;
                    let version = find(db, reference).await?.version;
                    requests::act(
                        db,
                        settings,
                        actor,
                        reference,
                        version,
                        command,
                        when.before(now),
                    )
                    .await?;
                }
                Withdraw(when) => {
                    requests::withdraw(db, *citizen_id, reference, when.before(now)).await?;
                }
            }
        }
    }
    Ok(filed.len())
}

/// Logs every demo staff member in once (so all their accounts exist), keyed by subject.
async fn log_in_staff(
    db: &DatabaseConnection,
    settings: &Settings,
) -> anyhow::Result<HashMap<&'static str, StaffActor>> {
    let issuer = &settings.staff_oidc.issuer_url;
    let mut staff = HashMap::new();
    for person in crate::dev::digid::personas::STAFF {
        let id = crate::identity::people::staff_logged_in(
            db,
            issuer,
            person.subject,
            person.name,
            Some(person.email),
            person.roles,
        )
        .await?;
        let actor = StaffActor {
            id,
            roles: person.roles.to_vec(),
        };
        staff.insert(person.subject, actor);
    }
    Ok(staff)
}

/// Files one demo request as its citizen would, `received` before now; returns its reference.
async fn file(
    db: &DatabaseConnection,
    settings: &Settings,
    citizen_id: i64,
    request: &DemoRequest,
    n: usize,
    now: DateTime<Utc>,
) -> anyhow::Result<String> {
    // Health data too: the demo citizens logged in at the level that shows it.
    let visibility = Visibility { health: true };
    let records = requests::pickable_records(db, citizen_id, visibility).await?;
    let record = request.record.and_then(|fragment| {
        records
            .iter()
            .find(|r| r.label.contains(fragment))
            .or_else(|| records.first())
    });
    let draft = Draft {
        for_child: None,
        kind: request.kind,
        all_data: record.is_none(),
        items: record
            .map(|r| vec![(r.id, request.proposal.map(str::to_owned))])
            .unwrap_or_default(),
        explanation: request.explanation.to_owned(),
    };
    let filing = requests::Filing {
        draft: &draft,
        token: &format!("demo-{n}"),
        locale: "nl",
        acting: None,
    };
    let submitted = requests::submit(
        db,
        settings,
        citizen_id,
        visibility,
        &filing,
        request.received.before(now),
    )
    .await?;
    Ok(submitted.reference)
}

/// The service command for a step.
async fn command(db: &DatabaseConnection, reference: &str, act: Act) -> anyhow::Result<Command> {
    Ok(match act {
        Claim => Command::Claim,
        AskInformation(question) => Command::AskInformation(question.to_owned()),
        Extend(reason) => Command::Extend(reason.to_owned()),
        GrantAll(note) => {
            let decisions = on_every_item(db, reference, true, None, "").await?;
            Command::Decide(decisions, note.to_owned(), Default::default())
        }
        RefuseAll(ground, note) => {
            let decisions = on_every_item(db, reference, false, Some(ground), note).await?;
            Command::Decide(decisions, String::new(), Default::default())
        }
        Approve => Command::Approve,
        Execute => Command::Execute,
    })
}

/// The same decision on each of the request's items.
async fn on_every_item(
    db: &DatabaseConnection,
    reference: &str,
    granted: bool,
    ground: Option<RefusalGround>,
    note: &str,
) -> anyhow::Result<Vec<ItemDecision>> {
    let request = find(db, reference).await?;
    let items = request_items::Entity::find()
        .filter(request_items::Column::RequestId.eq(request.id))
        .all(db)
        .await?;
    Ok(items
        .into_iter()
        .map(|item| ItemDecision {
            item_id: item.id,
            granted,
            ground,
            note: note.to_owned(),
        })
        .collect())
}

/// The request row, read fresh: every act needs the version the last one left.
async fn find(db: &DatabaseConnection, reference: &str) -> anyhow::Result<rights_requests::Model> {
    rights_requests::Entity::find()
        .filter(rights_requests::Column::Reference.eq(reference))
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo request {reference} vanished"))
}

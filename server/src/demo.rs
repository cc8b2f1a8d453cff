//! The demo municipality, Gemeente Voorbeeldstad: a register with real purposes, legal bases
//! and retention periods, six source systems, and the records, disclosures, consents and
//! processing log lines of the demo citizens the DigiD stand-in offers. Everything is fictional.
//! It goes in through the same ingest functions as the API, so `seed-demo` can run again and
//! changes nothing the second time.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use sea_orm::DatabaseConnection;

use crate::{
    crypto::Vault,
    ingest::{
        self, ActivityInput, ConsentInput, DisclosureInput, LogLineInput, RecordInput,
        SourceContext, StaffViewInput,
    },
    register::{Confidentiality, Domain, LegalBasis},
    sources::{self, SourceMode},
};

const FATIMA: &str = "999993653";
const NOOR: &str = "725763863";
const HANS: &str = "162275869";
const SANNE: &str = "192285142";
const KEES: &str = "691682483";
const WILHELMINA: &str = "987825707";
const DAAN: &str = "688136138";

fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 10, 0, 0)
        .single()
        .expect("valid demo date")
}

fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

#[allow(clippy::too_many_arguments)]
fn activity(
    code: &str,
    name: &str,
    purpose: &str,
    legal_basis: LegalBasis,
    legal_basis_text: &str,
    categories: &[&str],
    retention: &str,
    source: &str,
    recipients: &[&str],
    confidentiality: Confidentiality,
    domain: Domain,
) -> ActivityInput {
    ActivityInput {
        code: code.to_owned(),
        name: name.to_owned(),
        purpose: purpose.to_owned(),
        legal_basis,
        legal_basis_text: legal_basis_text.to_owned(),
        data_categories: categories.iter().map(|s| s.to_string()).collect(),
        retention: retention.to_owned(),
        source: source.to_owned(),
        recipient_categories: recipients.iter().map(|s| s.to_string()).collect(),
        confidentiality,
        domain,
        automated_decision: None,
    }
}

/// The register of processing activities.
pub fn register() -> Vec<ActivityInput> {
    use Confidentiality::*;
    use Domain::*;
    use LegalBasis::*;
    vec![
        activity(
            "brp-basisgegevens",
            "Basisgegevens uit de BRP",
            "Vaststellen wie u bent en waar u woont, zodat wij de juiste persoon helpen.",
            LegalObligation,
            "Wet BRP art. 3.3",
            &["Naam en adres", "Geboortedatum", "Gezinssamenstelling"],
            "Zolang u ondersteuning krijgt, daarna niet apart bewaard",
            "Basisregistratie Personen (BRP)",
            &["Afdelingen van het sociaal domein"],
            Normaal,
            Brp,
        ),
        activity(
            "wmo-onderzoek",
            "Wmo-melding en onderzoek",
            "Samen met u onderzoeken welke ondersteuning u nodig heeft om zelfstandig te kunnen blijven wonen.",
            PublicTask,
            "Wmo 2015 art. 2.3.2",
            &[
                "Naam en adres",
                "Gezondheid",
                "Woonsituatie",
                "Sociaal netwerk",
            ],
            "P10Y",
            "U zelf, in het keukentafelgesprek",
            &["Zorgaanbieders met een contract"],
            Normaal,
            Wmo,
        ),
        activity(
            "wmo-huishoudelijke-hulp",
            "Hulp bij het huishouden (Wmo)",
            "Hulp bij het huishouden regelen en laten leveren door een zorgaanbieder.",
            PublicTask,
            "Wmo 2015 art. 2.3.5",
            &["Naam en adres", "Gezondheid", "Indicatie"],
            "P10Y",
            "Wmo-onderzoek",
            &["Zorgaanbieders met een contract", "CAK"],
            Normaal,
            Wmo,
        ),
        activity(
            "wmo-eigen-bijdrage",
            "Eigen bijdrage Wmo",
            "Doorgeven aan het CAK welke ondersteuning u krijgt, zodat het CAK de eigen bijdrage kan berekenen.",
            LegalObligation,
            "Wmo 2015 art. 2.1.4",
            &["Naam en adres", "Soort en omvang ondersteuning"],
            "P7Y",
            "Wmo-beschikking",
            &["CAK"],
            Normaal,
            Wmo,
        ),
        activity(
            "jeugd-toegang",
            "Jeugdhulp: toegang en beschikking",
            "Bepalen welke jeugdhulp een kind nodig heeft en die hulp toekennen.",
            PublicTask,
            "Jeugdwet art. 2.3",
            &["Naam en adres", "Gezondheid", "Gezinssituatie", "School"],
            "P20Y",
            "Ouders, kind, school, huisarts",
            &["Jeugdhulpaanbieders", "Gecertificeerde instellingen"],
            Normaal,
            Jeugd,
        ),
        activity(
            "jeugd-uitwisseling",
            "Gegevens delen met jeugdhulpaanbieders",
            "Jeugdhulpaanbieders de gegevens geven die zij nodig hebben om de toegekende hulp te geven en te declareren.",
            LegalObligation,
            "Jeugdwet art. 7.4.0",
            &["Naam en adres", "Soort jeugdhulp"],
            "P20Y",
            "Jeugd-beschikking",
            &["Jeugdhulpaanbieders"],
            Normaal,
            Jeugd,
        ),
        activity(
            "jeugd-veilig-thuis",
            "Melding aan Veilig Thuis",
            "Veilig Thuis informeren als de veiligheid van een kind in gevaar is.",
            LegalObligation,
            "Wet verplichte meldcode; Wmo 2015 art. 5.2.6",
            &["Naam en adres", "Gezinssituatie", "Zorgen over veiligheid"],
            "P20Y",
            "Wijkteam en jeugdconsulent",
            &["Veilig Thuis"],
            Normaal,
            Jeugd,
        ),
        activity(
            "participatie-bijstand",
            "Bijstandsuitkering",
            "Vaststellen of u recht heeft op een bijstandsuitkering en die uitbetalen.",
            PublicTask,
            "Participatiewet art. 7 en 11",
            &["Naam en adres", "Inkomen", "Vermogen", "Woonsituatie"],
            "P10Y",
            "U zelf, UWV en Belastingdienst (Suwinet)",
            &["UWV", "Belastingdienst", "SVB"],
            Normaal,
            Participatie,
        ),
        activity(
            "participatie-werk",
            "Begeleiding naar werk",
            "U helpen werk te vinden dat bij u past.",
            PublicTask,
            "Participatiewet art. 7 lid 1 onder a",
            &["Naam en adres", "Opleiding en werkervaring"],
            "P5Y",
            "U zelf",
            &["Re-integratiebedrijven"],
            Normaal,
            Participatie,
        ),
        activity(
            "participatie-rechtmatigheid",
            "Onderzoek rechtmatigheid uitkering",
            "Onderzoeken of een uitkering terecht wordt verstrekt.",
            LegalObligation,
            "Participatiewet art. 53a",
            &["Inkomen", "Woonsituatie"],
            "P10Y",
            "Signalen en gegevensuitwisseling",
            &["Openbaar Ministerie"],
            Vertrouwelijk,
            Participatie,
        ),
        activity(
            "schuldhulp-traject",
            "Schuldhulpverlening",
            "Samen met u een oplossing zoeken voor uw schulden.",
            PublicTask,
            "Wet gemeentelijke schuldhulpverlening art. 3",
            &["Naam en adres", "Inkomen", "Schulden", "Schuldeisers"],
            "P5Y",
            "U zelf en uw schuldeisers",
            &["Kredietbank", "Schuldeisers"],
            Normaal,
            Schuldhulp,
        ),
        activity(
            "schuldhulp-vroegsignalering",
            "Vroegsignalering betalingsachterstanden",
            "U vroeg hulp aanbieden als u achterloopt met huur, energie of zorgverzekering.",
            LegalObligation,
            "Wet gemeentelijke schuldhulpverlening art. 3a",
            &["Naam en adres", "Betalingsachterstand"],
            "P1Y",
            "Woningcorporatie, energieleverancier, zorgverzekeraar",
            &[],
            Normaal,
            Schuldhulp,
        ),
        activity(
            "wijkteam-ondersteuning",
            "Ondersteuning door het wijkteam",
            "U en uw gezin helpen met vragen over opvoeden, geld, wonen of gezondheid.",
            Consent,
            "AVG art. 6 lid 1 onder a (toestemming)",
            &["Naam en adres", "Gezinssituatie", "Gezondheid"],
            "P5Y",
            "U zelf",
            &["GGD", "Huisarts"],
            Normaal,
            Wijkteam,
        ),
    ]
}

struct Source {
    name: &'static str,
    department: &'static str,
    mode: SourceMode,
}

const SOURCES: &[Source] = &[
    Source {
        name: "BRP",
        department: "Burgerzaken",
        mode: SourceMode::Connected,
    },
    Source {
        name: "Wmo",
        department: "Zorg en Welzijn",
        mode: SourceMode::Managed,
    },
    Source {
        name: "Jeugd",
        department: "Jeugd en Onderwijs",
        mode: SourceMode::Connected,
    },
    Source {
        name: "Participatie",
        department: "Werk en Inkomen",
        mode: SourceMode::Managed,
    },
    Source {
        name: "Schuldhulpverlening",
        department: "Werk en Inkomen",
        mode: SourceMode::Managed,
    },
    Source {
        name: "Wijkteam",
        department: "Sociaal Wijkteam",
        mode: SourceMode::Managed,
    },
];

#[allow(clippy::too_many_arguments)]
fn rec(
    id: &str,
    bsn: &str,
    activity: &str,
    category: &str,
    label: &str,
    value: &str,
    when: DateTime<Utc>,
    by: &str,
    special: bool,
    until: Option<NaiveDate>,
) -> RecordInput {
    RecordInput {
        source_record_id: id.to_owned(),
        bsn: bsn.to_owned(),
        activity_code: activity.to_owned(),
        category: category.to_owned(),
        label: label.to_owned(),
        value: value.to_owned(),
        recorded_at: when,
        recorded_by: by.to_owned(),
        special_category: special,
        retention_until: until,
    }
}

fn records(source: &str) -> Vec<RecordInput> {
    let consulent = "Wmo-consulent, Gemeente Voorbeeldstad";
    let jeugd = "Jeugdconsulent, Gemeente Voorbeeldstad";
    let inkomen = "Klantmanager Werk en Inkomen, Gemeente Voorbeeldstad";
    let schuld = "Schuldhulpverlener, Gemeente Voorbeeldstad";
    let wijk = "Wijkteammedewerker, Sociaal Wijkteam Voorbeeldstad";
    let brp = "Afdeling Burgerzaken, Gemeente Voorbeeldstad";
    match source {
        "BRP" => [FATIMA, NOOR, HANS, SANNE, KEES, WILHELMINA, DAAN]
            .iter()
            .enumerate()
            .flat_map(|(i, bsn)| {
                let address = [
                    "Lindelaan 12",
                    "Lindelaan 12",
                    "Molenweg 3",
                    "Stationsstraat 40B",
                    "Kerkpad 7",
                    "Bloemhof 21",
                    "Havenkade 9",
                ][i];
                [rec(
                    &format!("brp-{i}-adres"),
                    bsn,
                    "brp-basisgegevens",
                    "Naam en adres",
                    "Woonadres",
                    &format!("{address}, 1234 AB Voorbeeldstad"),
                    at(2024, 1, 2),
                    brp,
                    false,
                    None,
                )]
            })
            .collect(),
        "Wmo" => vec![
            rec(
                "wmo-1001",
                HANS,
                "wmo-onderzoek",
                "Gezondheid",
                "Verslag keukentafelgesprek",
                "Beperkt mobiel na heupoperatie; kan niet zelf stofzuigen en de badkamer schoonmaken.",
                at(2026, 2, 10),
                consulent,
                true,
                day(2036, 2, 10),
            ),
            rec(
                "wmo-1002",
                HANS,
                "wmo-huishoudelijke-hulp",
                "Indicatie",
                "Indicatie hulp bij het huishouden",
                "3 uur per week, van 1 maart 2026 tot 1 maart 2027",
                at(2026, 2, 24),
                consulent,
                true,
                day(2037, 3, 1),
            ),
            rec(
                "wmo-1003",
                HANS,
                "wmo-huishoudelijke-hulp",
                "Zorgaanbieder",
                "Uitvoerende zorgaanbieder",
                "Thuiszorg De Zonnebloem B.V.",
                at(2026, 2, 24),
                consulent,
                false,
                day(2037, 3, 1),
            ),
            rec(
                "wmo-1004",
                HANS,
                "wmo-eigen-bijdrage",
                "Ondersteuning",
                "Gemeld aan het CAK",
                "Hulp bij het huishouden, 3 uur per week",
                at(2026, 3, 1),
                consulent,
                false,
                day(2033, 3, 1),
            ),
            rec(
                "wmo-0907",
                WILHELMINA,
                "wmo-huishoudelijke-hulp",
                "Indicatie",
                "Indicatie hulp bij het huishouden",
                "2 uur per week, van 2009 tot 2013",
                at(2009, 5, 4),
                consulent,
                true,
                day(2023, 5, 4),
            ),
            rec(
                "wmo-0908",
                WILHELMINA,
                "wmo-onderzoek",
                "Gezondheid",
                "Verslag huisbezoek",
                "Heeft hulp nodig bij het huishouden na overlijden partner.",
                at(2009, 4, 20),
                consulent,
                true,
                day(2019, 4, 20),
            ),
        ],
        "Jeugd" => vec![
            rec(
                "jgd-501",
                NOOR,
                "jeugd-toegang",
                "Gezondheid",
                "Hulpvraag",
                "Angstklachten; gaat moeilijk naar school.",
                at(2025, 10, 6),
                jeugd,
                true,
                day(2045, 10, 6),
            ),
            rec(
                "jgd-502",
                NOOR,
                "jeugd-toegang",
                "Beschikking",
                "Toegekende jeugdhulp",
                "Ambulante jeugdhulp, 12 gesprekken, van november 2025 tot mei 2026",
                at(2025, 10, 20),
                jeugd,
                true,
                day(2045, 10, 20),
            ),
            rec(
                "jgd-503",
                NOOR,
                "jeugd-uitwisseling",
                "Jeugdhulpaanbieder",
                "Uitvoerende aanbieder",
                "Jeugdzorg De Brug",
                at(2025, 10, 20),
                jeugd,
                false,
                day(2045, 10, 20),
            ),
            rec(
                "jgd-504",
                FATIMA,
                "jeugd-toegang",
                "Gezinssituatie",
                "Gezag",
                "Moeder heeft het gezag over Noor (12 jaar)",
                at(2025, 10, 6),
                jeugd,
                false,
                day(2045, 10, 6),
            ),
        ],
        "Participatie" => vec![
            rec(
                "pw-7001",
                SANNE,
                "participatie-bijstand",
                "Inkomen",
                "Bijstandsuitkering",
                "Alleenstaande-norm, sinds 1 juni 2025",
                at(2025, 5, 28),
                inkomen,
                false,
                day(2035, 5, 28),
            ),
            rec(
                "pw-7002",
                SANNE,
                "participatie-bijstand",
                "Vermogen",
                "Vermogen bij aanvraag",
                "Onder de vermogensgrens",
                at(2025, 5, 20),
                inkomen,
                false,
                day(2035, 5, 20),
            ),
            rec(
                "pw-7003",
                SANNE,
                "participatie-werk",
                "Werkervaring",
                "Afspraken over werk",
                "Werkervaringsplaats in de zorg, 16 uur per week",
                at(2025, 9, 1),
                inkomen,
                false,
                day(2030, 9, 1),
            ),
            rec(
                "pw-7101",
                DAAN,
                "participatie-bijstand",
                "Inkomen",
                "Bijstandsuitkering",
                "Gezinsnorm, sinds 1 januari 2024",
                at(2023, 12, 20),
                inkomen,
                false,
                day(2033, 12, 20),
            ),
            rec(
                "pw-7102",
                DAAN,
                "participatie-rechtmatigheid",
                "Onderzoek",
                "Signaal",
                "Onderzoek naar woonsituatie loopt",
                at(2026, 9, 1),
                "Handhaving, Gemeente Voorbeeldstad",
                false,
                day(2036, 9, 1),
            ),
        ],
        "Schuldhulpverlening" => vec![
            rec(
                "shv-301",
                KEES,
                "schuldhulp-vroegsignalering",
                "Betalingsachterstand",
                "Signaal",
                "Huurachterstand van twee maanden gemeld door de woningcorporatie",
                at(2026, 1, 15),
                schuld,
                false,
                day(2027, 1, 15),
            ),
            rec(
                "shv-302",
                KEES,
                "schuldhulp-traject",
                "Schulden",
                "Schuldenoverzicht",
                "7 schuldeisers, totaal in kaart gebracht",
                at(2026, 2, 12),
                schuld,
                false,
                day(2031, 2, 12),
            ),
            rec(
                "shv-303",
                KEES,
                "schuldhulp-traject",
                "Afspraak",
                "Traject",
                "Budgetbeheer en schuldregeling via de Kredietbank",
                at(2026, 3, 2),
                schuld,
                false,
                day(2031, 3, 2),
            ),
        ],
        "Wijkteam" => vec![
            rec(
                "wt-11",
                FATIMA,
                "wijkteam-ondersteuning",
                "Gezinssituatie",
                "Hulpvraag",
                "Vragen over opvoeding en rust in het gezin",
                at(2025, 9, 8),
                wijk,
                false,
                day(2030, 9, 8),
            ),
            rec(
                "wt-12",
                FATIMA,
                "wijkteam-ondersteuning",
                "Gezondheid",
                "Afspraak",
                "Verwezen naar de GGD voor een gesprek over slaapproblemen",
                at(2025, 9, 22),
                wijk,
                true,
                day(2030, 9, 22),
            ),
        ],
        _ => Vec::new(),
    }
}

fn consents(source: &str) -> Vec<ConsentInput> {
    match source {
        "Wijkteam" => vec![
            ConsentInput {
                source_consent_id: "wt-c-1".into(),
                bsn: FATIMA.into(),
                recipient: "GGD Voorbeeldregio".into(),
                purpose: "Gesprek over slaapproblemen voorbereiden".into(),
                given_at: at(2025, 9, 22),
                channel: "Gesprek met wijkteammedewerker".into(),
                withdrawn_at: Some(at(2026, 4, 2)),
            },
            ConsentInput {
                source_consent_id: "wt-c-2".into(),
                bsn: FATIMA.into(),
                recipient: "Huisartsenpraktijk Lindelaan".into(),
                purpose: "Afstemmen van de hulp met de huisarts".into(),
                given_at: at(2025, 9, 8),
                channel: "Formulier".into(),
                withdrawn_at: None,
            },
        ],
        "Schuldhulpverlening" => vec![ConsentInput {
            source_consent_id: "shv-c-1".into(),
            bsn: KEES.into(),
            recipient: "Schuldeisers in de schuldregeling".into(),
            purpose: "Schuldregeling voorstellen aan uw schuldeisers".into(),
            given_at: at(2026, 3, 2),
            channel: "Ondertekend formulier".into(),
            withdrawn_at: None,
        }],
        _ => Vec::new(),
    }
}

#[allow(clippy::too_many_arguments)]
fn dis(
    id: &str,
    bsn: &str,
    activity: &str,
    recipient: &str,
    oin: Option<&str>,
    categories: &[&str],
    purpose: &str,
    basis: Option<LegalBasis>,
    basis_text: Option<&str>,
    consent: Option<&str>,
    when: DateTime<Utc>,
) -> DisclosureInput {
    DisclosureInput {
        source_disclosure_id: id.to_owned(),
        bsn: bsn.to_owned(),
        activity_code: activity.to_owned(),
        recipient_name: recipient.to_owned(),
        recipient_oin: oin.map(str::to_owned),
        categories: categories.iter().map(|s| s.to_string()).collect(),
        purpose: purpose.to_owned(),
        legal_basis: basis,
        legal_basis_text: basis_text.map(str::to_owned),
        consent_id: consent.map(str::to_owned),
        disclosed_at: when,
    }
}

fn disclosures(source: &str) -> Vec<DisclosureInput> {
    use LegalBasis::*;
    match source {
        "Wmo" => vec![
            dis(
                "wmo-v-1",
                HANS,
                "wmo-huishoudelijke-hulp",
                "Thuiszorg De Zonnebloem B.V.",
                None,
                &["Naam en adres", "Indicatie"],
                "De zorgaanbieder kan de hulp bij het huishouden leveren",
                Some(PublicTask),
                Some("Wmo 2015 art. 5.1.1"),
                None,
                at(2026, 2, 25),
            ),
            dis(
                "wmo-v-2",
                HANS,
                "wmo-eigen-bijdrage",
                "CAK",
                Some("00000001003214345000"),
                &["Naam en adres", "Soort en omvang ondersteuning"],
                "Berekenen van de eigen bijdrage",
                Some(LegalObligation),
                Some("Wmo 2015 art. 2.1.4"),
                None,
                at(2026, 3, 1),
            ),
        ],
        "Jeugd" => vec![
            dis(
                "jgd-v-1",
                NOOR,
                "jeugd-uitwisseling",
                "Jeugdzorg De Brug",
                None,
                &["Naam en adres", "Soort jeugdhulp"],
                "De aanbieder kan de toegekende jeugdhulp geven en declareren",
                Some(LegalObligation),
                Some("Jeugdwet art. 7.4.0"),
                None,
                at(2025, 10, 21),
            ),
            dis(
                "jgd-v-2",
                NOOR,
                "jeugd-veilig-thuis",
                "Veilig Thuis Voorbeeldregio",
                None,
                &["Naam en adres", "Zorgen over veiligheid"],
                "Advies vragen over de veiligheid thuis",
                Some(LegalObligation),
                Some("Wet verplichte meldcode"),
                None,
                at(2025, 11, 3),
            ),
        ],
        "Participatie" => vec![
            dis(
                "pw-v-1",
                SANNE,
                "participatie-bijstand",
                "UWV",
                Some("00000001003214370000"),
                &["Naam en adres", "Inkomen"],
                "Controle op samenloop met een WW-uitkering (Suwinet)",
                Some(LegalObligation),
                Some("Wet SUWI art. 54"),
                None,
                at(2025, 6, 3),
            ),
            dis(
                "pw-v-2",
                SANNE,
                "participatie-bijstand",
                "Sociale Verzekeringsbank (SVB)",
                Some("00000001002220647000"),
                &["Naam en adres", "Inkomen"],
                "Afstemmen met kinderbijslag en toeslagen",
                None,
                None,
                None,
                at(2025, 7, 14),
            ),
        ],
        "Wijkteam" => vec![
            dis(
                "wt-v-1",
                FATIMA,
                "wijkteam-ondersteuning",
                "GGD Voorbeeldregio",
                None,
                &["Naam en adres", "Gezondheid"],
                "Gesprek over slaapproblemen voorbereiden",
                Some(Consent),
                Some("AVG art. 6 lid 1 onder a"),
                Some("wt-c-1"),
                at(2025, 9, 23),
            ),
            dis(
                "wt-v-2",
                FATIMA,
                "wijkteam-ondersteuning",
                "Huisartsenpraktijk Lindelaan",
                None,
                &["Gezinssituatie"],
                "Afstemmen van de hulp met de huisarts",
                Some(Consent),
                Some("AVG art. 6 lid 1 onder a"),
                Some("wt-c-2"),
                at(2025, 10, 1),
            ),
        ],
        "Schuldhulpverlening" => vec![dis(
            "shv-v-1",
            KEES,
            "schuldhulp-traject",
            "Kredietbank Voorbeeldregio",
            None,
            &["Naam en adres", "Schulden", "Inkomen"],
            "Budgetbeheer en schuldregeling uitvoeren",
            Some(PublicTask),
            Some("Wet gemeentelijke schuldhulpverlening art. 3"),
            None,
            at(2026, 3, 3),
        )],
        _ => Vec::new(),
    }
}

fn hex_id(label: &str, len: usize) -> String {
    crate::crypto::sha256_hex(label)[..len].to_owned()
}

fn line(
    key: &str,
    bsn: &str,
    activity: &str,
    name: &str,
    when: DateTime<Utc>,
    processor: &str,
) -> LogLineInput {
    LogLineInput {
        trace_id: hex_id(&format!("trace:{key}"), 32),
        span_id: hex_id(&format!("span:{key}"), 16),
        parent_span_id: None,
        name: name.to_owned(),
        status: "ok".to_owned(),
        start_time: when,
        end_time: when + chrono::Duration::seconds(2),
        activity_code: activity.to_owned(),
        bsn: bsn.to_owned(),
        processor: processor.to_owned(),
    }
}

fn log_lines(source: &str) -> Vec<LogLineInput> {
    match source {
        "Wmo" => vec![
            line(
                "wmo-1",
                HANS,
                "wmo-onderzoek",
                "Melding vastgelegd",
                at(2026, 2, 3),
                "Gemeente Voorbeeldstad, team Wmo",
            ),
            line(
                "wmo-2",
                HANS,
                "wmo-huishoudelijke-hulp",
                "Beschikking opgesteld",
                at(2026, 2, 24),
                "Gemeente Voorbeeldstad, team Wmo",
            ),
            line(
                "wmo-3",
                HANS,
                "wmo-eigen-bijdrage",
                "Gegevens gestuurd naar het CAK",
                at(2026, 3, 1),
                "Gemeente Voorbeeldstad, team Wmo",
            ),
            // A staff view with no request or case behind it: the privacy officer's view shows it.
            line(
                "wmo-4",
                HANS,
                "wmo-onderzoek",
                "Dossier ingezien",
                at(2026, 8, 14),
                "Gemeente Voorbeeldstad, team Wmo",
            ),
        ],
        "Jeugd" => vec![
            line(
                "jgd-1",
                NOOR,
                "jeugd-toegang",
                "Hulpvraag beoordeeld",
                at(2025, 10, 8),
                "Gemeente Voorbeeldstad, team Jeugd",
            ),
            line(
                "jgd-2",
                NOOR,
                "jeugd-uitwisseling",
                "Gegevens gestuurd naar de jeugdhulpaanbieder",
                at(2025, 10, 21),
                "Gemeente Voorbeeldstad, team Jeugd",
            ),
        ],
        "Participatie" => vec![
            line(
                "pw-1",
                SANNE,
                "participatie-bijstand",
                "Aanvraag beoordeeld",
                at(2025, 5, 27),
                "Gemeente Voorbeeldstad, team Werk en Inkomen",
            ),
            line(
                "pw-2",
                SANNE,
                "participatie-bijstand",
                "Gegevens opgevraagd via Suwinet",
                at(2025, 6, 3),
                "Gemeente Voorbeeldstad, team Werk en Inkomen",
            ),
            line(
                "pw-3",
                DAAN,
                "participatie-rechtmatigheid",
                "Onderzoek gestart",
                at(2026, 9, 2),
                "Gemeente Voorbeeldstad, team Handhaving",
            ),
        ],
        "Schuldhulpverlening" => vec![line(
            "shv-1",
            KEES,
            "schuldhulp-vroegsignalering",
            "Signaal ontvangen",
            at(2026, 1, 15),
            "Gemeente Voorbeeldstad, team Schuldhulp",
        )],
        _ => Vec::new(),
    }
}

/// Loads the demo municipality; returns how many items were new.
pub async fn seed(db: &DatabaseConnection, vault: &Vault) -> anyhow::Result<usize> {
    let register_id = sources::ensure_source(
        db,
        "Register",
        "Privacy en Informatiebeheer",
        SourceMode::Managed,
    )
    .await?;
    let admin = SourceContext {
        id: register_id,
        name: "Register".to_owned(),
        is_admin: true,
    };
    let mut created = ingest::upsert_activities(db, &admin, &register())
        .await
        .map_err(describe)?
        .created;
    for source in SOURCES {
        let id = sources::ensure_source(db, source.name, source.department, source.mode).await?;
        let context = SourceContext {
            id,
            name: source.name.to_owned(),
            is_admin: false,
        };
        let recs = records(source.name);
        if !recs.is_empty() {
            created += ingest::upsert_records(db, vault, &context, &recs)
                .await
                .map_err(describe)?
                .created;
        }
        let cons = consents(source.name);
        if !cons.is_empty() {
            created += ingest::upsert_consents(db, vault, &context, &cons)
                .await
                .map_err(describe)?
                .created;
        }
        let discs = disclosures(source.name);
        if !discs.is_empty() {
            created += ingest::upsert_disclosures(db, vault, &context, &discs)
                .await
                .map_err(describe)?
                .created;
        }
        let lines = log_lines(source.name);
        if !lines.is_empty() {
            created += ingest::record_log_lines(db, vault, &context, &lines)
                .await
                .map_err(describe)?
                .created;
        }
        let views = staff_views(source.name);
        if !views.is_empty() {
            created += ingest::record_staff_views(db, vault, &context, &views)
                .await
                .map_err(describe)?
                .created;
        }
    }
    seed_family(db, vault).await?;
    Ok(created)
}

/// Staff views the source systems report: all for a case, but one Wmo file opened without one
/// (what the privacy officer looks for).
fn staff_views(source: &str) -> Vec<StaffViewInput> {
    let view = |id: &str, bsn: &str, staff: &str, activity: &str, when, case: Option<&str>| {
        StaffViewInput {
            source_view_id: id.to_owned(),
            bsn: bsn.to_owned(),
            staff: staff.to_owned(),
            activity_code: activity.to_owned(),
            viewed_at: when,
            case_reference: case.map(str::to_owned),
        }
    };
    match source {
        "Wmo" => vec![
            view(
                "wmo-i-1",
                HANS,
                "medewerker W-1042",
                "wmo-onderzoek",
                at(2026, 2, 11),
                Some("WMO-2026-0311"),
            ),
            view(
                "wmo-i-2",
                HANS,
                "medewerker W-1077",
                "wmo-onderzoek",
                at(2026, 4, 2),
                None,
            ),
        ],
        "Jeugd" => vec![view(
            "jgd-i-1",
            NOOR,
            "medewerker J-2003",
            "jeugd-uitwisseling",
            at(2025, 10, 20),
            Some("JGD-2025-0087"),
        )],
        _ => Vec::new(),
    }
}

/// Fatima el Amrani has authority (gezag) over her daughter Noor, born 8 March 2014.
async fn seed_family(db: &DatabaseConnection, vault: &Vault) -> anyhow::Result<()> {
    use crate::entities::guardianships;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
    let id = |bsn: &str| {
        let bsn = crate::identity::Bsn::parse(bsn).map_err(|e| anyhow::anyhow!("{e}"));
        async move { anyhow::Ok(crate::people::find_or_create_citizen(db, vault, &bsn?, None).await?) }
    };
    let (parent, child) = (id(FATIMA).await?, id(NOOR).await?);
    let exists = guardianships::Entity::find()
        .filter(guardianships::Column::ParentId.eq(parent))
        .filter(guardianships::Column::ChildId.eq(child))
        .one(db)
        .await?
        .is_some();
    if !exists {
        guardianships::ActiveModel {
            parent_id: Set(parent),
            child_id: Set(child),
            child_birth_date: Set(day(2014, 3, 8).ok_or_else(|| anyhow::anyhow!("a date"))?),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

fn describe(e: ingest::IngestError) -> anyhow::Error {
    match e {
        ingest::IngestError::Invalid(errors) => anyhow::anyhow!("demo data invalid: {errors:?}"),
        other => anyhow::anyhow!("{other}"),
    }
}

/// A valid (11-proef) BSN from a number, for synthetic citizens: the first valid one at or after
/// `800_000_000 + n * 16`.
pub fn synthetic_bsn(n: u64) -> String {
    let mut candidate = 800_000_000 + n * 16;
    loop {
        let digits = format!("{candidate:09}");
        if crate::identity::Bsn::parse(&digits).is_ok() {
            return digits;
        }
        candidate += 1;
    }
}

/// Adds `count` synthetic citizens from a fixed seed, with plausible spreads of records,
/// disclosures and log lines across the demo register. The first one is the benchmark subject:
/// 2,000 records and 300 disclosures. Returns the benchmark subject's BSN.
pub async fn seed_scale(
    db: &DatabaseConnection,
    vault: &Vault,
    count: u64,
) -> anyhow::Result<Option<String>> {
    use rand::{Rng, SeedableRng, rngs::StdRng};
    if count == 0 {
        return Ok(None);
    }
    seed(db, vault).await?;
    let mut rng = StdRng::seed_from_u64(20261122);
    let visible: Vec<ActivityInput> = register()
        .into_iter()
        .filter(|a| a.confidentiality != Confidentiality::Vertrouwelijk)
        .collect();
    let recipients = [
        "Thuiszorg De Zonnebloem B.V.",
        "CAK",
        "Jeugdzorg De Brug",
        "GGD Voorbeeldregio",
        "UWV",
        "Sociale Verzekeringsbank (SVB)",
        "Kredietbank Voorbeeldregio",
        "Veilig Thuis Voorbeeldregio",
    ];
    let id =
        sources::ensure_source(db, "Synthetisch", "Prestatietests", SourceMode::Managed).await?;
    let context = SourceContext {
        id,
        name: "Synthetisch".to_owned(),
        is_admin: false,
    };
    for n in 0..count {
        let bsn = synthetic_bsn(n);
        // Most people have a handful of records; a few have many.
        let (records, disclosures) = if n == 0 {
            (2000, 300)
        } else {
            let r: f64 = rng.r#gen();
            ((r * r * r * 120.0) as usize + 1, rng.gen_range(0..8usize))
        };
        let mut batch = Vec::with_capacity(records);
        for i in 0..records {
            let a = &visible[rng.gen_range(0..visible.len())];
            let year = rng.gen_range(2012..2027);
            batch.push(rec(
                &format!("syn-{n}-{i}"),
                &bsn,
                &a.code,
                &a.data_categories[rng.gen_range(0..a.data_categories.len())],
                &format!("{} ({})", a.name, i + 1),
                &format!(
                    "Vastgelegd gegeven {} voor {}",
                    i + 1,
                    a.name.to_lowercase()
                ),
                at(year, rng.gen_range(1..13), rng.gen_range(1..28)),
                "Consulent, Gemeente Voorbeeldstad",
                a.domain.is_health(),
                day(year + 10, 1, 1),
            ));
        }
        for chunk in batch.chunks(ingest::MAX_BATCH) {
            ingest::upsert_records(db, vault, &context, chunk)
                .await
                .map_err(describe)?;
        }
        let discs: Vec<DisclosureInput> = (0..disclosures)
            .map(|i| {
                let a = &visible[rng.gen_range(0..visible.len())];
                let basis = if a.legal_basis == LegalBasis::Consent {
                    LegalBasis::PublicTask
                } else {
                    a.legal_basis
                };
                dis(
                    &format!("syn-{n}-d{i}"),
                    &bsn,
                    &a.code,
                    recipients[rng.gen_range(0..recipients.len())],
                    None,
                    &["Naam en adres"],
                    &a.purpose,
                    Some(basis),
                    Some(&a.legal_basis_text),
                    None,
                    at(
                        rng.gen_range(2015..2027),
                        rng.gen_range(1..13),
                        rng.gen_range(1..28),
                    ),
                )
            })
            .collect();
        if !discs.is_empty() {
            ingest::upsert_disclosures(db, vault, &context, &discs)
                .await
                .map_err(describe)?;
        }
    }
    // Fresh statistics, so the planner sees thousands of rows rather than an empty table.
    sea_orm::ConnectionTrait::execute_unprepared(db, "ANALYZE").await?;
    Ok(Some(synthetic_bsn(0)))
}

/// Demo requests in every state of the workflow, so the back office and the citizen pages show
/// real cases from the first start: one overdue, one extended, one waiting for approval, one with
/// an open task at a connected source system. Skipped when any request exists.
pub async fn seed_requests(
    db: &DatabaseConnection,
    settings: &crate::settings::Settings,
    vault: &Vault,
) -> anyhow::Result<usize> {
    use crate::requests::{self, Command, Draft, ItemDecision, Kind, StaffActor};
    use sea_orm::{EntityTrait, PaginatorTrait};
    if crate::entities::rights_requests::Entity::find()
        .count(db)
        .await?
        > 0
    {
        return Ok(0);
    }
    // Seeding is not news: no staff notices for the demo's own requests.
    let mut settings = settings.clone();
    settings.mail.staff_recipients.clear();
    let settings = &settings;
    let issuer = settings.staff_oidc.issuer_url.clone();
    let mut staff = Vec::new();
    for person in crate::devidp::personas::STAFF {
        let id = crate::people::staff_logged_in(
            db,
            &issuer,
            person.subject,
            person.name,
            Some(person.email),
            person.roles,
        )
        .await?;
        staff.push(StaffActor {
            id,
            roles: person.roles.to_vec(),
        });
    }
    let (eva, ahmed, ingrid) = (&staff[0], &staff[1], &staff[2]);
    let now = Utc::now();
    let days_ago = |d: i64| now - chrono::Duration::days(d);
    let visibility = crate::transparency::Visibility { health: true };
    let citizen = |bsn: &'static str| async move {
        let bsn = crate::identity::Bsn::parse(bsn).map_err(|e| anyhow::anyhow!("{e}"))?;
        anyhow::Ok(crate::people::find_or_create_citizen(db, vault, &bsn, None).await?)
    };
    let version = |reference: String| async move {
        use sea_orm::{ColumnTrait, QueryFilter};
        let row = crate::entities::rights_requests::Entity::find()
            .filter(crate::entities::rights_requests::Column::Reference.eq(reference))
            .one(db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo request vanished"))?;
        anyhow::Ok(row.version)
    };
    let items = |reference: String| async move {
        use sea_orm::{ColumnTrait, QueryFilter};
        let row = crate::entities::rights_requests::Entity::find()
            .filter(crate::entities::rights_requests::Column::Reference.eq(reference))
            .one(db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo request vanished"))?;
        anyhow::Ok(
            crate::entities::request_items::Entity::find()
                .filter(crate::entities::request_items::Column::RequestId.eq(row.id))
                .all(db)
                .await?
                .into_iter()
                .map(|i| i.id)
                .collect::<Vec<_>>(),
        )
    };
    // (citizen, kind, which record by label fragment, proposal, explanation, received days ago)
    struct Plan {
        bsn: &'static str,
        kind: Kind,
        record: Option<&'static str>,
        proposal: Option<&'static str>,
        explanation: &'static str,
        days: i64,
    }
    let plans = [
        Plan {
            bsn: FATIMA,
            kind: Kind::Access,
            record: None,
            proposal: None,
            explanation: "Ik wil weten wat het wijkteam over mij heeft vastgelegd.",
            days: 2,
        },
        Plan {
            bsn: HANS,
            kind: Kind::Rectification,
            record: Some("Huishoudelijke"),
            proposal: Some("4 uur per week"),
            explanation: "Het aantal uren klopt niet; in het keukentafelgesprek is 4 uur afgesproken.",
            days: 9,
        },
        Plan {
            bsn: SANNE,
            kind: Kind::Objection,
            record: Some("Re-integratie"),
            proposal: None,
            explanation: "Door mijn mantelzorg kan ik het traject nu niet volgen.",
            days: 40,
        },
        Plan {
            bsn: KEES,
            kind: Kind::Erasure,
            record: None,
            proposal: None,
            explanation: "Mijn schuldhulptraject is afgerond.",
            days: 20,
        },
        Plan {
            bsn: WILHELMINA,
            kind: Kind::Erasure,
            record: None,
            proposal: None,
            explanation: "Deze gegevens zijn ouder dan de bewaartermijn.",
            days: 12,
        },
        Plan {
            bsn: NOOR,
            kind: Kind::Restriction,
            record: None,
            proposal: None,
            explanation: "Zolang mijn bezwaar loopt, wil ik niet dat dit wordt gebruikt.",
            days: 15,
        },
        Plan {
            bsn: DAAN,
            kind: Kind::Access,
            record: None,
            proposal: None,
            explanation: "",
            days: 30,
        },
        Plan {
            bsn: HANS,
            kind: Kind::Access,
            record: None,
            proposal: None,
            explanation: "",
            days: 5,
        },
        Plan {
            bsn: FATIMA,
            kind: Kind::Erasure,
            record: Some(""),
            proposal: None,
            explanation: "Ik wil niet dat dit wordt bewaard.",
            days: 25,
        },
        Plan {
            bsn: NOOR,
            kind: Kind::Rectification,
            record: Some("Adres"),
            proposal: Some("Lindelaan 14"),
            explanation: "Het huisnummer is verkeerd.",
            days: 18,
        },
    ];
    let mut references = Vec::new();
    for (n, plan) in plans.iter().enumerate() {
        let citizen_id = citizen(plan.bsn).await?;
        let records = requests::pickable_records(db, citizen_id, visibility).await?;
        let record = plan.record.and_then(|fragment| {
            records
                .iter()
                .find(|r| r.label.contains(fragment))
                .or_else(|| records.first())
        });
        let draft = Draft {
            for_child: None,
            kind: plan.kind,
            all_data: record.is_none(),
            items: record
                .map(|r| vec![(r.id, plan.proposal.map(str::to_owned))])
                .unwrap_or_default(),
            explanation: plan.explanation.to_owned(),
        };
        let submitted = requests::submit(
            db,
            settings,
            citizen_id,
            visibility,
            &requests::Filing {
                draft: &draft,
                token: &format!("demo-{n}"),
                locale: "nl",
            },
            days_ago(plan.days),
        )
        .await?;
        references.push(submitted.reference);
    }
    let at = |d: i64, hours: i64| days_ago(d) + chrono::Duration::hours(hours);
    let act = |who: &StaffActor, reference: &str, command: Command, when| {
        let who = who.clone();
        let reference = reference.to_owned();
        async move {
            let v = version(reference.clone()).await?;
            requests::act(db, settings, &who, &reference, v, command, when).await?;
            anyhow::Ok(())
        }
    };
    let grant_all = |reference: String| async move {
        anyhow::Ok(
            items(reference)
                .await?
                .into_iter()
                .map(|item_id| ItemDecision {
                    item_id,
                    granted: true,
                    ground: None,
                    note: String::new(),
                })
                .collect::<Vec<_>>(),
        )
    };
    // 0 (Fatima, access): just received.
    // 1 (Hans, rectification): in review with Eva.
    act(eva, &references[1], Command::Claim, at(8, 2)).await?;
    // 2 (Sanne, objection): waiting for the citizen, and overdue.
    act(ahmed, &references[2], Command::Claim, at(38, 1)).await?;
    act(
        ahmed,
        &references[2],
        Command::AskInformation(
            "Kunt u aangeven sinds wanneer u mantelzorg geeft en hoeveel uur per week?".to_owned(),
        ),
        at(38, 2),
    )
    .await?;
    // 3 (Kees, erasure): extended.
    act(eva, &references[3], Command::Claim, at(19, 1)).await?;
    act(eva, &references[3], Command::Extend("Uw gegevens staan in drie systemen en een deel moet worden nagevraagd bij de Kredietbank.".to_owned()), at(18, 1)).await?;
    // 4 (Wilhelmina, erasure): decided by Eva, waiting for an approver.
    act(eva, &references[4], Command::Claim, at(11, 1)).await?;
    let decisions = grant_all(references[4].clone()).await?;
    act(
        eva,
        &references[4],
        Command::Decide(decisions, "De bewaartermijn is verstreken.".to_owned()),
        at(10, 1),
    )
    .await?;
    // 5 (Noor, restriction): decided, not yet carried out.
    act(ahmed, &references[5], Command::Claim, at(14, 1)).await?;
    let decisions = grant_all(references[5].clone()).await?;
    act(
        ahmed,
        &references[5],
        Command::Decide(decisions, String::new()),
        at(13, 1),
    )
    .await?;
    // 6 (Daan, access): completed.
    act(eva, &references[6], Command::Claim, at(29, 1)).await?;
    let decisions = grant_all(references[6].clone()).await?;
    act(
        eva,
        &references[6],
        Command::Decide(decisions, "Het overzicht staat in het portaal.".to_owned()),
        at(25, 1),
    )
    .await?;
    act(eva, &references[6], Command::Execute, at(25, 2)).await?;
    // 7 (Hans, access): withdrawn by the citizen.
    let hans = citizen(HANS).await?;
    requests::withdraw(db, hans, &references[7], at(4, 1)).await?;
    // 8 (Fatima, erasure of one item): refused with a ground, approved by Ingrid: rejected.
    act(ahmed, &references[8], Command::Claim, at(24, 1)).await?;
    let decisions = items(references[8].clone())
        .await?
        .into_iter()
        .map(|item_id| ItemDecision {
            item_id,
            granted: false,
            ground: Some("art17_3_b".to_owned()),
            note: "Het wijkteam moet dit verslag bewaren voor de hulpverlening die nog loopt."
                .to_owned(),
        })
        .collect();
    act(
        ahmed,
        &references[8],
        Command::Decide(decisions, String::new()),
        at(22, 1),
    )
    .await?;
    act(ingrid, &references[8], Command::Approve, at(21, 1)).await?;
    // 9 (Noor, rectification of a BRP address): executing, the connected BRP has the task.
    act(eva, &references[9], Command::Claim, at(17, 1)).await?;
    let decisions = grant_all(references[9].clone()).await?;
    act(
        eva,
        &references[9],
        Command::Decide(decisions, String::new()),
        at(16, 1),
    )
    .await?;
    act(eva, &references[9], Command::Execute, at(16, 2)).await?;
    Ok(references.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_bsns_are_valid_and_distinct() {
        let bsns: Vec<String> = (0..200).map(synthetic_bsn).collect();
        assert!(bsns.iter().all(|b| crate::identity::Bsn::parse(b).is_ok()));
        let distinct: std::collections::BTreeSet<_> = bsns.iter().collect();
        assert_eq!(distinct.len(), bsns.len());
    }

    #[test]
    fn the_register_has_what_the_demo_needs() {
        let register = register();
        assert!(register.len() >= 10);
        assert!(
            register
                .iter()
                .any(|a| a.confidentiality == Confidentiality::Vertrouwelijk)
        );
        assert!(
            register
                .iter()
                .any(|a| a.legal_basis_text.contains("Jeugdwet art. 7.4.0"))
        );
    }
}

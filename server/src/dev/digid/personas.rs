//! The test people of the DigiD stand-in. `seed-demo` creates the same citizens in the portal.

use crate::identity::StaffRole;

/// A demo citizen: someone a tester can log in as.
pub struct DemoCitizen {
    /// 11-proef-valid, fictional.
    pub bsn: &'static str,
    /// Name as the BRP would have it.
    pub name: &'static str,
    /// What makes this person interesting to test with.
    pub about: &'static str,
}

/// A demo staff member with roles.
pub struct DemoStaff {
    /// `sub` at the municipality's provider.
    pub subject: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Work address.
    pub email: &'static str,
    /// Roles in the roles claim.
    pub roles: &'static [StaffRole],
}

/// The demo citizens of Gemeente Voorbeeldstad.
pub const CITIZENS: &[DemoCitizen] = &[
    DemoCitizen {
        bsn: "999993653",
        name: "Fatima el Amrani",
        about: "moeder, gezag over Noor (12)",
    },
    DemoCitizen {
        bsn: "725763863",
        name: "Noor el Amrani",
        about: "kind onder 16, jeugdhulp",
    },
    DemoCitizen {
        bsn: "162275869",
        name: "Johannes (Hans) de Vries",
        about: "Wmo: hulp bij het huishouden",
    },
    DemoCitizen {
        bsn: "192285142",
        name: "Sanne Bakker",
        about: "Participatiewet: bijstand",
    },
    DemoCitizen {
        bsn: "691682483",
        name: "Kees Jansen",
        about: "schuldhulpverlening",
    },
    DemoCitizen {
        bsn: "987825707",
        name: "Wilhelmina Smit",
        about: "gegevens over de bewaartermijn",
    },
    DemoCitizen {
        bsn: "688136138",
        name: "Daan Visser",
        about: "vertrouwelijke verwerking",
    },
];

/// The demo staff of Gemeente Voorbeeldstad.
pub const STAFF: &[DemoStaff] = &[
    DemoStaff {
        subject: "mw-0001",
        name: "Eva de Boer",
        email: "e.deboer@voorbeeldstad.example",
        roles: &[StaffRole::Handler],
    },
    DemoStaff {
        subject: "mw-0002",
        name: "Ahmed Yilmaz",
        email: "a.yilmaz@voorbeeldstad.example",
        roles: &[StaffRole::Handler],
    },
    DemoStaff {
        subject: "mw-0003",
        name: "Ingrid Mulder",
        email: "i.mulder@voorbeeldstad.example",
        roles: &[StaffRole::Approver],
    },
    DemoStaff {
        subject: "mw-0004",
        name: "Pieter van Dam",
        email: "p.vandam@voorbeeldstad.example",
        roles: &[StaffRole::PrivacyOfficer],
    },
    DemoStaff {
        subject: "mw-0005",
        name: "Lotte Hendriks",
        email: "l.hendriks@voorbeeldstad.example",
        roles: &[StaffRole::Admin],
    },
    DemoStaff {
        subject: "mw-0099",
        name: "Tom Gast (geen rol)",
        email: "t.gast@voorbeeldstad.example",
        roles: &[],
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Bsn;

    #[test]
    fn every_demo_bsn_passes_the_elfproef() {
        for citizen in CITIZENS {
            assert!(Bsn::parse(citizen.bsn).is_ok(), "{}", citizen.name);
        }
    }
}

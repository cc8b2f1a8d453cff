//! The demo municipality as tests meet it: who its people are, seeding it, and finding them.

use server::platform::crypto::Vault;

use super::TestApp;

/// Fatima el Amrani: the stand-in's default citizen, and Noor's mother.
pub const FATIMA: &str = "999993653";
/// Hans: Wmo client, so his data includes health data behind Substantieel.
pub const HANS: &str = "162275869";
/// Kees: debt counselling, whose records an erasure can reach.
pub const KEES: &str = "691682483";
/// Noor: Fatima's child (12), for filing on someone's behalf.
pub const NOOR: &str = "725763863";
/// Sanne: has a disclosure without a legal basis.
pub const SANNE: &str = "192285142";
/// Daan: subject of a confidential processing that must never show.
pub const DAAN: &str = "688136138";

/// Eva de Boer, handler.
pub const EVA: &str = "mw-0001";
/// The privacy officer: reads every request, changes none.
pub const PRIVACY_OFFICER: &str = "mw-0004";
/// An administrator: sees the mail queue, no requests.
pub const ADMIN: &str = "mw-0005";
/// A staff member the municipality knows but gave no role.
pub const NO_ROLE: &str = "mw-0099";

/// This app's vault, to pseudonymise BSNs the way the app does.
pub fn vault(app: &TestApp) -> Vault {
    Vault::new(&app.settings.secrets).unwrap()
}

/// Seeds the demo municipality (people, register, records) and hands back the vault it used.
pub async fn seed_demo(app: &TestApp) -> Vault {
    let vault = vault(app);
    server::dev::demo::seed(&app.db, &vault).await.unwrap();
    vault
}

/// The demo plus its requests in every status, for tests that walk all of them.
pub async fn seed_demo_with_requests(app: &TestApp) -> Vault {
    let vault = seed_demo(app).await;
    server::dev::demo::seed_requests(&app.db, &app.settings, &vault)
        .await
        .unwrap();
    vault
}

/// The citizen id behind a BSN (created when the demo has no such person yet).
pub async fn citizen_id(app: &TestApp, vault: &Vault, bsn: &str) -> i64 {
    let bsn = server::identity::Bsn::parse(bsn).unwrap();
    server::identity::people::find_or_create_citizen(&app.db, vault, &bsn, None)
        .await
        .unwrap()
}

//! Logging in through the DigiD stand-in, as a citizen or a staff member, the way a browser does.

use reqwest::{Response, StatusCode};

use super::{Browser, location};

/// Login choices at the stand-in.
pub struct Login<'a> {
    pub persoon: &'a str,
    pub bsn: &'a str,
    pub niveau: &'a str,
    pub fout: &'a str,
    pub actie: &'a str,
}

impl Default for Login<'_> {
    fn default() -> Self {
        Self {
            persoon: "999993653",
            bsn: "",
            niveau: "substantieel",
            fout: "none",
            actie: "inloggen",
        }
    }
}

/// Starts a login at `start`, fills the stand-in's form with `choices` and returns the
/// stand-in's answer (a redirect to the callback, or the form again with an error).
pub async fn submit_at_stand_in(
    browser: &mut Browser,
    start: &str,
    choices: &[(&str, &str)],
) -> Response {
    let to_idp = location(&browser.get(start).await);
    assert!(to_idp.contains("/dev/digid/authorize?"), "{to_idp}");
    assert!(
        to_idp.contains("code_challenge_method=S256"),
        "PKCE S256: {to_idp}"
    );
    assert_eq!(browser.get(&to_idp).await.status(), StatusCode::OK);
    let query: Vec<(String, String)> = url::Url::parse(&to_idp)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    let mut form: Vec<(&str, &str)> = query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    form.extend_from_slice(choices);
    browser.post("/dev/digid/authorize", &form).await
}

/// Runs a citizen login through the stand-in up to the portal's answer to the callback.
pub async fn citizen_login(browser: &mut Browser, login: Login<'_>) -> Response {
    let choices = [
        ("persoon", login.persoon),
        ("bsn", login.bsn),
        ("niveau", login.niveau),
        ("fout", login.fout),
        ("actie", login.actie),
    ];
    let back = submit_at_stand_in(browser, "/inloggen", &choices).await;
    if !back.status().is_redirection() {
        return back;
    }
    let callback = location(&back);
    browser.get(&callback).await
}

/// Runs a staff login through the stand-in up to the portal's answer to the callback.
pub async fn staff_login(browser: &mut Browser, subject: &str, fout: &str) -> Response {
    let choices = [
        ("medewerker", subject),
        ("fout", fout),
        ("actie", "inloggen"),
    ];
    let back = submit_at_stand_in(browser, "/backoffice/inloggen", &choices).await;
    let callback = location(&back);
    browser.get(&callback).await
}

impl super::TestApp {
    /// A browser of the citizen `bsn`, logged in at Substantieel (the level most pages need).
    pub async fn citizen(&self, bsn: &str) -> Browser {
        self.citizen_at(bsn, "substantieel").await
    }

    /// A browser of the citizen `bsn`, logged in at `niveau`; a failed login stops the test here
    /// rather than three assertions later on a page it was never allowed to see.
    pub async fn citizen_at(&self, bsn: &str, niveau: &str) -> Browser {
        let mut browser = self.browser();
        let callback = citizen_login(
            &mut browser,
            Login {
                persoon: bsn,
                niveau,
                ..Login::default()
            },
        )
        .await;
        assert_eq!(location(&callback), "/overzicht", "login of {bsn}");
        browser
    }

    /// A staff member's browser, logged in to the back office; as with citizens, a refused
    /// login stops the test here.
    pub async fn staff(&self, subject: &str) -> Browser {
        let mut browser = self.browser();
        let callback = staff_login(&mut browser, subject, "none").await;
        assert_eq!(location(&callback), "/backoffice", "login of {subject}");
        browser
    }

    /// A fresh browser and the portal's answer to its login, for tests about the login itself.
    pub async fn try_citizen_login(&self, login: Login<'_>) -> (Browser, Response) {
        let mut browser = self.browser();
        let callback = citizen_login(&mut browser, login).await;
        (browser, callback)
    }
}

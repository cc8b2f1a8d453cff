//! `Settings::validate` refuses with the name of the setting at fault; each test says which.

use super::*;
use types::AssuranceLevel;

fn production() -> Settings {
    let mut s = Settings {
        mode: Mode::Production,
        public_base_url: "https://inzage.example.nl".to_owned(),
        ..Settings::default()
    };
    s.secrets.data_key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".into();
    s.secrets.pseudonym_key = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=".into();
    s.secrets.audit_signing_key = "YXVkaXQta2V5LW9mLXRoZS1tdW5pY2lwYWxpdHktLS0=".into();
    s.oidc.client_secret = "real".into();
    s.oidc.issuer_url = "https://broker.example.nl".to_owned();
    s.staff_oidc.client_secret = "real too".into();
    s.staff_oidc.issuer_url = "https://login.example.nl".to_owned();
    s.mail.transport = MailTransportKind::Smtp;
    s.mail.smtp_host = "smtp.example.nl".to_owned();
    s.mail.smtp_tls = SmtpTls::Starttls;
    s
}

fn refused(s: &Settings) -> &'static str {
    match s.validate() {
        Err(SettingsError::Invalid { setting, .. }) => setting,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn defaults_are_valid_for_development() {
    Settings::default().validate().unwrap();
}

#[test]
fn a_safe_production_configuration_is_accepted() {
    production().validate().unwrap();
}

#[test]
fn production_refuses_the_dev_idp() {
    let mut s = production();
    s.dev_idp.enabled = true;
    assert_eq!(refused(&s), "dev_idp.enabled");
}

#[test]
fn production_refuses_insecure_cookies() {
    let mut s = production();
    s.session.cookie_secure = false;
    assert_eq!(refused(&s), "session.cookie_secure");
}

#[test]
fn production_refuses_each_default_secret() {
    let mut s = production();
    s.secrets.data_key = dev_defaults::DATA_KEY.into();
    assert_eq!(refused(&s), "secrets.data_key");
    let mut s = production();
    s.oidc.client_secret = dev_defaults::CITIZEN_CLIENT_SECRET.into();
    assert_eq!(refused(&s), "oidc.client_secret");
    let mut s = production();
    s.staff_oidc.client_secret = dev_defaults::STAFF_CLIENT_SECRET.into();
    assert_eq!(refused(&s), "staff_oidc.client_secret");
    // Checkpoints signed with a key anyone can read prove nothing.
    let mut s = production();
    s.secrets.audit_signing_key = dev_defaults::AUDIT_SIGNING_KEY.into();
    assert_eq!(refused(&s), "secrets.audit_signing_key");
}

#[test]
fn the_audit_key_and_the_limits_must_be_usable() {
    let mut s = Settings::default();
    s.secrets.audit_signing_key = "dG9vIHNob3J0".into();
    assert_eq!(refused(&s), "secrets.audit_signing_key");
    let mut s = Settings::default();
    s.limits.pdf_per_minute = 0;
    assert_eq!(refused(&s), "limits.pdf_per_minute");
    let mut s = Settings::default();
    s.audit.seal_every_seconds = 0;
    assert_eq!(refused(&s), "audit.seal_every_seconds");
}

#[test]
fn production_refuses_plain_http() {
    let mut s = production();
    s.public_base_url = "http://inzage.example.nl".to_owned();
    assert_eq!(refused(&s), "public_base_url");
}

#[test]
fn insecure_cookies_only_on_local_http_in_dev() {
    let mut s = Settings::default();
    s.session.cookie_secure = false;
    s.validate().unwrap();
    s.public_base_url = "http://portal.example.nl".to_owned();
    assert_eq!(refused(&s), "session.cookie_secure");
}

#[test]
fn production_mail_goes_over_smtp_with_tls() {
    let mut s = production();
    s.mail.transport = MailTransportKind::File;
    assert_eq!(refused(&s), "mail.transport");
    let mut s = production();
    s.mail.smtp_tls = SmtpTls::None;
    assert_eq!(refused(&s), "mail.smtp_tls");
}

#[test]
fn the_stand_in_stays_on_localhost_unless_allowed() {
    let mut s = Settings {
        public_base_url: "https://test.voorbeeldstad.example".to_owned(),
        ..Settings::default()
    };
    s.dev_idp.enabled = true;
    assert_eq!(refused(&s), "dev_idp.enabled");
    assert!(!s.dev_tools_allowed());
    s.dev_idp.allow_remote = true;
    s.validate().unwrap();
    assert!(s.dev_idp_enabled());
}

#[test]
fn a_bad_key_is_named() {
    let mut s = Settings::default();
    s.secrets.pseudonym_key = "too short".into();
    assert_eq!(refused(&s), "secrets.pseudonym_key");
}

#[test]
// figment's Jail fixes the closure's error type; its size is not ours to choose.
#[allow(clippy::result_large_err)]
fn environment_overrides_nested_settings() {
    figment::Jail::expect_with(|jail| {
        jail.set_env("INZAGE_MODE", "production");
        jail.set_env("INZAGE_DEV_IDP__ENABLED", "true");
        let err = Settings::from_figment(
            Figment::from(Serialized::defaults(Settings::default()))
                .merge(Env::prefixed("INZAGE_").split("__")),
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("dev_idp.enabled"), "{err}");
        Ok(())
    });
}

#[test]
fn redacted_output_has_no_secrets() {
    let s = production();
    let out = s.redacted();
    assert!(!out.contains("real too"));
    assert!(out.contains("[redacted]"));
}

#[test]
fn production_refuses_weak_levels_shared_keys_and_long_sessions() {
    let mut s = production();
    s.secrets.pseudonym_key = s.secrets.data_key.clone();
    assert_eq!(refused(&s), "secrets.pseudonym_key");
    let mut s = production();
    s.oidc.min_level = AssuranceLevel::Basis;
    s.oidc.health_data_level = AssuranceLevel::Substantieel;
    assert_eq!(refused(&s), "oidc.min_level");
    let mut s = production();
    s.oidc.health_data_level = AssuranceLevel::Midden;
    assert_eq!(refused(&s), "oidc.health_data_level");
    // Unless the municipality says so explicitly.
    s.oidc.allow_health_data_below_substantieel = true;
    s.validate().unwrap();
    let mut s = production();
    s.session.idle_timeout_minutes = 16;
    assert_eq!(refused(&s), "session.idle_timeout_minutes");
    // Development may do all of it.
    let mut dev = Settings::default();
    dev.oidc.min_level = AssuranceLevel::Basis;
    dev.session.idle_timeout_minutes = 60;
    dev.validate().unwrap();
}

#[test]
// figment's Jail fixes the closure's error type; its size is not ours to choose.
#[allow(clippy::result_large_err)]
fn a_public_address_must_state_its_mode() {
    figment::Jail::expect_with(|jail| {
        // Local, unstated: development.
        let local = Settings::load(std::path::Path::new("absent.toml")).unwrap();
        assert_eq!(local.mode, Mode::Dev);
        // Public https, unstated: refused, naming `mode`.
        jail.set_env("INZAGE_PUBLIC_BASE_URL", "https://inzage.example.nl");
        let err = Settings::load(std::path::Path::new("absent.toml")).unwrap_err();
        assert!(err.to_string().starts_with("mode:"), "{err}");
        // Stated as dev in the file: taken as stated.
        jail.create_file("inzage.toml", "mode = \"dev\"\n")?;
        let stated = Settings::load(std::path::Path::new("inzage.toml"));
        assert!(
            !matches!(
                stated,
                Err(SettingsError::Invalid {
                    setting: "mode",
                    ..
                })
            ),
            "{stated:?}"
        );
        Ok(())
    });
}

#[test]
fn production_staff_logins_need_a_second_factor() {
    let mut s = production();
    s.staff_oidc.required_amr.clear();
    assert_eq!(refused(&s), "staff_oidc.required_amr");
    s.staff_oidc.required_acr = vec!["urn:gemeente:loa:mfa".to_owned()];
    s.validate().unwrap();
}

#[test]
fn a_theme_names_one_class_and_a_tokens_file_that_exists() {
    let mut s = Settings::default();
    s.theme.class_name = "gemeente-theme\" onload=\"x".to_owned();
    assert_eq!(refused(&s), "theme.class_name");
    let mut s = Settings::default();
    s.theme.tokens_css = Some("/nonexistent/tokens.css".into());
    assert_eq!(refused(&s), "theme.tokens_css");
}

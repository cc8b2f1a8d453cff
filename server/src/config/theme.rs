//! The look of the portal: NL Design System design tokens, swapped by configuration.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{SettingsError, invalid};

/// Which design tokens the pages use. The components (NL Design System's CSS, compiled into
/// the stylesheet) read their colours, type and spacing from these tokens, so a municipality
/// points the portal at its own tokens file and restarts it: no rebuild.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct ThemeSettings {
    /// A tokens CSS file (as a municipality's design-tokens package builds it), read at start;
    /// unset: the NL Design System example theme (`@nl-design-system-unstable/voorbeeld-design-tokens`).
    pub tokens_css: Option<PathBuf>,
    /// The class the tokens file scopes its variables to (`voorbeeld-theme`, `utrecht-theme`,
    /// `denhaag-theme`, …), set on every page's `<body>`.
    pub class_name: String,
}

impl ThemeSettings {
    pub(super) fn defaults() -> Self {
        Self {
            tokens_css: None,
            class_name: "voorbeeld-theme".to_owned(),
        }
    }

    /// A class name that fits in an HTML attribute, and a tokens file that can be read.
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        let name = &self.class_name;
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(invalid(
                "theme.class_name",
                "must be one CSS class name (letters, digits, - and _)",
            ));
        }
        if let Some(path) = &self.tokens_css
            && let Err(e) = std::fs::metadata(path)
        {
            return Err(invalid(
                "theme.tokens_css",
                format!("cannot read {}: {e}", path.display()),
            ));
        }
        Ok(())
    }
}

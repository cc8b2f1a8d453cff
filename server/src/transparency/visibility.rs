//! What a login may see: confidential activities never, health data (Wmo, Jeugd, or anything
//! marked special-category) only from `oidc.health_data_level` up.

use crate::entities::processing_activities;
use types::Confidentiality;

/// What the citizen may see at this login.
#[derive(Clone, Copy, Debug)]
pub struct Visibility {
    /// Whether health (special-category) data may be shown.
    pub health: bool,
}

impl Visibility {
    /// What a login at `level` may see under these settings.
    pub fn at(settings: &crate::config::Settings, level: crate::identity::AssuranceLevel) -> Self {
        Self {
            health: level >= settings.oidc.health_data_level,
        }
    }
}

/// Whether an item under `activity` may be shown: `None` hides it, `Some(false)` withholds it.
fn shown(
    activity: Option<&processing_activities::Model>,
    special: bool,
    visibility: Visibility,
) -> Option<bool> {
    let activity = activity?;
    if activity.confidentiality == Confidentiality::Vertrouwelijk {
        return None;
    }
    let health = special || activity.domain.is_health();
    Some(!health || visibility.health)
}

/// Goes through a page's items with one login's [`Visibility`] and counts what it withholds:
/// every page tells the citizen how much a higher login level would show, and nothing about
/// confidential activities.
pub(super) struct Screen {
    visibility: Visibility,
    withheld: usize,
}

impl Screen {
    /// A screen for one page at this login.
    pub(super) fn new(visibility: Visibility) -> Self {
        Self {
            visibility,
            withheld: 0,
        }
    }

    /// The activity of `n` items under `activity`, when they may be shown. Items the login level
    /// may not see are counted as withheld; confidential or unknown activities are passed over.
    pub(super) fn admit<'a>(
        &mut self,
        activity: Option<&'a processing_activities::Model>,
        special: bool,
        n: usize,
    ) -> Option<&'a processing_activities::Model> {
        match shown(activity, special, self.visibility)? {
            true => activity,
            false => {
                self.withheld += n;
                None
            }
        }
    }

    /// How many items were withheld for the login level.
    pub(super) fn withheld(&self) -> usize {
        self.withheld
    }
}

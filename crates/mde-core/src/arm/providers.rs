//! `Microsoft.Resources` providers: whether a subscription is registered for a namespace.

use serde::{Deserialize, Serialize};

/// A resource provider as one subscription sees it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Provider {
    #[serde(default)]
    pub namespace: Option<String>,
    /// `NotRegistered`, `Registering`, `Registered`, `Unregistering`.
    #[serde(default)]
    pub registration_state: Option<String>,
}

impl Provider {
    pub fn registered(&self) -> bool {
        self.registration_state.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("Registered"))
    }
}

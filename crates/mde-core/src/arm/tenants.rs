//! `GET /tenants`: the directories the signed-in user belongs to.

use serde::{Deserialize, Serialize};

/// One Entra ID tenant the user can work in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    pub tenant_id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub default_domain: Option<String>,
}

impl Tenant {
    /// What to call the tenant on screen: its name, else its domain, else its id.
    pub fn label(&self) -> &str {
        self.display_name.as_deref().or(self.default_domain.as_deref()).unwrap_or(&self.tenant_id)
    }
}

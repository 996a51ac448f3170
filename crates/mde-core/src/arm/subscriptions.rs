//! `GET /subscriptions`: every subscription the user can see in the token's tenant.

use serde::{Deserialize, Serialize};

use super::common::null_as_default;

/// One Azure subscription. Only its id is needed; ARM may leave the rest out or write `null`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    pub subscription_id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub display_name: String,
    #[serde(default)]
    pub tenant_id: Option<String>,
    /// `Enabled`, `Warned`, `PastDue`, `Disabled` or `Deleted` (kept as text: ARM may add more).
    #[serde(default, deserialize_with = "null_as_default")]
    pub state: String,
}

impl Subscription {
    /// Only an `Enabled` subscription accepts changes.
    pub fn is_enabled(&self) -> bool {
        self.state.eq_ignore_ascii_case("Enabled")
    }
}

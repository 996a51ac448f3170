//! `Microsoft.Security/pricings`: the Defender plans; `VirtualMachines` is Defender for Servers.

use serde::{Deserialize, Serialize};

/// The pricing name of Defender for Servers.
pub const VIRTUAL_MACHINES: &str = "VirtualMachines";

/// One Defender plan of a subscription (or of a resource).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pricing {
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    pub properties: PricingProperties,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PricingProperties {
    /// `Free` or `Standard`.
    pub pricing_tier: String,
    /// `P1` or `P2` for Defender for Servers; absent on other plans.
    #[serde(default)]
    pub sub_plan: Option<String>,
}

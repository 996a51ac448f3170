//! `Microsoft.Security/settings`: the switches behind the Defender for Endpoint integration.

use serde::{Deserialize, Serialize};

/// The integration itself (Windows, and Linux for subscriptions that never enabled it before).
pub const WDATP: &str = "WDATP";
/// Inverted: `enabled: true` means Linux machines are EXCLUDED from the integration.
pub const WDATP_EXCLUDE_LINUX: &str = "WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW";
/// The unified agent for Windows Server 2012 R2 and 2016.
pub const WDATP_UNIFIED_SOLUTION: &str = "WDATP_UNIFIED_SOLUTION";

/// One data-export or alert-sync setting of a subscription.
///
/// Names are open-ended (`MCAS`, `Sentinel`, `WDATP_VNEXT`, ...): the app reads the ones it
/// knows and leaves the rest untouched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Setting {
    pub name: String,
    /// `DataExportSettings` for the WDATP family, `AlertSyncSettings` for `Sentinel`.
    #[serde(default)]
    pub kind: Option<String>,
    pub properties: SettingProperties,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingProperties {
    pub enabled: bool,
}

/// The body of `PUT .../settings/{name}`.
pub fn put_body(name: &str, enabled: bool) -> serde_json::Value {
    let kind = if name == "Sentinel" { "AlertSyncSettings" } else { "DataExportSettings" };
    serde_json::json!({ "kind": kind, "properties": { "enabled": enabled } })
}

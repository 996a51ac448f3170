//! The built-in roles that grant what the app does, in words a refusal can show. A leaf: the
//! error, plan and readiness modules all say them, and it imports none of them.

/// Seed, "Required roles and permissions": to enable or disable the integration.
pub const ENABLE_ROLES: &str = "Security Admin or Owner";

/// Seed, "Required roles and permissions": to view Defender for Endpoint alerts in Defender for Cloud.
pub const ALERT_ROLES: &str = "Security Reader, Reader, Resource Group Contributor, Resource Group Owner, Security Admin, Subscription Owner or Subscription Contributor";

/// Both requirements in one sentence, for readiness checks and refusals.
pub fn roles() -> String {
    format!("Turning the integration on or off takes {ENABLE_ROLES}; seeing Defender for Endpoint alerts takes {ALERT_ROLES}.")
}

/// What a refusal of `action` adds about the seed's roles: the integration's switches want
/// Security Admin or Owner, alerts want one of the alert roles. `None` for other actions.
pub fn roles_for_refused(action: &str) -> Option<String> {
    let action = action.to_ascii_lowercase();
    if action.starts_with("microsoft.security/settings/") || action.starts_with("microsoft.security/pricings/") {
        Some(roles())
    } else if action.starts_with("microsoft.security/alerts/") {
        Some(format!("Seeing Defender for Endpoint alerts takes {ALERT_ROLES}."))
    } else {
        None
    }
}

/// Built-in roles that grant an action the app needs (from Azure's built-in role definitions).
pub fn roles_for(action: &str) -> &'static str {
    let action = action.to_ascii_lowercase();
    if action.starts_with("microsoft.security/") && action.ends_with("/read") {
        "Security Reader, Reader, Security Admin, Contributor or Owner"
    } else if action.starts_with("microsoft.security/") {
        "Security Admin, Contributor or Owner"
    } else if action.starts_with("microsoft.resources/tags/") {
        "Tag Contributor, Contributor or Owner"
    } else if action.starts_with("microsoft.compute/") {
        "Virtual Machine Contributor, Contributor or Owner"
    } else if action.starts_with("microsoft.hybridcompute/") {
        "Azure Connected Machine Resource Administrator, Contributor or Owner"
    } else if action.ends_with("/read") {
        "Reader, Contributor or Owner"
    } else {
        "Contributor or Owner"
    }
}

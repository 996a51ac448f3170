//! Changes to a subscription's integration: what the user asks for, what it takes (which
//! settings to PUT), whether it can work now (readiness), and how to show it for review.

use crate::api;
use crate::arm::settings::{self, WDATP, WDATP_EXCLUDE_LINUX, WDATP_UNIFIED_SOLUTION};
use crate::cloud::Cloud;
use crate::status::{IntegrationParts, ServersPlan};

/// What the user asks for on one subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// Turn the integration (WDATP) on or off.
    Integration(bool),
    /// Turn Linux on (only the whole integration can turn it off).
    LinuxOn,
    /// Deploy the unified solution to Windows Server 2012 R2 and 2016.
    UnifiedOn,
    /// Turn on whatever a Partial subscription is missing.
    Fix,
}

/// One setting to write.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingChange {
    pub subscription_id: String,
    /// The setting's name, e.g. `WDATP`.
    pub setting: String,
    /// The value of `properties.enabled` to PUT (inverted for the Linux exclusion).
    pub enabled: bool,
}

impl SettingChange {
    /// What this does, in the words of the portal.
    pub fn describe(&self) -> String {
        match (self.setting.as_str(), self.enabled) {
            (WDATP, true) => "Turn the Defender for Endpoint integration on (WDATP = true)".into(),
            (WDATP, false) => "Turn the Defender for Endpoint integration off (WDATP = false)".into(),
            (WDATP_EXCLUDE_LINUX, false) => format!("Include Linux machines ({WDATP_EXCLUDE_LINUX} = false)"),
            (WDATP_EXCLUDE_LINUX, true) => format!("Exclude Linux machines ({WDATP_EXCLUDE_LINUX} = true)"),
            (WDATP_UNIFIED_SOLUTION, true) => {
                format!(
                    "Deploy the unified solution to Windows Server 2012 R2 and 2016 ({WDATP_UNIFIED_SOLUTION} = true)"
                )
            }
            (name, enabled) => format!("Set {name} to {enabled}"),
        }
    }

    /// Whether this starts onboarding machines (Linux on is the exclusion set to false).
    pub fn turns_on(&self) -> bool {
        self.enabled != (self.setting == WDATP_EXCLUDE_LINUX)
    }

    /// The ARM path (with api-version) this change PUTs to.
    pub fn path(&self) -> String {
        api::setting(&self.subscription_id, &self.setting)
    }

    pub fn body(&self) -> serde_json::Value {
        settings::put_body(&self.setting, self.enabled)
    }

    /// The REST call, as one would paste it into a change request.
    pub fn rest(&self, arm_url: &str) -> String {
        format!(
            "PUT {}{}\nContent-Type: application/json\n\n{}",
            arm_url.trim_end_matches('/'),
            self.path(),
            self.body()
        )
    }

    /// The Azure CLI command that does the same, safe to paste into bash whatever the id
    /// holds (ARM's ids are data, quoted by [`crate::quote::sh_quote`]). The CLI's settings
    /// commands take the setting's kind as the name of its properties argument
    /// (`--data-export-settings enabled=true`, `--alert-sync-settings` for Sentinel): azure-cli
    /// removed `--setting-kind` and `--enabled` (Azure/azure-cli#28535).
    pub fn az(&self) -> String {
        use crate::quote::sh_quote;
        let properties = match self.body()["kind"].as_str() {
            Some("AlertSyncSettings") => "--alert-sync-settings",
            _ => "--data-export-settings",
        };
        format!(
            "az security setting update --subscription={} --name {} {properties} enabled={}",
            sh_quote(&self.subscription_id),
            sh_quote(&self.setting),
            self.enabled
        )
    }
}

/// Why a change cannot be made now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotReady {
    CloudUnsupported(String),
    /// Disabled, Expired or Deleted: Azure keeps the subscription read-only.
    SubscriptionReadOnly(String),
    NoServersPlan,
    NoPermission,
    /// The settings or permissions are still loading, or failed to load.
    Unknown,
    /// The change is not something the integration allows (e.g. Linux off alone).
    NotAllowed(&'static str),
    /// Nothing to change.
    AlreadyDone,
}

impl NotReady {
    pub fn reason(&self) -> String {
        match self {
            NotReady::CloudUnsupported(why) => why.clone(),
            NotReady::SubscriptionReadOnly(state) => match state.to_ascii_lowercase().as_str() {
                "disabled" => "The subscription is Disabled (payment or spending limit): Azure keeps it read-only until its account administrator re-enables it.".into(),
                "expired" => "The subscription has Expired: Azure keeps it read-only; renew or reactivate it in Cost Management + Billing first.".into(),
                "deleted" => "The subscription is Deleted: nothing can change in it.".into(),
                _ => format!("The subscription is {state}: Azure keeps it read-only."),
            },
            NotReady::NoServersPlan => {
                "Defender for Servers is off: turn on Plan 1 or Plan 2 for this subscription first.".into()
            }
            NotReady::NoPermission => {
                "You may not change this subscription: it takes Security Admin or Owner (Microsoft.Security/settings/write).".into()
            }
            NotReady::Unknown => "The subscription's settings or your permissions are not known yet.".into(),
            NotReady::NotAllowed(why) => why.to_string(),
            NotReady::AlreadyDone => "Already so: nothing to change.".into(),
        }
    }
}

/// What is known about a subscription when a change is considered.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub cloud: &'a Cloud,
    pub subscription_id: &'a str,
    pub subscription_state: &'a str,
    pub parts: Option<IntegrationParts>,
    pub plan: Option<ServersPlan>,
    pub can_change: Option<bool>,
}

/// Linux can only be turned off together with the whole integration (seed, Linux section).
pub const LINUX_OFF_RULE: &str =
    "Linux cannot be turned off on its own: turn the whole integration off, which stops onboarding Windows and Linux machines.";
pub const UNIFIED_OFF_RULE: &str =
    "The unified solution cannot be turned off on its own: turn the whole integration off instead.";

/// Whether a subscription in this state accepts writes: Enabled, Warned and PastDue do;
/// Disabled, Expired and Deleted are read-only.
pub fn writable(subscription_state: &str) -> bool {
    !["Disabled", "Expired", "Deleted"].iter().any(|s| s.eq_ignore_ascii_case(subscription_state))
}

/// The settings to PUT for `intent`, or why it cannot be done now.
pub fn plan(intent: Intent, facts: &Facts<'_>) -> Result<Vec<SettingChange>, NotReady> {
    if let Some(why) = facts.cloud.unsupported_reason() {
        return Err(NotReady::CloudUnsupported(why.into()));
    }
    if !writable(facts.subscription_state) {
        return Err(NotReady::SubscriptionReadOnly(facts.subscription_state.to_string()));
    }
    let (Some(parts), Some(can_change)) = (facts.parts, facts.can_change) else {
        return Err(NotReady::Unknown);
    };
    if !can_change {
        return Err(NotReady::NoPermission);
    }
    let turning_on = !matches!(intent, Intent::Integration(false));
    if turning_on && !facts.plan.is_some_and(ServersPlan::allows_integration) {
        return Err(if facts.plan.is_none() { NotReady::Unknown } else { NotReady::NoServersPlan });
    }
    let change = |setting: &str, enabled| SettingChange {
        subscription_id: facts.subscription_id.to_string(),
        setting: setting.to_string(),
        enabled,
    };
    let mut changes = Vec::new();
    let wants_integration = turning_on;
    if parts.integration != wants_integration {
        changes.push(change(WDATP, wants_integration));
    }
    match intent {
        Intent::LinuxOn if !parts.linux => changes.push(change(WDATP_EXCLUDE_LINUX, false)),
        Intent::UnifiedOn if !parts.unified => changes.push(change(WDATP_UNIFIED_SOLUTION, true)),
        Intent::Fix => {
            if !parts.linux {
                changes.push(change(WDATP_EXCLUDE_LINUX, false));
            }
            if !parts.unified {
                changes.push(change(WDATP_UNIFIED_SOLUTION, true));
            }
        }
        _ => {}
    }
    if changes.is_empty() {
        Err(NotReady::AlreadyDone)
    } else {
        Ok(changes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(
        parts: IntegrationParts,
        plan: ServersPlan,
        can_change: bool,
        state: &'static str,
        cloud: &'static Cloud,
    ) -> Facts<'static> {
        Facts {
            cloud,
            subscription_id: "sub-1",
            subscription_state: state,
            parts: Some(parts),
            plan: Some(plan),
            can_change: Some(can_change),
        }
    }

    fn names(changes: &[SettingChange]) -> Vec<(String, bool)> {
        changes.iter().map(|c| (c.setting.clone(), c.enabled)).collect()
    }

    const PARTIAL: IntegrationParts = IntegrationParts { integration: true, linux: false, unified: false };
    const OFF: IntegrationParts = IntegrationParts { integration: false, linux: true, unified: false };

    fn public() -> &'static Cloud {
        Box::leak(Box::new(Cloud::public()))
    }

    #[test]
    fn fix_turns_on_exactly_what_is_missing() {
        let f = facts(PARTIAL, ServersPlan::P2, true, "Enabled", public());
        assert_eq!(
            names(&plan(Intent::Fix, &f).unwrap()),
            [(WDATP_EXCLUDE_LINUX.into(), false), (WDATP_UNIFIED_SOLUTION.into(), true)]
        );
        let on = IntegrationParts { integration: true, linux: true, unified: true };
        assert_eq!(
            plan(Intent::Fix, &facts(on, ServersPlan::P2, true, "Enabled", public())),
            Err(NotReady::AlreadyDone)
        );
    }

    #[test]
    fn linux_on_also_turns_the_integration_on() {
        let f = facts(IntegrationParts { linux: false, ..OFF }, ServersPlan::P1, true, "Enabled", public());
        assert_eq!(
            names(&plan(Intent::LinuxOn, &f).unwrap()),
            [(WDATP.into(), true), (WDATP_EXCLUDE_LINUX.into(), false)]
        );
    }

    #[test]
    fn readiness_refusals() {
        let china: &'static Cloud = Box::leak(Box::new(Cloud::known("AzureChinaCloud").unwrap()));
        assert!(matches!(
            plan(Intent::Fix, &facts(PARTIAL, ServersPlan::P2, true, "Enabled", china)),
            Err(NotReady::CloudUnsupported(_))
        ));
        for state in ["Disabled", "Expired", "Deleted"] {
            assert_eq!(
                plan(Intent::Fix, &facts(PARTIAL, ServersPlan::P2, true, state, public())),
                Err(NotReady::SubscriptionReadOnly(state.into()))
            );
        }
        // Warned and PastDue subscriptions still take changes.
        for state in ["Warned", "PastDue", "Enabled"] {
            assert!(plan(Intent::Fix, &facts(PARTIAL, ServersPlan::P2, true, state, public())).is_ok(), "{state}");
        }
        assert!(NotReady::SubscriptionReadOnly("Expired".into()).reason().contains("Cost Management + Billing"));
        assert_eq!(
            plan(Intent::Fix, &facts(PARTIAL, ServersPlan::Off, true, "Enabled", public())),
            Err(NotReady::NoServersPlan)
        );
        assert_eq!(
            plan(Intent::Fix, &facts(PARTIAL, ServersPlan::P2, false, "Enabled", public())),
            Err(NotReady::NoPermission)
        );
        // Turning off needs no plan: a subscription whose plan lapsed can still be turned off.
        assert_eq!(
            names(
                &plan(Intent::Integration(false), &facts(PARTIAL, ServersPlan::Off, true, "Enabled", public()))
                    .unwrap()
            ),
            [(WDATP.into(), false)]
        );
    }

    #[test]
    fn previews() {
        let c = SettingChange { subscription_id: "sub-1".into(), setting: WDATP_EXCLUDE_LINUX.into(), enabled: false };
        assert_eq!(
            c.rest("https://management.azure.com"),
            "PUT https://management.azure.com/subscriptions/sub-1/providers/Microsoft.Security/settings/WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW?api-version=2022-05-01\nContent-Type: application/json\n\n{\"kind\":\"DataExportSettings\",\"properties\":{\"enabled\":false}}"
        );
        assert_eq!(
            c.az(),
            "az security setting update --subscription=sub-1 --name WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW --data-export-settings enabled=false"
        );
        let hostile = SettingChange { subscription_id: "x; $(touch /tmp/p)".into(), ..c.clone() };
        assert!(hostile.az().starts_with("az security setting update --subscription='x; $(touch /tmp/p)' --name"));
        let sentinel = SettingChange { setting: "Sentinel".into(), enabled: true, ..c.clone() };
        assert!(
            sentinel.az().ends_with(" --name Sentinel --alert-sync-settings enabled=true"),
            "its kind is AlertSyncSettings"
        );
        assert!(c.describe().starts_with("Include Linux machines"));
    }
}

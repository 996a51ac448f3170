//! The scenario file's shape (SCENARIO.md) as types. The loader reads a file through them
//! first, so that a value of the wrong type is named by its JSON path, and `fake-azure schema`
//! derives the JSON Schema for editors from them (with the `schema` feature: the demo tenant's
//! worker carries no schemars).
//!
//! Only the keys the fake or the app read are typed; every object keeps any other key, as ARM
//! adds fields over time. Whatever may be left out is an `Option` (and may be `null`).

// Read by serde and schemars only, never by code.
#![allow(dead_code)]

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value};

/// One tenant for the fake Azure (demo mode, tests, training): ARM's own objects, as ARM returns
/// them in a list's `value` array. Every key but `subscriptions[].subscription` may be left out.
#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(title = "MDE Console scenario"))]
pub struct Scenario {
    /// This schema, for editors; the fake ignores it.
    #[serde(rename = "$schema")]
    pub schema: Option<String>,
    /// Shown in the demo's header.
    pub name: Option<String>,
    /// The signed-in user of every sign-in.
    pub user: Option<User>,
    /// `GET /tenants` items; the first is the user's home tenant.
    pub tenants: Option<Vec<Tenant>>,
    pub subscriptions: Option<Vec<SubscriptionEntry>>,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub name: Option<String>,
    /// The sign-in name (`admin@contoso.example`).
    pub username: Option<String>,
    /// Entra object id; derived from the username when left out.
    pub object_id: Option<String>,
}

/// A `GET /tenants` item.
#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    pub id: Option<String>,
    pub tenant_id: String,
    pub display_name: Option<String>,
    pub default_domain: Option<String>,
}

/// One subscription and everything in it.
#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionEntry {
    pub subscription: Subscription,
    /// `Microsoft.Security/settings` (WDATP, WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW, ...).
    pub settings: Option<Vec<Setting>>,
    /// `Microsoft.Security/pricings` (VirtualMachines, ...).
    pub pricings: Option<Vec<Pricing>>,
    /// `Microsoft.Authorization/permissions` items: what the user may do here. Writes they do
    /// not allow are refused 403 `AuthorizationFailed`.
    pub permissions: Option<Vec<Permission>>,
    pub virtual_machines: Option<Vec<Machine>>,
    /// `Microsoft.HybridCompute/machines`.
    pub arc_machines: Option<Vec<Machine>>,
    /// `Microsoft.Security/alerts` items.
    pub alerts: Option<Vec<Map<String, Value>>>,
    /// `Microsoft.Security/securityConnectors` items.
    pub security_connectors: Option<Vec<Map<String, Value>>>,
    /// `Microsoft.Authorization/locks` items: a `ReadOnly` or `CanNotDelete` lock refuses writes
    /// below its scope, as ARM does.
    pub locks: Option<Vec<Lock>>,
    /// Policy assignments that deny writes (`RequestDisallowedByPolicy`).
    pub policy_denials: Option<Vec<PolicyDenial>>,
    /// Writes refused 403 `LinkedAuthorizationFailed`.
    pub linked_authorization_failures: Option<Vec<LinkedAuthorizationFailure>>,
    /// Resource provider namespaces not registered in this subscription.
    pub unregistered_providers: Option<Vec<String>>,
    /// How many writes are answered 409 `Conflict` first.
    pub conflicting_writes: Option<u64>,
    /// The tenant whose tokens list this subscription, when its `tenantId` names another
    /// directory (delegated or moved).
    pub listed_in_tenant: Option<String>,
}

/// The `GET /subscriptions` item.
#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    pub id: Option<String>,
    pub subscription_id: String,
    /// The subscription's directory; the home tenant when left out.
    pub tenant_id: Option<String>,
    pub display_name: Option<String>,
    /// `Enabled`, `Warned`, `PastDue`, `Disabled` or `Deleted`.
    pub state: Option<String>,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Setting {
    pub id: Option<String>,
    pub name: String,
    /// `DataExportSettings` or `AlertSyncSettings`.
    pub kind: Option<String>,
    pub properties: Option<SettingProperties>,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SettingProperties {
    pub enabled: Option<bool>,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Pricing {
    pub id: Option<String>,
    pub name: String,
    pub properties: Option<PricingProperties>,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PricingProperties {
    /// `Free` or `Standard`.
    pub pricing_tier: Option<String>,
    /// `P1` or `P2` for VirtualMachines.
    pub sub_plan: Option<String>,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Permission {
    pub actions: Option<Vec<String>>,
    pub not_actions: Option<Vec<String>>,
    pub data_actions: Option<Vec<String>>,
    pub not_data_actions: Option<Vec<String>>,
}

/// A VM or an Arc machine, with its extensions.
#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Machine {
    pub resource: MachineResource,
    pub extensions: Option<Vec<Extension>>,
    /// Resource-level `Microsoft.Security/pricings`.
    pub pricings: Option<Vec<Pricing>>,
    /// ARM errors that the next deletions of this machine's extension end with, in order.
    pub failed_deletions: Option<Vec<ArmError>>,
    /// How Run Command and its test alert behave on this machine.
    pub run_command: Option<RunCommand>,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunCommand {
    /// Seconds from the test command's end to its alert (default 5).
    pub alert_delay_seconds: Option<f64>,
    /// `false`: the test's alert never comes.
    pub alert: Option<bool>,
    /// Every command ends `Failed` with this error.
    pub failure: Option<ArmError>,
    pub sensor: Option<Sensor>,
    /// What every command prints instead.
    pub output: Option<String>,
}

/// What `mdatp health` / `Get-MpComputerStatus` report.
#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Sensor {
    Healthy,
    Unhealthy,
    Missing,
}

/// The `Microsoft.Compute/virtualMachines` or `Microsoft.HybridCompute/machines` object.
#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MachineResource {
    /// `/subscriptions/{id}/resourceGroups/{group}/providers/{namespace}/{type}/{name}`.
    pub id: String,
    pub name: Option<String>,
    pub location: Option<String>,
    pub tags: Option<BTreeMap<String, String>>,
    pub properties: Option<Map<String, Value>>,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Extension {
    pub id: Option<String>,
    pub name: String,
    pub properties: Option<ExtensionProperties>,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ExtensionProperties {
    pub publisher: Option<String>,
    /// `MDE.Linux` or `MDE.Windows`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub provisioning_state: Option<String>,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ArmError {
    pub code: String,
    pub message: String,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Lock {
    pub id: String,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PolicyDenial {
    /// The `Microsoft.Authorization/policyAssignments` object.
    pub assignment: PolicyAssignment,
    /// The actions it denies (`Microsoft.Security/settings/write`).
    pub denies: Vec<String>,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PolicyAssignment {
    pub id: String,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct LinkedAuthorizationFailure {
    pub action: String,
    pub linked_scope: String,
    pub linked_action: String,
}

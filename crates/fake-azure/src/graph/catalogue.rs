//! The Resource Graph queries this fake tenant can answer, in its own words: written from the
//! deployment-status workbook's query (`AZURE.md`) and the `Microsoft.Security/pricings` spec,
//! never taken from the app. There is no KQL engine: each known text says which rows it selects
//! and which columns its `project` keeps, and the rows come from the live state.

use serde_json::{json, Map, Value};

use crate::scenario::{Kind, Machine, Subscription};

/// A query Resource Graph would answer in this tenant.
pub(crate) struct KnownQuery {
    /// Names the query in skip tokens and messages.
    pub name: &'static str,
    pub text: &'static str,
    pub rows: Rows,
    /// The columns its `project` keeps.
    pub columns: &'static [&'static str],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rows {
    /// `resources`: every VM and Arc machine, left-outer-joined with its MDE extensions (one row
    /// per extension, or one row with nulls).
    MachinesWithMde,
    /// The same join ordered by machine id, one row per machine and MDE extension, with what a
    /// deployment-status table shows (image, power state, Arc status, an Arc extension's message).
    Deployment,
    /// `securityresources`: the pricings named `VirtualMachines`, the subscription's and, unless
    /// `subscription_level_only`, those of single machines (2024-01-01 resource-level pricings).
    VmPricings { subscription_level_only: bool },
}

const MACHINE_COLUMNS: &[&str] = &[
    "id",
    "subscriptionId",
    "resourceGroup",
    "resourceId",
    "name",
    "type",
    "location",
    "tags",
    "osType",
    "extensionName",
    "provisioningState",
];
const DEPLOYMENT_COLUMNS: &[&str] = &[
    "id",
    "subscriptionId",
    "resourceGroup",
    "name",
    "type",
    "location",
    "tags",
    "osType",
    "imagePublisher",
    "imageOffer",
    "imageSku",
    "osSku",
    "osVersion",
    "powerState",
    "status",
    "extensionName",
    "provisioningState",
    "extensionMessage",
];
const PRICING_COLUMNS: &[&str] = &["id", "subscriptionId", "name", "pricingTier", "subPlan"];

pub(crate) const CATALOGUE: &[KnownQuery] = &[
    KnownQuery {
        name: "workbook-deployment-status",
        // The workbook's query as Microsoft publishes it.
        text: r#"resources
| where type in ("microsoft.compute/virtualmachines","microsoft.hybridcompute/machines")
| extend resourceId = tolower(id)
| join kind = leftouter (
    resources
    | where type in ("microsoft.compute/virtualmachines/extensions","microsoft.hybridcompute/machines/extensions")
        and properties.type in ("MDE.Linux", "MDE.Windows")
    | extend resourceId = tolower(extract("([\\s\\S]*?)(/extensions/*)",1,id))
) on resourceId
| project subscriptionId, resourceGroup, resourceId, extensionName = name1, provisioningState = properties1.provisioningState"#,
        rows: Rows::MachinesWithMde,
        columns: &["subscriptionId", "resourceGroup", "resourceId", "extensionName", "provisioningState"],
    },
    KnownQuery {
        name: "machines-with-mde",
        // The same join, projecting what a machine list shows: its id, name, type, place and OS.
        text: r#"resources
| where type in ("microsoft.compute/virtualmachines","microsoft.hybridcompute/machines")
| extend resourceId = tolower(id)
| join kind = leftouter (
    resources
    | where type in ("microsoft.compute/virtualmachines/extensions","microsoft.hybridcompute/machines/extensions")
        and properties.type in ("MDE.Linux", "MDE.Windows")
    | extend resourceId = tolower(extract("([\\s\\S]*?)(/extensions/*)",1,id))
) on resourceId
| project id, subscriptionId, resourceGroup, resourceId, name, type, location, tags, osType = tostring(coalesce(properties.storageProfile.osDisk.osType, properties.osType)), extensionName = name1, provisioningState = properties1.provisioningState"#,
        rows: Rows::MachinesWithMde,
        columns: MACHINE_COLUMNS,
    },
    KnownQuery {
        name: "deployment-status-table",
        // The same join, ordered by machine (a machine's rows stay together across pages), with
        // each column made text: the VM's image, ARG's own power-state column of VMs
        // (`properties.extended`), the Arc agent's status and OS, and the message Arc extensions
        // carry in ARG (VM extensions carry no instance view there).
        text: r#"resources
| where type in ("microsoft.compute/virtualmachines","microsoft.hybridcompute/machines")
| extend resourceId = tolower(id)
| join kind = leftouter (
    resources
    | where type in ("microsoft.compute/virtualmachines/extensions","microsoft.hybridcompute/machines/extensions")
        and properties.type in ("MDE.Linux", "MDE.Windows")
    | extend resourceId = tolower(extract("([\\s\\S]*?)(/extensions/*)",1,id))
) on resourceId
| order by resourceId asc
| project id, subscriptionId, resourceGroup, name, type, location, tags,
    osType = tostring(coalesce(properties.storageProfile.osDisk.osType, properties.osType)),
    imagePublisher = tostring(properties.storageProfile.imageReference.publisher),
    imageOffer = tostring(properties.storageProfile.imageReference.offer),
    imageSku = tostring(properties.storageProfile.imageReference.sku),
    osSku = tostring(properties.osSku), osVersion = tostring(properties.osVersion),
    powerState = tostring(properties.extended.instanceView.powerState.code),
    status = tostring(properties.status),
    extensionName = name1, provisioningState = tostring(properties1.provisioningState),
    extensionMessage = tostring(properties1.instanceView.status.message)"#,
        rows: Rows::Deployment,
        columns: DEPLOYMENT_COLUMNS,
    },
    KnownQuery {
        name: "vm-pricings",
        // Every `VirtualMachines` pricing, resource-level ones included: what a filter on the
        // name alone gets.
        text: r#"securityresources
| where type =~ "microsoft.security/pricings" and name =~ "VirtualMachines"
| project id, subscriptionId, name, pricingTier = tostring(properties.pricingTier), subPlan = tostring(properties.subPlan)"#,
        rows: Rows::VmPricings { subscription_level_only: false },
        columns: PRICING_COLUMNS,
    },
    KnownQuery {
        name: "subscription-vm-pricings",
        // Only the subscription's own pricing, told apart by its id.
        text: r#"securityresources
| where type =~ "microsoft.security/pricings" and name =~ "VirtualMachines"
| where id =~ strcat("/subscriptions/", subscriptionId, "/providers/Microsoft.Security/pricings/VirtualMachines")
| project id, subscriptionId, name, pricingTier = tostring(properties.pricingTier), subPlan = tostring(properties.subPlan)"#,
        rows: Rows::VmPricings { subscription_level_only: true },
        columns: PRICING_COLUMNS,
    },
];

/// The known query `text` is, whitespace aside.
pub(crate) fn recognise(text: &str) -> Option<&'static KnownQuery> {
    let text = normalise(text);
    CATALOGUE.iter().find(|known| normalise(known.text) == text)
}

fn normalise(query: &str) -> String {
    query.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl KnownQuery {
    /// Keeps the projected columns of a full row.
    pub fn project(&self, mut row: Map<String, Value>) -> Value {
        row.retain(|column, _| self.columns.contains(&column.as_str()));
        Value::Object(row)
    }
}

/// A machine joined with one MDE extension (or none), with every column a query may project.
/// Computed columns read as KQL's `tostring()` would ("" for what is not there); the joined
/// `provisioningState` stays raw (null without an extension) as the workbook projects it.
pub(crate) fn machine_row(
    sub: &Subscription,
    kind: Kind,
    machine: &Machine,
    ext: Option<&Value>,
) -> Map<String, Value> {
    let r = &machine.resource;
    let text = |pointer: &str| r.pointer(pointer).map(to_kql_string).unwrap_or_default();
    let os_type = r
        .pointer("/properties/storageProfile/osDisk/osType")
        .filter(|v| !v.is_null())
        .or_else(|| r.pointer("/properties/osType").filter(|v| !v.is_null()));
    // ARG keeps a VM's live state under `properties.extended`; an Arc machine has none.
    let power_state = match kind {
        Kind::Vm => crate::arm::machines::power_state(machine).unwrap_or_default(),
        Kind::Arc => String::new(),
    };
    // ARG holds the instance view of Arc extensions only.
    let message = match (kind, ext) {
        (Kind::Arc, Some(e)) => e.pointer("/properties/instanceView/status/message").map(to_kql_string),
        _ => None,
    };
    let row = json!({
        "id": machine.id(),
        "subscriptionId": sub.id,
        "resourceGroup": machine.resource_group.to_ascii_lowercase(),
        "resourceId": machine.id().to_ascii_lowercase(),
        "name": r.get("name").cloned().unwrap_or_else(|| json!(machine.name)),
        "type": format!("{}/{}", kind.namespace(), kind.type_name()).to_ascii_lowercase(),
        "location": r.get("location").cloned().unwrap_or(Value::Null),
        "tags": r.get("tags").filter(|t| t.is_object()).cloned().unwrap_or_else(|| json!({})),
        "osType": os_type.map(to_kql_string).unwrap_or_default(),
        "imagePublisher": text("/properties/storageProfile/imageReference/publisher"),
        "imageOffer": text("/properties/storageProfile/imageReference/offer"),
        "imageSku": text("/properties/storageProfile/imageReference/sku"),
        "osSku": text("/properties/osSku"),
        "osVersion": text("/properties/osVersion"),
        "powerState": power_state,
        "status": text("/properties/status"),
        "extensionName": ext.and_then(|e| e.get("name")).cloned().unwrap_or(Value::Null),
        "provisioningState": ext.and_then(|e| e.pointer("/properties/provisioningState")).cloned().unwrap_or(Value::Null),
        "extensionMessage": message.unwrap_or_default(),
    });
    into_map(row)
}

/// A row of the deployment-status query: as [`machine_row`], with `provisioningState` made
/// text (that query projects `tostring(properties1.provisioningState)`).
pub(crate) fn deployment_row(
    sub: &Subscription,
    kind: Kind,
    machine: &Machine,
    ext: Option<&Value>,
) -> Map<String, Value> {
    let mut row = machine_row(sub, kind, machine, ext);
    if let Some(state) = row.get_mut("provisioningState") {
        *state = Value::String(to_kql_string(state));
    }
    row
}

pub(crate) fn is_mde(extension: &Value) -> bool {
    // `get` twice rather than a JSON pointer: every query walks every extension of the tenant.
    let kind = extension.get("properties").and_then(|p| p.get("type")).and_then(Value::as_str);
    matches!(kind, Some("MDE.Linux" | "MDE.Windows"))
}

pub(crate) fn is_vm_pricing(pricing: &Value) -> bool {
    pricing.get("name").and_then(Value::as_str).is_some_and(|n| n.eq_ignore_ascii_case("VirtualMachines"))
}

/// A pricing's row; `scope` is the id it hangs under (the subscription or a machine), which
/// makes its id when the scenario gives none, as ARM forms them.
pub(crate) fn pricing_row(sub: &Subscription, scope: &str, pricing: &Value) -> Map<String, Value> {
    let name = pricing.get("name").and_then(Value::as_str).unwrap_or_default();
    let id = pricing
        .get("id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| format!("{scope}/providers/Microsoft.Security/pricings/{name}"));
    let field = |k: &str| pricing.pointer(&format!("/properties/{k}")).map(to_kql_string).unwrap_or_default();
    into_map(json!({
        "id": id,
        "subscriptionId": sub.id,
        "name": name,
        "pricingTier": field("pricingTier"),
        "subPlan": field("subPlan"),
    }))
}

/// KQL's `tostring()`: strings as they are, null as "", anything else as JSON text.
fn to_kql_string(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        // What `Display` writes, without linking its pretty-printer into the demo worker.
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

fn into_map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("rows are built as objects"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_recognised_whitespace_aside_and_only_them() {
        for known in CATALOGUE {
            let reflowed = known.text.split_whitespace().collect::<Vec<_>>().join("\n  ");
            assert_eq!(recognise(&reflowed).map(|k| k.name), Some(known.name));
        }
        assert!(recognise("resources | project id").is_none());
        // A comma's spacing is part of the text: the fake does not parse KQL.
        let plans = CATALOGUE.iter().find(|k| k.name == "subscription-vm-pricings").unwrap();
        assert!(recognise(&plans.text.replace("id, subscriptionId", "id,subscriptionId")).is_none());
    }

    #[test]
    fn each_query_projects_only_its_columns() {
        let workbook = &CATALOGUE[0];
        let row = into_map(json!({"id": "/x", "subscriptionId": "s", "resourceId": "/x", "name": "vm"}));
        assert_eq!(workbook.project(row), json!({"subscriptionId": "s", "resourceId": "/x"}));
    }
}

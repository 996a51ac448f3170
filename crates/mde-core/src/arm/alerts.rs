//! `Microsoft.Security/alerts`: the security alerts Defender for Cloud raised in a subscription.
//!
//! The app reads them to show that a test alert ("Send a test alert") arrived: match on
//! `alertDisplayName` and `compromisedEntity`, or on the machine's id in `resourceIdentifiers`.

use serde::{Deserialize, Serialize};

use super::common::null_as_default;

/// One security alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// The full ARM id (it includes the alert's region: `.../locations/{region}/alerts/{name}`).
    pub id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub properties: AlertProperties,
}

impl Alert {
    /// The ARM ids of the Azure resources (machines) the alert is about.
    pub fn azure_resource_ids(&self) -> impl Iterator<Item = &str> {
        self.properties.resource_identifiers.iter().filter_map(|r| r.azure_resource_id.as_deref())
    }

    /// Whether the alert concerns the resource `resource_id` (ARM ids compare ignoring case).
    pub fn concerns(&self, resource_id: &str) -> bool {
        self.azure_resource_ids().any(|id| id.eq_ignore_ascii_case(resource_id))
    }
}

/// What an alert says. Everything is optional: the app shows what is there.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertProperties {
    /// A stable code for the kind of alert, e.g. `VM_EICAR`.
    #[serde(default)]
    pub alert_type: Option<String>,
    /// The alert's title for people, e.g. `Suspicious PowerShell CommandLine`.
    #[serde(default)]
    pub alert_display_name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// `Informational`, `Low`, `Medium` or `High`.
    #[serde(default)]
    pub severity: Option<String>,
    /// `Active`, `InProgress`, `Resolved` or `Dismissed`.
    #[serde(default)]
    pub status: Option<String>,
    /// The attack stage (MITRE tactic), e.g. `Execution`.
    #[serde(default)]
    pub intent: Option<String>,
    /// The name of what was attacked, usually the machine's name.
    #[serde(default)]
    pub compromised_entity: Option<String>,
    /// The resources the alert is about (the machine, its Log Analytics agent...).
    #[serde(default, deserialize_with = "null_as_default")]
    pub resource_identifiers: Vec<ResourceIdentifier>,
    /// When Defender for Cloud created the alert (ISO 8601 text).
    #[serde(default)]
    pub time_generated_utc: Option<String>,
    /// When the suspicious activity began (ISO 8601 text).
    #[serde(default)]
    pub start_time_utc: Option<String>,
    #[serde(default)]
    pub end_time_utc: Option<String>,
    /// A link to the alert in the Azure portal.
    #[serde(default)]
    pub alert_uri: Option<String>,
    /// The alert's own id inside Defender (the resource name is built from it).
    #[serde(default)]
    pub system_alert_id: Option<String>,
    /// Which product raised it, e.g. `Azure Security Center`, `Microsoft Defender for Endpoint`.
    #[serde(default)]
    pub product_name: Option<String>,
    #[serde(default)]
    pub vendor_name: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub remediation_steps: Vec<String>,
    #[serde(default)]
    pub is_incident: Option<bool>,
}

/// One resource an alert is about. ARM tags each with `type`: `AzureResource` carries
/// `azureResourceId`; `LogAnalytics` carries the workspace and agent ids. Other kinds may come;
/// they are kept with whatever of these fields they have, never rejected.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceIdentifier {
    /// `AzureResource`, `LogAnalytics`, or a kind unknown to this app.
    #[serde(rename = "type", default, deserialize_with = "null_as_default")]
    pub kind: String,
    /// The resource's ARM id (kind `AzureResource`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure_resource_id: Option<String>,
    /// The Log Analytics workspace's id (kind `LogAnalytics`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_subscription_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_resource_group: Option<String>,
    /// The id of the Log Analytics agent on the machine (kind `LogAnalytics`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_identifiers_of_any_kind_are_kept() {
        let json = r#"{"id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Security/locations/westeurope/alerts/a1",
          "properties":{"alertDisplayName":"Suspicious PowerShell CommandLine","severity":"Informational",
            "resourceIdentifiers":[
              {"type":"AzureResource","azureResourceId":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1"},
              {"type":"LogAnalytics","workspaceId":"w","agentId":"a"},
              {"type":"SomethingNew","whatever":1},
              {}
            ]}}"#;
        let alert: Alert = serde_json::from_str(json).unwrap();
        assert_eq!(alert.properties.resource_identifiers.len(), 4);
        assert_eq!(alert.properties.resource_identifiers[2].kind, "SomethingNew");
        assert!(alert.concerns("/SUBSCRIPTIONS/s/resourcegroups/rg/providers/microsoft.compute/virtualmachines/VM1"));
        assert!(!alert.concerns("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm2"));
        assert_eq!(alert.azure_resource_ids().count(), 1);
    }
}

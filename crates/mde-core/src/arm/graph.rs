//! Azure Resource Graph: one KQL query across many subscriptions instead of a call per subscription.

use serde::{Deserialize, Serialize};

/// Every VM and Arc machine with its MDE extension (if any); from Microsoft's deployment workbook.
/// Joined columns come back as `name1`, `properties1`, projected to `extensionName` and
/// `provisioningState`.
pub const MACHINES_QUERY: &str = r#"resources
| where type in ("microsoft.compute/virtualmachines","microsoft.hybridcompute/machines")
| extend resourceId = tolower(id)
| join kind = leftouter (
    resources
    | where type in ("microsoft.compute/virtualmachines/extensions","microsoft.hybridcompute/machines/extensions")
        and properties.type in ("MDE.Linux", "MDE.Windows")
    | extend resourceId = tolower(extract("([\\s\\S]*?)(/extensions/*)",1,id))
) on resourceId
| project id, subscriptionId, resourceGroup, resourceId, name, type, location, tags, osType = tostring(coalesce(properties.storageProfile.osDisk.osType, properties.osType)), extensionName = name1, provisioningState = properties1.provisioningState"#;

/// The Defender for Servers plan of every subscription in one query.
pub const PLANS_QUERY: &str = r#"securityresources
| where type =~ "microsoft.security/pricings" and name =~ "VirtualMachines"
| project id, subscriptionId, name, pricingTier = tostring(properties.pricingTier), subPlan = tostring(properties.subPlan)"#;

/// The body of `POST /providers/Microsoft.ResourceGraph/resources`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryRequest {
    pub subscriptions: Vec<String>,
    pub query: String,
    pub options: QueryOptions,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct QueryOptions {
    #[serde(rename = "$top", default, skip_serializing_if = "Option::is_none")]
    pub top: Option<u32>,
    #[serde(rename = "$skip", default, skip_serializing_if = "Option::is_none")]
    pub skip: Option<u32>,
    #[serde(rename = "$skipToken", default, skip_serializing_if = "Option::is_none")]
    pub skip_token: Option<String>,
    #[serde(rename = "resultFormat", default, skip_serializing_if = "Option::is_none")]
    pub result_format: Option<String>,
}

impl QueryRequest {
    /// A query over `subscriptions`, 1,000 rows a page (ARG's maximum), rows as objects.
    pub fn new(query: &str, subscriptions: Vec<String>) -> Self {
        QueryRequest {
            subscriptions,
            query: query.to_string(),
            options: QueryOptions { top: Some(1000), result_format: Some("objectArray".into()), ..Default::default() },
        }
    }
}

/// One page of a Resource Graph answer. Resend the same request with `$skipToken` for the next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryResponse<T> {
    pub total_records: u64,
    pub count: u64,
    /// ARM sends `"false"`/`"true"` as strings here; kept as JSON to accept both.
    #[serde(default)]
    pub result_truncated: serde_json::Value,
    #[serde(rename = "$skipToken", default, skip_serializing_if = "Option::is_none")]
    pub skip_token: Option<String>,
    pub data: Vec<T>,
}

/// A row of [`PLANS_QUERY`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanRow {
    pub subscription_id: String,
    #[serde(default)]
    pub pricing_tier: String,
    #[serde(default)]
    pub sub_plan: Option<String>,
}

//! Azure Resource Graph: one KQL query across many subscriptions instead of a call per subscription.
//!
//! Every query the core sends is in [`QUERIES`], tied to the row type that reads its answer, so
//! that the KQL check (`tests/e2e/kql.test.mjs`, through `examples/graph_queries.rs`) parses each
//! one with Microsoft's parser and finds every field its row type reads among the result columns.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::coverage::MachineRow;
use crate::deployment::rows::DeploymentRow;

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

/// The deployment status of every VM and Arc machine: the workbook's join, projecting what the
/// machines table shows. Each column is `tostring()`ed so that a row reads as text whatever
/// Azure stored. Ordered by machine, so that the rows of one machine (one per MDE extension)
/// are next to each other, even across pages.
/// - `powerState`: ARG's own `properties.extended.instanceView.powerState.code` of VMs;
/// - `status`: an Arc machine's connection;
/// - `extensionMessage`: Arc extensions carry their instance view in ARG; VM extensions do not
///   (their message is read through ARM, see [`crate::deployment::load`]).
pub const DEPLOYMENT_QUERY: &str = r#"resources
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
    extensionMessage = tostring(properties1.instanceView.status.message)"#;

/// The Defender for Servers plan of every subscription in one query. Pricings 2024-01-01 also
/// exist per resource (`{vm id}/providers/Microsoft.Security/pricings/VirtualMachines`), which
/// would put one machine's plan on its whole subscription: only the id of the subscription-level
/// pricing is kept.
pub const PLANS_QUERY: &str = r#"securityresources
| where type =~ "microsoft.security/pricings" and name =~ "VirtualMachines"
| where id =~ strcat("/subscriptions/", subscriptionId, "/providers/Microsoft.Security/pricings/VirtualMachines")
| project id, subscriptionId, name, pricingTier = tostring(properties.pricingTier), subPlan = tostring(properties.subPlan)"#;

/// A Resource Graph query the core sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GraphQuery {
    /// A short name for messages and tests.
    pub name: &'static str,
    /// The KQL text, as sent.
    pub text: &'static str,
    /// The Rust type that reads a row of the answer, as written in [`QUERIES`].
    pub row: &'static str,
}

/// Looks at each query of [`QUERIES`] with the type that reads its rows (see [`visit_queries`]).
pub trait QueryVisitor {
    fn visit<R: DeserializeOwned>(&mut self, query: &GraphQuery);
}

/// One list makes both [`QUERIES`] and [`visit_queries`], so a query cannot be in one only.
macro_rules! graph_queries {
    ($($name:literal: $text:ident => $row:ty),* $(,)?) => {
        /// Every Resource Graph query the core sends.
        pub const QUERIES: &[GraphQuery] =
            &[$(GraphQuery { name: $name, text: $text, row: stringify!($row) }),*];

        /// Shows `visitor` every query of [`QUERIES`] with the row type that reads its answer.
        pub fn visit_queries(visitor: &mut impl QueryVisitor) {
            $(visitor.visit::<$row>(&GraphQuery { name: $name, text: $text, row: stringify!($row) });)*
        }
    };
}

graph_queries! {
    "machines": MACHINES_QUERY => MachineRow,
    "plans": PLANS_QUERY => PlanRow,
    "deployment": DEPLOYMENT_QUERY => DeploymentRow,
}

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

impl<T> QueryResponse<T> {
    /// Resource Graph cut the answer short (`resultTruncated`, sent as `"true"` or `true`).
    pub fn truncated(&self) -> bool {
        let flag = &self.result_truncated;
        flag.as_bool().unwrap_or_else(|| flag.as_str().is_some_and(|s| s.eq_ignore_ascii_case("true")))
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    #[test]
    fn rows_of_any_projection_parse() {
        // The spec's summarize example: its rows hold `location` only, no `id`.
        let example: Value = serde_json::from_str(include_str!(
            "../../../../tests/fixtures/arm/resourcegraph/ResourcesSummarizeQuery.json"
        ))
        .unwrap();
        let page: QueryResponse<Value> = serde_json::from_value(example["responses"]["200"]["body"].clone()).unwrap();
        assert_eq!(
            page.data,
            vec![json!({"location": "centralus"}), json!({"location": "eastus"}), json!({"location": "westus"})]
        );
        let machine: MachineRow = serde_json::from_value(json!({"subscriptionId": "s1", "osType": "Linux"})).unwrap();
        assert_eq!((machine.id, machine.subscription_id.as_str()), (None, "s1"));
        let plan: PlanRow = serde_json::from_value(json!({"subscriptionId": "s1", "pricingTier": "Free"})).unwrap();
        assert_eq!((plan.pricing_tier.as_str(), plan.sub_plan), ("Free", None));
    }

    #[test]
    fn the_visitor_sees_every_listed_query_with_its_row_type() {
        struct Seen(Vec<(GraphQuery, &'static str)>);
        impl QueryVisitor for Seen {
            fn visit<R: DeserializeOwned>(&mut self, query: &GraphQuery) {
                self.0.push((*query, std::any::type_name::<R>()));
            }
        }
        let mut seen = Seen(Vec::new());
        visit_queries(&mut seen);
        let queries: Vec<GraphQuery> = seen.0.iter().map(|(q, _)| *q).collect();
        assert_eq!(queries, QUERIES);
        let rows: Vec<(&str, &str)> = seen.0.iter().map(|(q, row)| (q.name, *row)).collect();
        assert_eq!(
            rows,
            [
                ("machines", "mde_core::coverage::MachineRow"),
                ("plans", "mde_core::arm::graph::PlanRow"),
                ("deployment", "mde_core::deployment::rows::DeploymentRow"),
            ]
        );
    }
}

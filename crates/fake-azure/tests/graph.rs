//! Resource Graph against the fake: every query the core sends is one the fake knows (from its
//! own catalogue, not the core's constants), anything else gets ARG's 400, and the plans query
//! leaves resource-level pricings out.

mod common;

use common::*;
use fake_azure::FakeAzure;
use mde_core::api;
use mde_core::arm::graph::{visit_queries, GraphQuery, PlanRow, QueryResponse, QueryVisitor, PLANS_QUERY, QUERIES};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

const PLAIN_SUB: &str = "44444444-4444-4444-4444-444444444444";

fn ask(azure: &mut FakeAzure, query: &str, subscriptions: &[&str]) -> http::Response<Vec<u8>> {
    let link = format!("{ARM}{}", api::resource_graph());
    let request = json!({ "subscriptions": subscriptions, "query": query, "options": { "$top": 1000, "resultFormat": "objectArray" } });
    send(azure, "POST", &link, Some(&request), None)
}

fn pricing(scope: &str, tier: &str, sub_plan: Option<&str>) -> Value {
    let mut properties = json!({ "pricingTier": tier, "freeTrialRemainingTime": "PT0S" });
    if let Some(plan) = sub_plan {
        properties["subPlan"] = json!(plan);
    }
    json!({
        "id": format!("{scope}/providers/Microsoft.Security/pricings/VirtualMachines"),
        "name": "VirtualMachines", "type": "Microsoft.Security/pricings", "properties": properties,
    })
}

/// `SUB`: Free for the subscription, P2 on one VM; `READER_SUB`: no subscription-level pricing
/// at all, only P1 on one Arc machine (as after a resource-level PUT); `PLAIN_SUB`: P2 for the
/// subscription and nothing per resource.
fn tenant_with_resource_pricings() -> Value {
    let vm_id =
        format!("/subscriptions/{SUB}/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-01");
    let arc_id = format!(
        "/subscriptions/{READER_SUB}/resourceGroups/rg-edge/providers/Microsoft.HybridCompute/machines/edge-01"
    );
    let mut web = vm(SUB, "rg-web", "web-01", "Linux", json!([mde(&vm_id, "Linux", "Succeeded")]));
    web["pricings"] = json!([pricing(&vm_id, "Standard", Some("P2"))]);
    let mut edge = arc(READER_SUB, "rg-edge", "edge-01", "windows", json!([]));
    edge["pricings"] = json!([pricing(&arc_id, "Standard", Some("P1"))]);
    let subscription =
        |id: &str| json!({ "subscriptionId": id, "displayName": id, "state": "Enabled", "tenantId": TENANT });
    json!({
        "tenants": [{ "tenantId": TENANT }],
        "subscriptions": [
            { "subscription": subscription(SUB), "permissions": owner(), "pricings": [pricing(&format!("/subscriptions/{SUB}"), "Free", None)], "virtualMachines": [web] },
            { "subscription": subscription(READER_SUB), "permissions": reader(), "arcMachines": [edge] },
            { "subscription": subscription(PLAIN_SUB), "permissions": reader(), "pricings": [pricing(&format!("/subscriptions/{PLAIN_SUB}"), "Standard", Some("P2"))] },
        ],
    })
}

fn fake_tenant() -> FakeAzure {
    FakeAzure::from_scenario_json(&tenant_with_resource_pricings().to_string(), open()).unwrap()
}

/// Sends each of the core's queries and reads the answer with the row type the core reads it with.
struct Asker {
    azure: FakeAzure,
    answered: Vec<(&'static str, usize)>,
}

impl QueryVisitor for Asker {
    fn visit<R: DeserializeOwned>(&mut self, query: &GraphQuery) {
        let response = ask(&mut self.azure, query.text, &[]);
        let text = String::from_utf8_lossy(response.body()).to_string();
        assert_eq!(response.status(), 200, "the fake refuses the core's '{}' query: {text}", query.name);
        let page: QueryResponse<R> = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("'{}' rows do not read as {}: {e}\n{text}", query.name, query.row));
        self.answered.push((query.name, page.data.len()));
    }
}

#[test]
fn every_query_of_the_core_is_answered_and_reads_as_its_rows() {
    let mut asker = Asker { azure: fake_tenant(), answered: Vec::new() };
    visit_queries(&mut asker);
    assert_eq!(asker.answered.len(), QUERIES.len());
    // web-01 with its MDE extension, edge-01 without; the two subscription-level pricings.
    assert_eq!(asker.answered, [("machines", 2), ("plans", 2), ("deployment", 2)]);
}

#[test]
fn a_query_the_fake_does_not_know_gets_args_400_with_details() {
    let mut azure = fake_tenant();
    // The spec's summarize example: valid KQL, but not in the fake's catalogue.
    let response = ask(&mut azure, "Resources | project id, name, type, location | summarize by location", &[]);
    assert_eq!(response.status(), 400);
    let error = &body(&response)["error"];
    assert_eq!(error["code"], "BadRequest");
    let message = error["message"].as_str().unwrap();
    assert!(message.starts_with("Please provide below info when asking for support: timestamp = "), "{message}");
    assert!(message.contains(", correlationId = "), "{message}");
    let details = error["details"].as_array().unwrap();
    assert_eq!(details.len(), 2, "{details:?}");
    assert_eq!(
        details[0],
        json!({ "code": "InvalidQuery", "message": "Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying." })
    );
    assert_eq!(details[1]["code"], "UnsupportedQuery");
    assert!(details[1]["message"].as_str().unwrap().contains("no KQL engine"), "{}", details[1]);
    // One character off a known query is another query.
    let typo = PLANS_QUERY.replace("subPlan = ", "subplan = ");
    assert_eq!(ask(&mut azure, &typo, &[]).status(), 400);
}

#[test]
fn the_plans_query_keeps_subscription_level_pricings_only() {
    let mut azure = fake_tenant();
    let page: QueryResponse<PlanRow> = serde_json::from_value(body(&ask(&mut azure, PLANS_QUERY, &[]))).unwrap();
    let plans: Vec<(&str, &str, Option<&str>)> = page
        .data
        .iter()
        .map(|r| (r.subscription_id.as_str(), r.pricing_tier.as_str(), r.sub_plan.as_deref()))
        .collect();
    // READER_SUB has no plan of its own: its Arc machine's P1 is not the subscription's.
    assert_eq!(plans, [(SUB, "Free", Some("")), (PLAIN_SUB, "Standard", Some("P2"))]);
}

#[test]
fn a_filter_on_the_name_alone_also_gets_the_machines_pricings() {
    let mut azure = fake_tenant();
    let name_only = r#"securityresources
| where type =~ "microsoft.security/pricings" and name =~ "VirtualMachines"
| project id, subscriptionId, name, pricingTier = tostring(properties.pricingTier), subPlan = tostring(properties.subPlan)"#;
    let rows = body(&ask(&mut azure, name_only, &[]))["data"].clone();
    let ids: Vec<&str> = rows.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            format!("/subscriptions/{SUB}/providers/Microsoft.Security/pricings/VirtualMachines"),
            format!("/subscriptions/{SUB}/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-01/providers/Microsoft.Security/pricings/VirtualMachines"),
            format!("/subscriptions/{READER_SUB}/resourceGroups/rg-edge/providers/Microsoft.HybridCompute/machines/edge-01/providers/Microsoft.Security/pricings/VirtualMachines"),
            format!("/subscriptions/{PLAIN_SUB}/providers/Microsoft.Security/pricings/VirtualMachines"),
        ]
    );
    assert_eq!(rows[2]["subscriptionId"], READER_SUB);
    assert_eq!((rows[2]["pricingTier"].as_str(), rows[2]["subPlan"].as_str()), (Some("Standard"), Some("P1")));
}

#[test]
fn the_workbook_query_gets_only_its_projected_columns() {
    let mut azure = fake_tenant();
    // The deployment-status workbook's query, as Microsoft publishes it.
    let workbook = r#"resources
| where type in ("microsoft.compute/virtualmachines","microsoft.hybridcompute/machines")
| extend resourceId = tolower(id)
| join kind = leftouter (
    resources
    | where type in ("microsoft.compute/virtualmachines/extensions","microsoft.hybridcompute/machines/extensions")
        and properties.type in ("MDE.Linux", "MDE.Windows")
    | extend resourceId = tolower(extract("([\\s\\S]*?)(/extensions/*)",1,id))
) on resourceId
| project subscriptionId, resourceGroup, resourceId, extensionName = name1, provisioningState = properties1.provisioningState"#;
    let rows = body(&ask(&mut azure, workbook, &[SUB]))["data"].clone();
    assert_eq!(
        rows,
        json!([{
            "subscriptionId": SUB,
            "resourceGroup": "rg-web",
            "resourceId": format!("/subscriptions/{SUB}/resourcegroups/rg-web/providers/microsoft.compute/virtualmachines/web-01"),
            "extensionName": "MDE.Linux",
            "provisioningState": "Succeeded",
        }])
    );
}

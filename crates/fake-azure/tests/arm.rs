//! ARM behaviour of the fake: paging, writes that change what is read back, permissions,
//! tenants, api-versions, error shapes, tags, long-running deletes, Resource Graph.

mod common;

use common::*;
use fake_azure::{FakeAzure, Options};
use mde_core::api;
use mde_core::arm::graph::{MACHINES_QUERY, PLANS_QUERY};
use serde_json::{json, Value};

fn settings_url(sub: &str) -> String {
    url(&format!("/subscriptions/{sub}/providers/Microsoft.Security/settings"), api::SETTINGS)
}

fn setting_url(sub: &str, name: &str) -> String {
    url(&format!("/subscriptions/{sub}/providers/Microsoft.Security/settings/{name}"), api::SETTINGS)
}

#[test]
fn subscriptions_page_with_absolute_next_links() {
    let mut azure = fake(Options { page_size: 1, ..open() });
    let first = body(&get(&mut azure, &url("/subscriptions", api::RESOURCES)));
    let next = first["nextLink"].as_str().unwrap();
    assert!(
        next.starts_with("https://management.azure.com/subscriptions?api-version=2022-12-01&$skiptoken="),
        "{next}"
    );
    let (items, pages) = collect_pages(&mut azure, &url("/subscriptions", api::RESOURCES), None);
    assert_eq!(pages, 3);
    let ids: Vec<&str> = items.iter().map(|s| s["subscriptionId"].as_str().unwrap()).collect();
    assert_eq!(ids, [SUB, READER_SUB, OTHER_TENANT_SUB]);
    // Unknown keys of scenario objects come back untouched.
    assert_eq!(items[0]["unknownKey"], json!([1, 2]));
}

#[test]
fn next_links_follow_the_request_origin() {
    let mut azure = fake(Options { page_size: 1, ..open() });
    let page = body(&get(&mut azure, "http://127.0.0.1:4567/subscriptions?api-version=2022-12-01"));
    assert!(page["nextLink"].as_str().unwrap().starts_with("http://127.0.0.1:4567/subscriptions?"));
}

#[test]
fn every_list_pages() {
    let mut azure = fake(Options { page_size: 1, ..open() });
    let lists = [
        (settings_url(SUB), 3),
        (url("/tenants", api::RESOURCES), 2),
        (url(&format!("/subscriptions/{SUB}/providers/Microsoft.Compute/virtualMachines"), api::COMPUTE), 3),
        (
            url(
                &format!("/subscriptions/{SUB}/resourceGroups/RG-WEB/providers/Microsoft.Compute/virtualMachines"),
                api::COMPUTE,
            ),
            2,
        ),
        (url(&format!("/subscriptions/{SUB}/providers/Microsoft.HybridCompute/machines"), api::HYBRID_COMPUTE), 1),
        (url(&format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/permissions"), api::PERMISSIONS), 1),
        (url(&format!("/subscriptions/{SUB}/providers/Microsoft.Security/alerts"), api::ALERTS), 1),
        (
            url(
                &format!("/subscriptions/{SUB}/providers/Microsoft.Security/securityConnectors"),
                api::SECURITY_CONNECTORS,
            ),
            0,
        ),
    ];
    for (link, count) in lists {
        let (items, pages) = collect_pages(&mut azure, &link, None);
        assert_eq!(items.len(), count, "{link}");
        assert_eq!(pages, count.max(1), "{link}");
    }
}

#[test]
fn put_setting_then_get_shows_the_change() {
    let mut azure = fake(open());
    let put = send(
        &mut azure,
        "PUT",
        &setting_url(SUB, "WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW"),
        Some(&json!({"kind": "DataExportSettings", "properties": {"enabled": false}})),
        None,
    );
    assert_eq!(put.status(), 200);
    assert_eq!(body(&put)["properties"]["enabled"], false);
    let read = body(&get(&mut azure, &setting_url(SUB, "wdatp_exclude_linux_public_preview")));
    assert_eq!(read["properties"]["enabled"], false);
    assert_eq!(read["futureField"], json!({"kept": true}), "unknown keys survive a write");
    // A setting the scenario did not have is created by PUT and listed afterwards.
    let put = send(
        &mut azure,
        "PUT",
        &setting_url(SUB, "WDATP_UNIFIED_SOLUTION"),
        Some(&json!({"kind": "DataExportSettings", "properties": {"enabled": true}})),
        None,
    );
    assert_eq!(body(&put)["name"], "WDATP_UNIFIED_SOLUTION");
    let all = body(&get(&mut azure, &settings_url(SUB)));
    assert_eq!(all["value"].as_array().unwrap().len(), 4);
}

#[test]
fn put_setting_validates_its_body() {
    let mut azure = fake(open());
    // The contract (Azure's OpenAPI definition) refuses a string `enabled` as the service's
    // deserializer does; what a setting's name allows is the resource provider's own rule.
    for (name, bad, code) in [
        ("WDATP", json!({"kind": "AlertSyncSettings", "properties": {"enabled": true}}), "InvalidInput"),
        ("WDATP", json!({"kind": "DataExportSettings", "properties": {"enabled": "yes"}}), "InvalidRequestContent"),
        ("WDATP", json!({"kind": "DataExportSettings"}), "InvalidInput"),
        ("Sentinel", json!({"kind": "DataExportSettings", "properties": {"enabled": true}}), "InvalidInput"),
        ("NOT_A_SETTING", json!({"kind": "DataExportSettings", "properties": {"enabled": true}}), "InvalidInput"),
    ] {
        let response = send(&mut azure, "PUT", &setting_url(SUB, name), Some(&bad), None);
        assert_eq!(response.status(), 400, "{name} {bad}");
        assert_eq!(error_code(&response), code, "{name} {bad}");
    }
    let garbage = azure.handle(http::Request::put(setting_url(SUB, "WDATP")).body(b"{not json".to_vec()).unwrap(), NOW);
    assert_eq!(error_code(&garbage.response.unwrap()), "InvalidRequestContent");
    assert_eq!(body(&get(&mut azure, &setting_url(SUB, "WDATP")))["properties"]["enabled"], true, "nothing changed");
}

#[test]
fn put_pricing_writes_the_plan() {
    let mut azure = fake(open());
    let link =
        url(&format!("/subscriptions/{SUB}/providers/Microsoft.Security/pricings/VirtualMachines"), api::PRICINGS);
    let put = send(
        &mut azure,
        "PUT",
        &link,
        Some(&json!({"properties": {"pricingTier": "Standard", "subPlan": "P2"}})),
        None,
    );
    assert_eq!(put.status(), 200);
    let read = body(&get(&mut azure, &link));
    assert_eq!(read["properties"]["subPlan"], "P2");
    assert_eq!(read["properties"]["extensions"][0]["name"], "MdeDesignatedSubscription", "omitted extensions are kept");
    let free = body(&send(&mut azure, "PUT", &link, Some(&json!({"properties": {"pricingTier": "Free"}})), None));
    assert!(free["properties"].get("subPlan").is_none());
    assert!(free["properties"].get("enablementTime").is_none());
    let standard =
        body(&send(&mut azure, "PUT", &link, Some(&json!({"properties": {"pricingTier": "standard"}})), None));
    assert_eq!(standard["properties"]["pricingTier"], "Standard");
    assert_eq!(standard["properties"]["subPlan"], "P2");
    assert_eq!(standard["properties"]["enablementTime"], "2024-06-01T00:00:00.0000000Z");
    let bad = send(
        &mut azure,
        "PUT",
        &link,
        Some(&json!({"properties": {"pricingTier": "Standard", "subPlan": "P3"}})),
        None,
    );
    assert_eq!(bad.status(), 400);
}

#[test]
fn read_only_permissions_refuse_writes_with_arm_wording() {
    let mut azure = fake(open());
    assert_eq!(get(&mut azure, &settings_url(READER_SUB)).status(), 200);
    let response = send(
        &mut azure,
        "PUT",
        &setting_url(READER_SUB, "WDATP"),
        Some(&json!({"kind": "DataExportSettings", "properties": {"enabled": true}})),
        None,
    );
    assert_eq!(response.status(), 403);
    let message = body(&response)["error"]["message"].as_str().unwrap().to_string();
    assert_eq!(error_code(&response), "AuthorizationFailed");
    assert!(message.starts_with("The client 'avery@contoso.example' with object id '99999999-9999-9999-9999-999999999999' does not have authorization to perform action 'Microsoft.Security/settings/write' over scope '/subscriptions/22222222-2222-2222-2222-222222222222/providers/Microsoft.Security/settings/WDATP' or the scope is invalid."), "{message}");
}

#[test]
fn missing_permissions_mean_no_rights_and_not_actions_win() {
    let scenario = json!({"subscriptions": [
        {"subscription": {"subscriptionId": "s1"}},
        {"subscription": {"subscriptionId": "s2"}, "permissions": [{"actions": ["*"], "notActions": ["Microsoft.Security/*/write"]}]},
        {"subscription": {"subscriptionId": "s3"}, "permissions": [{"actions": ["Microsoft.Security/*"]}]},
    ]});
    let mut azure = FakeAzure::from_scenario_json(&scenario.to_string(), open()).unwrap();
    assert_eq!(get(&mut azure, &settings_url("s1")).status(), 403);
    assert_eq!(
        get(&mut azure, &url("/subscriptions/s1/providers/Microsoft.Authorization/permissions", api::PERMISSIONS))
            .status(),
        200
    );
    let enable = json!({"kind": "DataExportSettings", "properties": {"enabled": true}});
    assert_eq!(send(&mut azure, "PUT", &setting_url("s2", "WDATP"), Some(&enable), None).status(), 403);
    assert_eq!(send(&mut azure, "PUT", &setting_url("s3", "WDATP"), Some(&enable), None).status(), 200);
    // An empty scenario list is an empty answer, never made-up defaults.
    assert_eq!(body(&get(&mut azure, &settings_url("s2")))["value"], json!([]));
    assert_eq!(error_code(&get(&mut azure, &setting_url("s2", "WDATP"))), "NotFound");
}

#[test]
fn tokens_are_required_and_checked() {
    let mut azure = fake(Options::default());
    let link = url("/subscriptions", api::RESOURCES);
    let missing = get(&mut azure, &link);
    assert_eq!(missing.status(), 401);
    assert_eq!(error_code(&missing), "AuthenticationFailed");
    let challenge = header(&missing, "www-authenticate").unwrap();
    assert!(
        challenge.starts_with(&format!(
            "Bearer authorization_uri=\"https://login.windows.net/{TENANT}\", error=\"invalid_token\""
        )),
        "{challenge}"
    );
    let invalid = send(&mut azure, "GET", &link, None, Some("not-a-token"));
    assert_eq!(error_code(&invalid), "InvalidAuthenticationToken");
    let token = azure.mint_access_token(None, NOW);
    let (items, _) = collect_pages(&mut azure, &link, Some(&token));
    assert_eq!(items.len(), 2, "only the token's tenant is listed");
}

#[test]
fn wrong_tenant_token_is_refused() {
    let mut azure = fake(Options::default());
    let home = azure.mint_access_token(Some(TENANT), NOW);
    let response = send(&mut azure, "GET", &settings_url(OTHER_TENANT_SUB), None, Some(&home));
    assert_eq!(response.status(), 401);
    assert_eq!(error_code(&response), "InvalidAuthenticationTokenTenant");
    assert!(header(&response, "www-authenticate")
        .unwrap()
        .contains(&format!("https://login.windows.net/{OTHER_TENANT}")));
    let partner = azure.mint_access_token(Some(OTHER_TENANT), NOW);
    assert_eq!(send(&mut azure, "GET", &settings_url(OTHER_TENANT_SUB), None, Some(&partner)).status(), 200);
}

#[test]
fn api_version_is_required_and_checked() {
    let mut azure = fake(open());
    let missing = get(&mut azure, &format!("{ARM}/subscriptions"));
    assert_eq!((missing.status().as_u16(), error_code(&missing)), (400, "MissingApiVersionParameter".into()));
    let native = get(&mut azure, &url("/subscriptions", "2099-01-01"));
    assert_eq!(error_code(&native), "InvalidApiVersionParameter");
    let provider =
        get(&mut azure, &url(&format!("/subscriptions/{SUB}/providers/Microsoft.Security/settings"), "2099-01-01"));
    assert_eq!(error_code(&provider), "NoRegisteredProviderFound");
    assert!(body(&provider)["error"]["message"].as_str().unwrap().contains("2022-05-01"));
}

#[test]
fn not_found_shapes() {
    let mut azure = fake(open());
    let cases = [
        (settings_url("44444444-4444-4444-4444-444444444444"), 404, "SubscriptionNotFound"),
        (setting_url(SUB, "MCAS"), 404, "NotFound"),
        (
            url(
                &format!("/subscriptions/{SUB}/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/nope"),
                api::COMPUTE,
            ),
            404,
            "ResourceNotFound",
        ),
        (
            url(
                &format!(
                    "/subscriptions/{SUB}/resourceGroups/rg-nope/providers/Microsoft.Compute/virtualMachines/web-01"
                ),
                api::COMPUTE,
            ),
            404,
            "ResourceGroupNotFound",
        ),
        (
            url(&format!("/subscriptions/{SUB}/providers/Microsoft.Storage/storageAccounts"), "2023-01-01"),
            404,
            "NotFound",
        ),
    ];
    for (link, status, code) in cases {
        let response = get(&mut azure, &link);
        assert_eq!((response.status().as_u16(), error_code(&response)), (status, code.to_string()), "{link}");
        assert!(body(&response)["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let wrong_method = send(&mut azure, "DELETE", &settings_url(SUB), None, None);
    assert_eq!(wrong_method.status(), 405);
}

#[test]
fn arm_headers_on_every_answer() {
    let mut azure = fake(open());
    let read = get(&mut azure, &settings_url(SUB));
    assert!(header(&read, "x-ms-request-id").is_some_and(|id| id.len() == 36));
    assert_eq!(header(&read, "x-ms-ratelimit-remaining-subscription-reads"), Some("249"));
    let write = send(
        &mut azure,
        "PUT",
        &setting_url(SUB, "WDATP"),
        Some(&json!({"kind": "DataExportSettings", "properties": {"enabled": true}})),
        None,
    );
    assert_eq!(header(&write, "x-ms-ratelimit-remaining-subscription-writes"), Some("199"));
    let tenant_level = get(&mut azure, &url("/subscriptions", api::RESOURCES));
    assert!(header(&tenant_level, "x-ms-ratelimit-remaining-tenant-reads").is_some());
}

#[test]
fn vm_and_arc_reads() {
    let mut azure = fake(open());
    let vm = body(&get(
        &mut azure,
        &url(
            &format!("/subscriptions/{SUB}/resourceGroups/RG-WEB/providers/microsoft.compute/virtualmachines/WEB-01"),
            api::COMPUTE,
        ),
    ));
    assert_eq!(vm["name"], "web-01");
    let exts = body(&get(&mut azure, &url(&format!("/subscriptions/{SUB}/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-01/extensions"), api::COMPUTE)));
    assert_eq!(exts["value"][0]["name"], "MDE.Linux");
    assert!(exts.get("nextLink").is_none());
    let ext = get(&mut azure, &url(&format!("/subscriptions/{SUB}/resourceGroups/rg-onprem/providers/Microsoft.HybridCompute/machines/srv-01/extensions/MDE.Windows"), api::HYBRID_COMPUTE));
    assert_eq!(body(&ext)["properties"]["provisioningState"], "Failed");
    // Wrong api-version family: compute versions are not HybridCompute versions.
    let wrong = get(
        &mut azure,
        &url(&format!("/subscriptions/{SUB}/providers/Microsoft.HybridCompute/machines"), api::COMPUTE),
    );
    assert_eq!(error_code(&wrong), "NoRegisteredProviderFound");
}

#[test]
fn tags_merge_and_delete_on_vms_and_arc() {
    let mut azure = fake(open());
    for machine in [
        format!("/subscriptions/{SUB}/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-02"),
        format!("/subscriptions/{SUB}/resourceGroups/rg-onprem/providers/Microsoft.HybridCompute/machines/srv-01"),
    ] {
        let tags_url = url(&format!("{machine}/providers/Microsoft.Resources/tags/default"), api::TAGS);
        let merged = send(
            &mut azure,
            "PATCH",
            &tags_url,
            Some(&json!({"operation": "Merge", "properties": {"tags": {"ExcludeMdeAutoUpdate": "true"}}})),
            None,
        );
        assert_eq!(merged.status(), 200);
        let merged = body(&merged);
        assert_eq!(merged["id"], format!("{machine}/providers/Microsoft.Resources/tags/default"));
        assert_eq!(merged["properties"]["tags"]["ExcludeMdeAutoUpdate"], "true");
        let resource = body(&get(
            &mut azure,
            &url(&machine, if machine.contains("Microsoft.Compute/") { api::COMPUTE } else { api::HYBRID_COMPUTE }),
        ));
        assert_eq!(resource["tags"]["ExcludeMdeAutoUpdate"], "true", "the machine itself shows the tag");
        let deleted = body(&send(
            &mut azure,
            "PATCH",
            &tags_url,
            Some(&json!({"operation": "Delete", "properties": {"tags": {"ExcludeMdeAutoUpdate": "true"}}})),
            None,
        ));
        assert!(deleted["properties"]["tags"].get("ExcludeMdeAutoUpdate").is_none());
    }
    let vm_tags = url(&format!("/subscriptions/{SUB}/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-02/providers/Microsoft.Resources/tags/default"), api::TAGS);
    assert_eq!(
        body(&get(&mut azure, &vm_tags))["properties"]["tags"],
        json!({"env": "prod"}),
        "merge kept the other tags"
    );
    let too_many: serde_json::Map<String, Value> = (0..51).map(|i| (format!("t{i}"), json!("v"))).collect();
    let refused = send(
        &mut azure,
        "PATCH",
        &vm_tags,
        Some(&json!({"operation": "Merge", "properties": {"tags": too_many}})),
        None,
    );
    assert_eq!(refused.status(), 400);
    let reader_tags = url(&format!("/subscriptions/{READER_SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/x/providers/Microsoft.Resources/tags/default"), api::TAGS);
    assert_eq!(
        send(&mut azure, "PATCH", &reader_tags, Some(&json!({"operation": "Merge", "properties": {"tags": {}}})), None)
            .status(),
        403
    );
}

#[test]
fn extension_delete_is_a_long_running_operation() {
    let mut azure = fake(Options { lro_ms: 2000, ..open() });
    let ext = url(&format!("/subscriptions/{SUB}/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-01/extensions/MDE.Linux"), api::COMPUTE);
    let started = azure.handle(request("DELETE", &ext, None, None), NOW).response.unwrap();
    assert_eq!(started.status(), 202);
    let status_url = header(&started, "azure-asyncoperation").unwrap().to_string();
    let location = header(&started, "location").unwrap().to_string();
    assert!(
        status_url.starts_with(&format!(
            "{ARM}/subscriptions/{SUB}/providers/Microsoft.Compute/locations/westeurope/operations/"
        )),
        "{status_url}"
    );
    assert!(header(&started, "retry-after").is_some());
    // While running: the extension says Deleting, the status says InProgress, Location says 202.
    let during = |azure: &mut FakeAzure, link: &str| {
        azure.handle(request("GET", link, None, None), NOW + 1000).response.unwrap()
    };
    assert_eq!(body(&during(&mut azure, &ext))["properties"]["provisioningState"], "Deleting");
    assert_eq!(body(&during(&mut azure, &status_url))["status"], "InProgress");
    assert_eq!(during(&mut azure, &location).status(), 202);
    // Done: gone.
    let after = |azure: &mut FakeAzure, link: &str| {
        azure.handle(request("GET", link, None, None), NOW + 2500).response.unwrap()
    };
    assert_eq!(body(&after(&mut azure, &status_url))["status"], "Succeeded");
    assert_eq!(after(&mut azure, &location).status(), 204);
    assert_eq!(after(&mut azure, &ext).status(), 404);
    // Deleting what is not there is 204, as ARM answers.
    assert_eq!(azure.handle(request("DELETE", &ext, None, None), NOW + 3000).response.unwrap().status(), 204);
}

#[test]
fn arc_extension_delete_polls_through_hybrid_compute() {
    let mut azure = fake(Options { lro_ms: 10, ..open() });
    let ext = url(&format!("/subscriptions/{SUB}/resourceGroups/rg-onprem/providers/Microsoft.HybridCompute/machines/srv-01/extensions/MDE.Windows"), api::HYBRID_COMPUTE);
    let started = send(&mut azure, "DELETE", &ext, None, None);
    let location = header(&started, "location").unwrap().to_string();
    assert!(location.contains("/providers/Microsoft.HybridCompute/locations/eastus/operationResults/"), "{location}");
    assert_eq!(azure.handle(request("GET", &location, None, None), NOW + 50).response.unwrap().status(), 204);
    let list = body(&azure.handle(request("GET", &url(&format!("/subscriptions/{SUB}/resourceGroups/rg-onprem/providers/Microsoft.HybridCompute/machines/srv-01/extensions"), api::HYBRID_COMPUTE), None, None), NOW + 50).response.unwrap());
    assert_eq!(list["value"], json!([]));
}

#[test]
fn disabled_subscriptions_are_read_only() {
    let scenario = json!({"subscriptions": [{"subscription": {"subscriptionId": "s1", "state": "Disabled"}, "permissions": [{"actions": ["*"]}]}]});
    let mut azure = FakeAzure::from_scenario_json(&scenario.to_string(), open()).unwrap();
    let response = send(
        &mut azure,
        "PUT",
        &setting_url("s1", "WDATP"),
        Some(&json!({"kind": "DataExportSettings", "properties": {"enabled": true}})),
        None,
    );
    assert_eq!((response.status().as_u16(), error_code(&response)), (409, "ReadOnlyDisabledSubscription".into()));
}

fn graph(azure: &mut FakeAzure, query: &str, options: Value) -> http::Response<Vec<u8>> {
    let link = url("/providers/Microsoft.ResourceGraph/resources", api::RESOURCE_GRAPH);
    send(
        azure,
        "POST",
        &link,
        Some(&json!({"subscriptions": [SUB, READER_SUB], "query": query, "options": options})),
        None,
    )
}

#[test]
fn resource_graph_machines_query_pages_with_skip_tokens() {
    let mut azure = fake(open());
    let first = graph(&mut azure, MACHINES_QUERY, json!({"$top": 3, "resultFormat": "objectArray"}));
    assert_eq!(first.status(), 200);
    assert!(header(&first, "x-ms-user-quota-remaining").is_some());
    assert_eq!(header(&first, "x-ms-user-quota-resets-after"), Some("00:00:05"));
    let first = body(&first);
    assert_eq!((first["totalRecords"].as_u64(), first["count"].as_u64()), (Some(4), Some(3)));
    assert_eq!(first["resultTruncated"], "false");
    assert_eq!(first["facets"], json!([]));
    let token = first["$skipToken"].as_str().unwrap();
    let second = body(&graph(&mut azure, MACHINES_QUERY, json!({"$top": 3, "$skipToken": token})));
    assert_eq!(second["count"], 1);
    assert!(second.get("$skipToken").is_none());
    let rows: Vec<Value> =
        first["data"].as_array().unwrap().iter().chain(second["data"].as_array().unwrap()).cloned().collect();
    let web01 = rows.iter().find(|r| r["name"] == "web-01").unwrap();
    assert_eq!(web01["extensionName"], "MDE.Linux");
    assert_eq!(web01["provisioningState"], "Succeeded");
    assert_eq!(web01["type"], "microsoft.compute/virtualmachines");
    assert_eq!(web01["resourceGroup"], "rg-web");
    assert_eq!(web01["osType"], "Linux");
    let web02 = rows.iter().find(|r| r["name"] == "web-02").unwrap();
    assert_eq!((web02["extensionName"].clone(), web02["provisioningState"].clone()), (Value::Null, Value::Null));
    let arc = rows.iter().find(|r| r["name"] == "srv-01").unwrap();
    assert_eq!((arc["osType"].as_str(), arc["provisioningState"].as_str()), (Some("windows"), Some("Failed")));
}

#[test]
fn resource_graph_plans_query_and_whitespace() {
    let mut azure = fake(open());
    let reflowed = PLANS_QUERY.split_whitespace().collect::<Vec<_>>().join("\n   ");
    let answer = body(&graph(&mut azure, &reflowed, json!({})));
    assert_eq!(
        answer["data"],
        json!([{
            "id": format!("/subscriptions/{SUB}/providers/Microsoft.Security/pricings/VirtualMachines"),
            "subscriptionId": SUB, "name": "VirtualMachines", "pricingTier": "Standard", "subPlan": "P1",
        }])
    );
}

#[test]
fn resource_graph_refuses_other_queries_in_its_error_shape() {
    let mut azure = fake(open());
    let response = graph(&mut azure, "Resources | project id, name | limit 3", json!({}));
    assert_eq!(response.status(), 400);
    let error = &body(&response)["error"];
    assert_eq!(error["code"], "BadRequest");
    assert_eq!(error["details"][0]["code"], "InvalidQuery");
    assert_eq!(error["details"][1]["code"], "UnsupportedQuery");
    assert_eq!(graph(&mut azure, MACHINES_QUERY, json!({"$top": 5000})).status(), 400);
    assert_eq!(graph(&mut azure, MACHINES_QUERY, json!({"$skipToken": "bogus"})).status(), 400);
}

#[test]
fn big_generated_tenant_loads_and_pages() {
    let scenario = fake_azure::generate::scenario_json(&fake_azure::generate::GenerateOptions {
        subscriptions: 40,
        machines: 2000,
        ..Default::default()
    });
    let mut azure = FakeAzure::from_scenario_json(&scenario, Options { page_size: 50, ..open() }).unwrap();
    let (subs, pages) = collect_pages(&mut azure, &url("/subscriptions", api::RESOURCES), None);
    assert_eq!((subs.len(), pages), (40, 1));
    let link = url("/providers/Microsoft.ResourceGraph/resources", api::RESOURCE_GRAPH);
    let mut rows = 0;
    let mut token: Option<String> = None;
    loop {
        let mut options = json!({"$top": 1000});
        if let Some(t) = &token {
            options["$skipToken"] = json!(t);
        }
        let page = body(&send(
            &mut azure,
            "POST",
            &link,
            Some(&json!({"subscriptions": [], "query": MACHINES_QUERY, "options": options})),
            None,
        ));
        rows += page["count"].as_u64().unwrap();
        match page["$skipToken"].as_str() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert!(rows >= 1000, "{rows} rows (machines the user may read)");
}

/// The app's built-in demo tenant (public/demo/scenario.json) loads, and the overview's reads
/// succeed for every subscription whose permissions allow them.
#[test]
fn the_apps_demo_scenario_loads() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../public/demo/scenario.json");
    let Ok(json) = std::fs::read_to_string(path) else {
        return;
    };
    let mut azure = FakeAzure::from_scenario_json(&json, open()).unwrap_or_else(|e| panic!("{path}: {e}"));
    let (subs, _) = collect_pages(&mut azure, &url("/subscriptions", api::RESOURCES), None);
    assert!(!subs.is_empty());
    for sub in subs {
        let id = sub["subscriptionId"].as_str().unwrap();
        for link in [
            settings_url(id),
            url(&format!("/subscriptions/{id}/providers/Microsoft.Security/pricings"), api::PRICINGS),
        ] {
            let status = get(&mut azure, &link).status();
            assert!(status == 200 || status == 403, "{link}: {status}");
        }
    }
}

/// Hostile names are data: a machine named like markup is reached through its encoded path and
/// comes back byte for byte.
#[test]
fn hostile_names_round_trip_through_encoded_paths() {
    let name = "<img src=x onerror=alert(1)>";
    let scenario = json!({"subscriptions": [{
        "subscription": {"subscriptionId": "s1", "displayName": name},
        "permissions": [{"actions": ["*"]}],
        "virtualMachines": [vm("s1", "rg", name, "Linux", json!([]))],
    }]});
    let mut azure = FakeAzure::from_scenario_json(&scenario.to_string(), open()).unwrap();
    let path = format!(
        "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/{}",
        mde_core::api::seg(name)
    );
    let machine = get(&mut azure, &url(&path, api::COMPUTE));
    assert_eq!(machine.status(), 200);
    assert_eq!(body(&machine)["name"], name);
    let tags = send(
        &mut azure,
        "PATCH",
        &url(&format!("{path}/providers/Microsoft.Resources/tags/default"), api::TAGS),
        Some(&json!({"operation": "Merge", "properties": {"tags": {"x": name}}})),
        None,
    );
    assert_eq!(body(&tags)["properties"]["tags"]["x"], name);
    assert_eq!(body(&get(&mut azure, &url("/subscriptions", api::RESOURCES)))["value"][0]["displayName"], name);
}

//! Every api-version the app sends is one ARM accepts. The fake's versions come from Azure's
//! own examples (`src/arm/versions.rs`), so a request built by each path builder of
//! `mde_core::api`, and one for each api-version constant there, must pass the fake's check; a
//! typo in a core constant fails here. The same requests with a version ARM does not have must be
//! refused with ARM's answer for that kind of path, naming the supported versions.

mod common;

use std::collections::BTreeSet;

use common::{body, error_code, fake, open, send, ARM, SUB};
use fake_azure::FakeAzure;
use http::Response;
use mde_core::api;
use mde_core::arm::graph::MACHINES_QUERY;
use serde_json::{json, Value};

/// One request the app makes: what built it, method, path with query, body.
struct AppRequest {
    built_by: &'static str,
    method: &'static str,
    path: String,
    body: Option<Value>,
    /// ARM's own path (`/tenants`, `/subscriptions...`, `Microsoft.Resources`): a bad version is
    /// `InvalidApiVersionParameter`; elsewhere the resource provider's `NoRegisteredProviderFound`.
    native: bool,
}

fn request(built_by: &'static str, method: &'static str, path: String, body: Option<Value>) -> AppRequest {
    let native = path.starts_with("/tenants")
        || (path.starts_with("/subscriptions") && !path.contains("/providers/"))
        || path.contains("/providers/Microsoft.Resources/");
    AppRequest { built_by, method, path, body, native }
}

const VM: &str = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-01";
const ARC: &str = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-onprem/providers/Microsoft.HybridCompute/machines/srv-01";

/// Every builder and every api-version constant of `mde_core::api`, each as requests the app
/// makes with it. The names must match `api.rs` (checked below), so a new builder or constant
/// cannot be left out.
fn app_requests() -> Vec<AppRequest> {
    let sub = format!("/subscriptions/{SUB}");
    let setting = json!({ "kind": "DataExportSettings", "properties": { "enabled": true } });
    let pricing = json!({ "properties": { "pricingTier": "Standard", "subPlan": "P2" } });
    let graph = json!({ "subscriptions": [SUB], "query": MACHINES_QUERY });
    let tags = json!({ "operation": "Merge", "properties": { "tags": { "ExcludeMdeAutoUpdate": "true" } } });
    let with = |path: &str, version: &str| format!("{path}?api-version={version}");
    let (vm, arc) = (api::ResourceId::of(VM), api::ResourceId::of(ARC));
    vec![
        request("tenants", "GET", api::tenants(), None),
        request("subscriptions", "GET", api::subscriptions(), None),
        request("subscription", "GET", api::subscription(SUB), None),
        request("settings", "GET", api::settings(SUB), None),
        request("setting", "GET", api::setting(SUB, "WDATP"), None),
        request("setting", "PUT", api::setting(SUB, "WDATP"), Some(setting)),
        request("pricings", "GET", api::pricings(SUB), None),
        request("pricing", "GET", api::pricing(SUB, "VirtualMachines"), None),
        request("pricing", "PUT", api::pricing(SUB, "VirtualMachines"), Some(pricing)),
        request("permissions", "GET", api::permissions(SUB), None),
        request("resource_graph", "POST", api::resource_graph(), Some(graph)),
        // Providers are ARM's own (Microsoft.Resources), though their path names the namespace.
        AppRequest { native: true, ..request("provider", "GET", api::provider(SUB, "Microsoft.Security"), None) },
        AppRequest {
            native: true,
            ..request("register_provider", "POST", api::register_provider(SUB, "Microsoft.Security"), Some(json!({})))
        },
        AppRequest {
            native: true,
            ..request("PROVIDERS", "GET", with(&format!("{sub}/providers/Microsoft.Compute"), api::PROVIDERS), None)
        },
        request("RESOURCES", "GET", with("/tenants", api::RESOURCES), None),
        request("SETTINGS", "GET", with(&format!("{sub}/providers/Microsoft.Security/settings"), api::SETTINGS), None),
        request("PRICINGS", "GET", with(&format!("{sub}/providers/Microsoft.Security/pricings"), api::PRICINGS), None),
        request(
            "PERMISSIONS",
            "GET",
            with(&format!("{sub}/providers/Microsoft.Authorization/permissions"), api::PERMISSIONS),
            None,
        ),
        request(
            "COMPUTE",
            "GET",
            with(&format!("{sub}/providers/Microsoft.Compute/virtualMachines"), api::COMPUTE),
            None,
        ),
        request("COMPUTE", "GET", with(VM, api::COMPUTE), None),
        request("COMPUTE", "GET", with(&format!("{VM}/extensions"), api::COMPUTE), None),
        request("COMPUTE", "GET", with(&format!("{VM}/extensions/MDE.Linux"), api::COMPUTE), None),
        request("COMPUTE", "DELETE", with(&format!("{VM}/extensions/MDE.Linux"), api::COMPUTE), None),
        request(
            "HYBRID_COMPUTE",
            "GET",
            with(&format!("{sub}/providers/Microsoft.HybridCompute/machines"), api::HYBRID_COMPUTE),
            None,
        ),
        request("HYBRID_COMPUTE", "GET", with(ARC, api::HYBRID_COMPUTE), None),
        request("HYBRID_COMPUTE", "GET", with(&format!("{ARC}/extensions"), api::HYBRID_COMPUTE), None),
        request("HYBRID_COMPUTE", "DELETE", with(&format!("{ARC}/extensions/MDE.Windows"), api::HYBRID_COMPUTE), None),
        request(
            "RESOURCE_GRAPH",
            "POST",
            with("/providers/Microsoft.ResourceGraph/resources", api::RESOURCE_GRAPH),
            Some(json!({ "subscriptions": [SUB], "query": MACHINES_QUERY })),
        ),
        request(
            "TAGS",
            "PATCH",
            with(&format!("{VM}/providers/Microsoft.Resources/tags/default"), api::TAGS),
            Some(tags.clone()),
        ),
        request(
            "TAGS",
            "PATCH",
            with(&format!("{ARC}/providers/Microsoft.Resources/tags/default"), api::TAGS),
            Some(tags),
        ),
        request("ALERTS", "GET", with(&format!("{sub}/providers/Microsoft.Security/alerts"), api::ALERTS), None),
        request("alerts", "GET", api::alerts(SUB), None),
        request(
            "VM_RUN_COMMAND",
            "POST",
            with(&format!("{VM}/runCommand"), api::VM_RUN_COMMAND),
            Some(json!({ "commandId": "RunShellScript", "script": ["mdatp health --field healthy --field licensed"] })),
        ),
        request(
            "ARC_RUN_COMMANDS",
            "PUT",
            with(&format!("{ARC}/runCommands/mde-console-sensor-check"), api::ARC_RUN_COMMANDS),
            Some(json!({ "location": "westeurope", "properties": { "source": { "script": "mdatp health" } } })),
        ),
        // The machine builders, for a VM and an Arc machine alike (the id says which provider).
        request("machine", "GET", api::machine(&vm), None),
        request("machine", "GET", api::machine(&arc), None),
        request("machine_extensions", "GET", api::machine_extensions(&vm), None),
        request("machine_extensions", "GET", api::machine_extensions(&arc), None),
        request("machine_extension", "GET", api::machine_extension(&vm, "MDE.Linux"), None),
        request("machine_extension", "GET", api::machine_extension(&arc, "MDE.Windows"), None),
        request(
            "tags",
            "PATCH",
            api::tags(&vm),
            Some(json!({ "operation": "Merge", "properties": { "tags": { "ExcludeMdeAutoUpdate": "true" } } })),
        ),
        request("vm_instance_view", "GET", api::vm_instance_view(&vm), None),
        request(
            "vm_run_command",
            "POST",
            // Another VM: one runs one command at a time.
            api::vm_run_command(&api::ResourceId::of(&VM.replace("rg-web", "rg-data").replace("web-01", "sql-01"))),
            Some(json!({ "commandId": "RunShellScript", "script": ["mdatp health --field healthy --field licensed"] })),
        ),
        request(
            "arc_run_command",
            "PUT",
            api::arc_run_command(&arc, "mde-console-test-alert-1"),
            Some(json!({ "location": "westeurope", "properties": { "source": { "script": "mdatp health" } } })),
        ),
        request(
            "SECURITY_CONNECTORS",
            "GET",
            with(&format!("{sub}/providers/Microsoft.Security/securityConnectors"), api::SECURITY_CONNECTORS),
            None,
        ),
    ]
}

fn send_app(azure: &mut FakeAzure, r: &AppRequest, path: &str) -> Response<Vec<u8>> {
    send(azure, r.method, &format!("{ARM}{path}"), r.body.as_ref(), None)
}

/// The api-version in a path's query.
fn version_of(path: &str) -> &str {
    let query = path.split_once('?').map_or("", |(_, q)| q);
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("api-version="))
        .unwrap_or_else(|| panic!("{path}: no api-version"))
}

fn refused_for_version(response: &Response<Vec<u8>>) -> bool {
    response.status() == 400
        && matches!(
            error_code(response).as_str(),
            "InvalidApiVersionParameter" | "NoRegisteredProviderFound" | "MissingApiVersionParameter"
        )
}

#[test]
fn every_version_the_app_sends_is_accepted() {
    let mut azure = fake(open());
    let mut refused = Vec::new();
    for r in app_requests() {
        let response = send_app(&mut azure, &r, &r.path);
        let status = response.status().as_u16();
        if refused_for_version(&response) {
            refused.push(format!("{} {} ({}): {}", r.method, r.path, r.built_by, body(&response)["error"]["message"]));
        } else {
            // Past the api-version check means routed and answered: a 404 "no route" would
            // mean the version was never looked at.
            assert!(
                (200..300).contains(&status),
                "{} {} ({}): {status} {}",
                r.method,
                r.path,
                r.built_by,
                body(&response)
            );
        }
    }
    assert!(refused.is_empty(), "ARM would refuse these api-versions:\n{}", refused.join("\n"));
}

#[test]
fn any_other_version_gets_arms_refusal_listing_the_supported_ones() {
    let mut azure = fake(open());
    for r in app_requests() {
        let good = version_of(&r.path).to_string();
        let path = r.path.replace(&format!("api-version={good}"), "api-version=2099-01-01");
        let response = send_app(&mut azure, &r, &path);
        let what = format!("{} {path} ({})", r.method, r.built_by);
        assert_eq!(response.status(), 400, "{what}");
        let expected = if r.native { "InvalidApiVersionParameter" } else { "NoRegisteredProviderFound" };
        assert_eq!(error_code(&response), expected, "{what}");
        let message = body(&response)["error"]["message"].as_str().unwrap().to_string();
        assert!(message.contains("'2099-01-01'"), "{what}: {message}");
        assert!(message.contains(&good), "{what}: the supported versions should include {good}: {message}");
    }
}

#[test]
fn arms_own_paths_and_a_provider_answer_in_their_own_words() {
    let mut azure = fake(open());
    let native = send(&mut azure, "GET", &format!("{ARM}/subscriptions?api-version=2022-12-02"), None, None);
    assert_eq!(
        body(&native)["error"]["message"],
        "The api-version '2022-12-02' is invalid. The supported versions are '2022-12-01,2021-04-01,2021-01-01'."
    );
    let link = format!("{ARM}{VM}/extensions?api-version=2024-07-02");
    let provider = send(&mut azure, "GET", &link, None, None);
    assert_eq!(
        body(&provider)["error"]["message"],
        "No registered resource provider found for location 'global' and API version '2024-07-02' for type 'virtualMachines/extensions'. The supported api-versions are '2024-07-01, 2024-03-01'. The supported locations are ', global'."
    );
}

/// The names this test covers must be exactly the public builders and constants of `api.rs`.
#[test]
fn every_builder_and_constant_of_the_core_is_covered() {
    let source = include_str!("../../mde-core/src/api.rs");
    let declared: BTreeSet<&str> = source
        .lines()
        .filter_map(|line| line.strip_prefix("pub const ").or_else(|| line.strip_prefix("pub fn ")))
        .filter_map(|rest| rest.split(|c: char| !(c.is_alphanumeric() || c == '_')).next())
        // Encodes one path segment; it builds no request.
        .filter(|name| *name != "seg")
        .collect();
    let covered: BTreeSet<&str> = app_requests().iter().map(|r| r.built_by).collect();
    assert_eq!(declared, covered, "mde_core::api and this test's requests differ: add the new one to app_requests");
}

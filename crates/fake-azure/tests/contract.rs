//! Request bodies against Azure's published contract (`tests/fixtures/specs`): the fake refuses
//! what the OpenAPI definitions refuse, naming the field, and accepts every body the app's core
//! sends and every body of Azure's own examples.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;
use fake_azure::contract;
use mde_core::api;
use mde_core::arm::graph::{QueryRequest, QUERIES};
use mde_core::arm::run_command::VmRunCommandInput;
use mde_core::arm::settings::{put_body, WDATP, WDATP_EXCLUDE_LINUX, WDATP_UNIFIED_SOLUTION};
use mde_core::arm::tags::{TagsOperation, TagsPatch};
use mde_core::bulk::pricing_body;
use mde_core::status::ServersPlan;
use serde_json::{json, Value};

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/arm");

const VM: &str = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-02";

/// The refusal of `body` sent with `method` to `path`: status, code and message.
fn refusal(method: &str, path: &str, version: &str, body: &[u8]) -> (u16, String, String) {
    let mut azure = fake(open());
    let request = http::Request::builder().method(method).uri(url(path, version)).body(body.to_vec()).unwrap();
    let response = azure.handle(request, NOW).response.unwrap();
    let answer = common::body(&response);
    let message = answer["error"]["message"].as_str().unwrap_or_default().to_string();
    (response.status().as_u16(), error_code(&response), message)
}

/// Each bad body is refused with ARM's `400 InvalidRequestContent`, its message naming `field`.
fn refuses(method: &str, path: &str, version: &str, cases: &[(Value, &str, &str)]) {
    for (body, field, why) in cases {
        let (status, code, message) = refusal(method, path, version, body.to_string().as_bytes());
        assert_eq!((status, code.as_str()), (400, "InvalidRequestContent"), "{method} {path} {body}: {message}");
        assert!(message.starts_with("The request content was invalid and could not be deserialized: '"), "{message}");
        assert!(message.contains(&format!("Path '{field}'")), "{body}: the message should name `{field}`: {message}");
        assert!(message.contains(why), "{body}: the message should say `{why}`: {message}");
    }
}

#[test]
fn settings_bodies_are_checked_against_the_contract() {
    let path = format!("/subscriptions/{SUB}/providers/Microsoft.Security/settings/WDATP");
    refuses(
        "PUT",
        &path,
        api::SETTINGS,
        &[
            (json!({"properties": {"enabled": true}}), "kind", "Required property 'kind' not found"),
            (
                json!({"kind": "ExportSettings", "properties": {"enabled": true}}),
                "kind",
                "'DataExportSettings', 'AlertSuppressionSetting', 'AlertSyncSettings'",
            ),
            (
                json!({"kind": "DataExportSettings", "properties": {"enabled": "yes"}}),
                "properties.enabled",
                "Error converting value \"yes\" to type 'boolean'",
            ),
            // The discriminated child: `DataExportSettings` requires `properties.enabled`.
            (
                json!({"kind": "DataExportSettings", "properties": {}}),
                "properties.enabled",
                "Required property 'enabled'",
            ),
        ],
    );
    // Every api-version the fake accepts has its own contract: 2019-01-01 knows no AlertSyncSettings.
    refuses(
        "PUT",
        &format!("/subscriptions/{SUB}/providers/Microsoft.Security/settings/Sentinel"),
        "2019-01-01",
        &[(
            json!({"kind": "AlertSyncSettings", "properties": {"enabled": true}}),
            "kind",
            "'DataExportSettings', 'AlertSuppressionSetting'",
        )],
    );
}

#[test]
fn pricing_bodies_are_checked_against_the_contract() {
    let path = format!("/subscriptions/{SUB}/providers/Microsoft.Security/pricings/VirtualMachines");
    refuses(
        "PUT",
        &path,
        api::PRICINGS,
        &[
            (json!({"properties": {"subPlan": "P2"}}), "properties.pricingTier", "Required property 'pricingTier'"),
            (
                json!({"properties": {"pricingTier": "Gold"}}),
                "properties.pricingTier",
                "expected one of 'Free', 'Standard'",
            ),
            (
                json!({"properties": {"pricingTier": "Standard", "subPlan": 2}}),
                "properties.subPlan",
                "to type 'string'",
            ),
            (
                json!({"properties": {"pricingTier": "Standard", "enforce": true}}),
                "properties.enforce",
                "to type 'string'",
            ),
            (
                json!({"properties": {"pricingTier": "Standard", "extensions": [{"name": "AgentlessVmScanning"}]}}),
                "properties.extensions[0].isEnabled",
                "Required property 'isEnabled'",
            ),
        ],
    );
    // Enum values are read as the service reads them, ignoring case.
    let (status, _, message) =
        refusal("PUT", &path, api::PRICINGS, br#"{"properties": {"pricingTier": "standard", "subPlan": "P1"}}"#);
    assert_eq!(status, 200, "{message}");
}

#[test]
fn tag_patches_are_checked_against_the_contract() {
    let path = format!("{VM}/providers/Microsoft.Resources/tags/default");
    // `TagsPatchResource` requires no property: the body itself is what is required.
    let (status, code, message) = refusal("PATCH", &path, api::TAGS, b"");
    assert_eq!((status, code.as_str()), (400, "InvalidRequestContent"));
    assert!(message.contains("A request body is required"), "{message}");
    refuses(
        "PATCH",
        &path,
        api::TAGS,
        &[
            (
                json!({"operation": "Upsert", "properties": {"tags": {"a": "b"}}}),
                "operation",
                "expected one of 'Replace', 'Merge', 'Delete'",
            ),
            (
                json!({"operation": "Merge", "properties": {"tags": {"env": 5}}}),
                "properties.tags.env",
                "Error converting value 5 to type 'string'",
            ),
            (json!({"operation": "Merge", "properties": "env=prod"}), "properties", "to type 'object'"),
        ],
    );
}

#[test]
fn vm_run_command_bodies_are_checked_against_the_contract() {
    // `RunCommandInput` has no enum: `commandId` is any string to the contract, and the fake's
    // own check names the commands a VM knows.
    refuses(
        "POST",
        &format!("{VM}/runCommand"),
        api::VM_RUN_COMMAND,
        &[
            (json!({"script": ["echo hi"]}), "commandId", "Required property 'commandId'"),
            (json!({"commandId": "RunShellScript", "script": "echo hi"}), "script", "to type 'array'"),
            (
                json!({"commandId": "RunShellScript", "script": ["x"], "parameters": [{"name": "a"}]}),
                "parameters[0].value",
                "Required property 'value'",
            ),
        ],
    );
}

#[test]
fn resource_graph_queries_are_checked_against_the_contract() {
    refuses(
        "POST",
        "/providers/Microsoft.ResourceGraph/resources",
        api::RESOURCE_GRAPH,
        &[
            (json!({"subscriptions": [SUB]}), "query", "Required property 'query'"),
            (
                json!({"query": "resources", "options": {"resultFormat": "csv"}}),
                "options.resultFormat",
                "expected one of 'table', 'objectArray'",
            ),
            (json!({"query": "resources", "options": {"$top": "10"}}), "options.$top", "to type 'integer'"),
            (json!({"query": "resources", "subscriptions": SUB}), "subscriptions", "to type 'array'"),
        ],
    );
}

#[test]
fn arc_run_commands_keep_the_fakes_own_check() {
    // Stable 2024-07-10 publishes no `machines/runCommands` contract (see the specs' SOURCES.md):
    // the handler's check is all there is, and it still names the field.
    let path = format!("/subscriptions/{SUB}/resourceGroups/rg-onprem/providers/Microsoft.HybridCompute/machines/srv-01/runCommands/check");
    let (status, code, message) =
        refusal("PUT", &path, api::ARC_RUN_COMMANDS, br#"{"location": "eastus", "properties": {}}"#);
    assert_eq!((status, code.as_str()), (400, "InvalidParameter"), "{message}");
    assert!(message.contains("properties.source.script"), "{message}");
}

#[test]
fn every_body_the_core_sends_conforms() {
    let settings = [WDATP, WDATP_EXCLUDE_LINUX, WDATP_UNIFIED_SOLUTION, "Sentinel"];
    let mut sent: Vec<(&str, String, &str, Value)> = Vec::new();
    for name in settings {
        for enabled in [true, false] {
            sent.push(("PUT", api::setting(SUB, name), api::SETTINGS, put_body(name, enabled)));
        }
    }
    for plan in [ServersPlan::P1, ServersPlan::P2] {
        sent.push(("PUT", api::pricing(SUB, "VirtualMachines"), api::PRICINGS, pricing_body(plan)));
    }
    let tags = format!("{VM}/providers/Microsoft.Resources/tags/default?api-version={}", api::TAGS);
    for patch in [
        TagsPatch::exclude_mde_auto_update(true),
        TagsPatch::exclude_mde_auto_update(false),
        TagsPatch::one(TagsOperation::Merge, "owner", "it"),
    ] {
        sent.push(("PATCH", tags.clone(), api::TAGS, serde_json::to_value(patch).unwrap()));
    }
    for query in QUERIES {
        let mut request = QueryRequest::new(query.text, vec![SUB.into()]);
        sent.push(("POST", api::resource_graph(), api::RESOURCE_GRAPH, serde_json::to_value(&request).unwrap()));
        request.options.skip_token = Some("next-page".into());
        sent.push(("POST", api::resource_graph(), api::RESOURCE_GRAPH, serde_json::to_value(&request).unwrap()));
    }
    for (command_id, line) in [("RunPowerShellScript", "Get-MpComputerStatus"), ("RunShellScript", "mdatp health")] {
        let input = VmRunCommandInput { command_id: command_id.into(), script: vec![line.into()] };
        let path = format!("{VM}/runCommand?api-version={}", api::VM_RUN_COMMAND);
        sent.push(("POST", path, api::VM_RUN_COMMAND, serde_json::to_value(input).unwrap()));
    }
    for (method, link, version, body) in &sent {
        let path = link.split('?').next().unwrap();
        let operation = contract::operation(method, path, version)
            .unwrap_or_else(|| panic!("{method} {path} at {version}: no operation in the specs"));
        assert_eq!(operation.check_value(body), Ok(()), "{} ({method} {path}): {body}", operation.id);
    }
    assert!(sent.len() >= 20, "{} bodies", sent.len());
    // A provider registration is a POST with no body, which its contract allows.
    let register =
        contract::operation("POST", "/subscriptions/s/providers/Microsoft.Security/register", api::PROVIDERS);
    assert_eq!(register.map(|op| op.check(b"")), Some(Ok(())));
}

/// Fills a template's `{name}`s with the example's parameters (an ARM `{scope}` is a whole id).
fn fill(template: &str, parameters: &Value) -> String {
    let mut path = String::new();
    for segment in template.split('/').filter(|s| !s.is_empty()) {
        let value = match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => parameters[name].as_str().unwrap_or_else(|| panic!("no parameter {name}")).to_string(),
            None => segment.to_string(),
        };
        path.push('/');
        path.push_str(value.trim_matches('/'));
    }
    path
}

#[test]
fn every_example_request_body_conforms() {
    let requests: BTreeMap<String, String> =
        serde_json::from_str(&std::fs::read_to_string(Path::new(EXAMPLES).join("requests.json")).unwrap()).unwrap();
    let mut checked = Vec::new();
    for (file, request) in &requests {
        let (method, template) = request.split_once(' ').unwrap();
        if method == "GET" {
            continue;
        }
        let example: Value =
            serde_json::from_str(&std::fs::read_to_string(Path::new(EXAMPLES).join(file)).unwrap()).unwrap();
        let parameters = &example["parameters"];
        let version = parameters["api-version"].as_str().unwrap();
        let path = fill(template, parameters);
        let Some(operation) = contract::operation(method, &path, version) else {
            // Writes the fake does not serve (an alert's resolve) or that have no published
            // contract at their version (Arc run commands at 2024-07-10).
            assert!(
                file.starts_with("security-alerts/") || file.starts_with("arc-run-commands/"),
                "{file}: {method} {path} at {version} has no operation in the specs"
            );
            continue;
        };
        let body = operation.body.as_deref().map(|name| &parameters[name]);
        let result = match body {
            Some(body) if !body.is_null() => operation.check_value(body),
            _ => operation.check(b""),
        };
        assert_eq!(result, Ok(()), "{file}: {} at {version}", operation.id);
        checked.push(format!("{file} ({})", operation.id));
    }
    println!("example request bodies conforming to their contract: {}", checked.join(", "));
    assert!(checked.len() >= 11, "only {} example requests checked: {checked:?}", checked.len());
}

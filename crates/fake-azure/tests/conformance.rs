//! Conformance: the fake's answers have the shape of real ARM answers.
//!
//! For every example file under `tests/fixtures/arm/<folder>/` (copied from
//! Azure/azure-rest-api-specs), the fake answers the same kind of request twice:
//! 1. from a scenario built out of the example's own data: the whole example body (envelope,
//!    `nextLink`, every key and type) must be matched, so the fake neither drops nor invents;
//! 2. from a generated scenario: every key the app reads (JSON pointers below, each of which must
//!    exist in the real example) must exist in the fake's answer with the example's JSON type.
//!
//! A new folder without a mapping here fails the test.

mod common;

use std::path::Path;

use common::{body, NOW};
use fake_azure::generate::{scenario_json, GenerateOptions};
use fake_azure::{FakeAzure, Options};
use mde_core::arm::graph::MACHINES_QUERY;
use serde_json::{json, Value};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/arm");
const S: &str = "20ff7fc3-e762-44dd-bd96-b71116dcdc23";
const ARM: &str = "https://management.azure.com";

/// Keys whose values are free-form maps (their keys are data, not schema).
const FREE_MAPS: [&str; 3] = ["tags", "settings", "additionalExtensionProperties"];

struct Example {
    folder: String,
    file: String,
    json: Value,
}

impl Example {
    fn body(&self, status: &str) -> &Value {
        &self.json["responses"][status]["body"]
    }

    fn items(&self) -> Vec<Value> {
        self.body("200")["value"].as_array().cloned().unwrap_or_default()
    }

    fn has_next_link(&self) -> bool {
        self.body("200").get("nextLink").is_some()
    }

    /// The example's own `api-version`: the fake must accept it.
    fn version(&self) -> &str {
        self.json["parameters"]["api-version"].as_str().unwrap_or_else(|| panic!("{}: no api-version", self.file))
    }
}

fn examples() -> Vec<Example> {
    let mut all = Vec::new();
    let mut folders: Vec<_> = std::fs::read_dir(FIXTURES)
        .expect("tests/fixtures/arm exists")
        .flatten()
        .filter(|e| e.path().is_dir())
        .collect();
    folders.sort_by_key(|e| e.file_name());
    for folder in folders {
        let mut files: Vec<_> = std::fs::read_dir(folder.path())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            all.push(Example {
                folder: folder.file_name().to_string_lossy().into_owned(),
                file: file.file_name().unwrap().to_string_lossy().into_owned(),
                json: serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display())),
            });
        }
    }
    all
}

// ---- the shape comparers -------------------------------------------------------------------

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Every key of `expected` exists in `actual` with the same JSON type, recursively; lists
/// compare their first elements; `null` in the example accepts anything (ARM's "not set").
fn same_shape(expected: &Value, actual: &Value, path: &str, problems: &mut Vec<String>) {
    if expected.is_null() {
        return;
    }
    if kind(expected) != kind(actual) {
        problems.push(format!("{path}: example has {}, fake has {}", kind(expected), kind(actual)));
        return;
    }
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (key, value) in e {
                match a.get(key) {
                    None => problems.push(format!("{path}/{key}: missing in the fake's answer")),
                    Some(_) if FREE_MAPS.contains(&key.as_str()) => {}
                    Some(found) => same_shape(value, found, &format!("{path}/{key}"), problems),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => match (e.first(), a.first()) {
            (Some(e0), Some(a0)) => same_shape(e0, a0, &format!("{path}/0"), problems),
            (Some(_), None) => problems.push(format!("{path}: example has items, the fake's list is empty")),
            _ => {}
        },
        _ => {}
    }
}

/// The keys the app reads: each pointer must exist in the real example (else the list is
/// wrong) and in the fake's answer, with the example's type (any type where the example is null).
fn reads(example: &Value, actual: &Value, pointers: &[&str], problems: &mut Vec<String>) {
    for pointer in pointers {
        let expected =
            example.pointer(pointer).unwrap_or_else(|| panic!("{pointer} is not in the real example: fix the list"));
        match actual.pointer(pointer) {
            None => problems.push(format!("{pointer}: missing in the fake's answer")),
            Some(found) if !expected.is_null() && kind(found) != kind(expected) => {
                problems.push(format!("{pointer}: example has {}, fake has {}", kind(expected), kind(found)))
            }
            Some(_) => {}
        }
    }
}

// ---- talking to the fake -------------------------------------------------------------------

/// Run Command's answer, the run over at once (`lro_ms` 0): a VM's result through the action's
/// `Location`; an Arc child (`name`) PUT with `sent`, then read back.
fn run_command_answer(scenario: &Value, machine_id: &str, name: Option<&str>, sent: &Value, version: &str) -> Value {
    let options = Options { require_auth: false, lro_ms: 0, ..Options::default() };
    let mut azure = FakeAzure::from_scenario_json(&scenario.to_string(), options).unwrap_or_else(|e| panic!("{e}"));
    let Some(name) = name else {
        let link = format!("{ARM}{machine_id}/runCommand?api-version={version}");
        let script = json!({ "commandId": "RunPowerShellScript", "script": ["Write-Output 'sample'"] });
        let accepted = common::send(&mut azure, "POST", &link, Some(&script), None);
        assert_eq!(accepted.status(), 202, "{}", String::from_utf8_lossy(accepted.body()));
        let location = common::header(&accepted, "location").expect("a Location").to_string();
        return common::body(&common::get(&mut azure, &location));
    };
    let link = format!("{ARM}{machine_id}/runCommands/{name}?api-version={version}");
    let created = common::send(&mut azure, "PUT", &link, Some(sent), None);
    assert_eq!(created.status(), 201, "{}", String::from_utf8_lossy(created.body()));
    common::body(&common::get(&mut azure, &link))
}

fn fake(scenario: &Value, page_size: usize) -> FakeAzure {
    let options = Options { page_size, require_auth: false, ..Options::default() };
    FakeAzure::from_scenario_json(&scenario.to_string(), options).unwrap_or_else(|e| panic!("{e}"))
}

fn call(azure: &mut FakeAzure, method: &str, path: &str, version: &str, payload: Option<&Value>) -> Value {
    let link = format!("{ARM}{path}?api-version={version}");
    let response = common::send(azure, method, &link, payload, None);
    assert!(
        response.status().is_success(),
        "{method} {link}: {} {}",
        response.status(),
        String::from_utf8_lossy(response.body())
    );
    body(&response)
}

fn owner() -> Value {
    json!([{ "actions": ["*"], "notActions": [] }])
}

/// One subscription `S` with `extra` keys, plus `top` keys at the root.
fn scenario(top: Value, extra: Value) -> Value {
    let mut sub = json!({ "subscription": { "subscriptionId": S, "displayName": "conformance", "state": "Enabled" }, "permissions": owner() });
    sub.as_object_mut().unwrap().extend(extra.as_object().cloned().unwrap_or_default());
    let mut root = json!({ "subscriptions": [sub] });
    root.as_object_mut().unwrap().extend(top.as_object().cloned().unwrap_or_default());
    root
}

/// The example's items, then copies so that a page of exactly the example's length is followed
/// by a `nextLink` when the example shows one. `renamed` gives the copies new unique keys.
fn padded(example: &Example, renamed: impl Fn(&Value, usize) -> Value) -> (Vec<Value>, usize) {
    let items = example.items();
    let mut all = items.clone();
    if example.has_next_link() {
        all.extend(items.iter().enumerate().map(|(i, item)| renamed(item, i)));
    }
    (all, items.len().max(1))
}

fn machine(kind: &str, i: usize, item: &Value) -> Value {
    let (provider, folder) = if kind == "vm" {
        ("Microsoft.Compute/virtualMachines", "vm")
    } else {
        ("Microsoft.HybridCompute/machines", "m")
    };
    let mut item = item.clone();
    item["id"] = json!(format!("/subscriptions/{S}/resourceGroups/rg/providers/{provider}/{folder}{i}"));
    item
}

/// Examples of what the fake does not serve, with why (in file order): they are parsed by the core's test
/// (`arm_examples.rs`) and back the fake's api-versions, but have no answer here to compare.
const NOT_SERVED: [(&str, &str); 2] = [
    (
        "providers/GetProvider.json",
        "a provider's resource types are not modelled; its registration state is (checked with generated data)",
    ),
    (
        "security-alerts/UpdateAlertSubscriptionLocation_resolve_example_2020-01-01.json",
        "alert state changes are not modelled (and the example's 204 has no body)",
    ),
];

/// A request parameter of the example, as text.
fn param<'e>(example: &'e Example, name: &str) -> Option<&'e str> {
    example.json["parameters"][name].as_str()
}

/// Check 1: the fake's answer, from the example's own data, to the example's request with the
/// example's own api-version. `None` for the examples of [`NOT_SERVED`].
fn from_example_data(example: &Example) -> Option<(Value, Value)> {
    let here = format!("{}/{}", example.folder, example.file);
    if NOT_SERVED.iter().any(|(file, _)| *file == here) {
        return None;
    }
    let expected = example.body("200").clone();
    let p = &example.json["parameters"];
    let version = example.version();
    let sub = format!("/subscriptions/{S}");
    let actual = match example.folder.as_str() {
        "tenants" => {
            let (all, page) = padded(example, |t, i| {
                let mut t = t.clone();
                t["tenantId"] = json!(format!("pad-{i}"));
                t
            });
            call(&mut fake(&scenario(json!({ "tenants": all }), json!({})), page), "GET", "/tenants", version, None)
        }
        "subscriptions" if param(example, "subscriptionId").is_some() => {
            let id = expected["subscriptionId"].as_str().unwrap();
            let subs = json!([{ "subscription": expected, "permissions": owner() }]);
            call(
                &mut fake(&json!({ "subscriptions": subs }), 100),
                "GET",
                &format!("/subscriptions/{id}"),
                version,
                None,
            )
        }
        "subscriptions" => {
            let (all, page) = padded(example, |s, i| {
                let mut s = s.clone();
                s["subscriptionId"] = json!(format!("pad-{i}"));
                s
            });
            let subs: Vec<Value> =
                all.into_iter().map(|s| json!({ "subscription": s, "permissions": owner() })).collect();
            call(&mut fake(&json!({ "subscriptions": subs }), page), "GET", "/subscriptions", version, None)
        }
        "security-settings" => {
            let settings = format!("{sub}/providers/Microsoft.Security/settings");
            match (param(example, "settingName"), p.get("setting")) {
                (Some(name), Some(request)) => {
                    let mut before = expected.clone();
                    before["properties"]["enabled"] = json!(!expected["properties"]["enabled"].as_bool().unwrap());
                    let mut azure = fake(&scenario(json!({}), json!({ "settings": [before] })), 100);
                    call(&mut azure, "PUT", &format!("{settings}/{name}"), version, Some(request))
                }
                (Some(name), None) => {
                    let mut azure = fake(&scenario(json!({}), json!({ "settings": [expected] })), 100);
                    call(&mut azure, "GET", &format!("{settings}/{name}"), version, None)
                }
                _ => {
                    let mut azure = fake(&scenario(json!({}), json!({ "settings": example.items() })), 100);
                    call(&mut azure, "GET", &settings, version, None)
                }
            }
        }
        "security-pricings" => {
            let pricings = format!("{sub}/providers/Microsoft.Security/pricings");
            match (param(example, "pricingName"), p.get("pricing")) {
                (Some(name), Some(request)) => {
                    let mut before = expected.clone();
                    before["properties"]["enforce"] = json!("False");
                    let mut azure = fake(&scenario(json!({}), json!({ "pricings": [before] })), 100);
                    call(&mut azure, "PUT", &format!("{pricings}/{name}"), version, Some(request))
                }
                // Resource-scope pricings are not modelled: the subscription-scope GET answers
                // with the same object shape.
                (Some(name), None) => {
                    let mut azure = fake(&scenario(json!({}), json!({ "pricings": [expected] })), 100);
                    call(&mut azure, "GET", &format!("{pricings}/{name}"), version, None)
                }
                _ => {
                    let mut azure = fake(&scenario(json!({}), json!({ "pricings": example.items() })), 100);
                    call(&mut azure, "GET", &pricings, version, None)
                }
            }
        }
        "authorization" => {
            let (all, page) = padded(example, |p, _| p.clone());
            let mut azure = fake(&scenario(json!({}), json!({ "permissions": all })), page);
            call(&mut azure, "GET", &format!("{sub}/providers/Microsoft.Authorization/permissions"), version, None)
        }
        "vm" | "arc-machines" => {
            let kind = if example.folder == "vm" { "vm" } else { "arc" };
            let (key, path) = if kind == "vm" {
                ("virtualMachines", "Microsoft.Compute/virtualMachines")
            } else {
                ("arcMachines", "Microsoft.HybridCompute/machines")
            };
            if param(example, "vmName").or(param(example, "machineName")).is_some() {
                let one = machine(kind, 0, &expected);
                let mut azure = fake(&scenario(json!({}), json!({ key: [{ "resource": one.clone() }] })), 100);
                call(&mut azure, "GET", one["id"].as_str().unwrap(), version, None)
            } else {
                let (all, page) = padded(example, |m, _| m.clone());
                let machines: Vec<Value> =
                    all.iter().enumerate().map(|(i, m)| json!({ "resource": machine(kind, i, m) })).collect();
                let mut azure = fake(&scenario(json!({}), json!({ key: machines })), page);
                // `machine` puts every machine in resource group `rg`.
                let scope = if param(example, "resourceGroupName").is_some() { "/resourceGroups/rg" } else { "" };
                call(&mut azure, "GET", &format!("{sub}{scope}/providers/{path}"), version, None)
            }
        }
        "vm-instance-view" => {
            // The scenario holds a VM's instance view where ARM's `$expand=instanceView` puts it.
            let one = machine("vm", 0, &json!({ "name": "vm0", "properties": { "instanceView": expected } }));
            let mut azure =
                fake(&scenario(json!({}), json!({ "virtualMachines": [{ "resource": one.clone() }] })), 100);
            call(&mut azure, "GET", &format!("{}/instanceView", one["id"].as_str().unwrap()), version, None)
        }
        "vm-extensions" | "arc-extensions" => {
            let kind = if example.folder == "vm-extensions" { "vm" } else { "arc" };
            // A VM extension shows its instance view only when asked; the examples' `$expand`
            // value is generated filler, `instanceView` the one ARM takes.
            let expanded = format!("{version}&$expand=instanceView");
            let version = if kind == "vm" && p.get("$expand").is_some() { expanded.as_str() } else { version };
            let resource = machine(kind, 0, &json!({ "name": "m" }));
            let key = if kind == "vm" { "virtualMachines" } else { "arcMachines" };
            let machine_id = resource["id"].as_str().unwrap().to_string();
            match param(example, "vmExtensionName").or(param(example, "extensionName")) {
                Some(name) => {
                    // The fake finds extensions by `name`; the minimal example has none.
                    let mut stored = expected.clone();
                    stored["name"] = json!(name);
                    let machines = json!([{ "resource": resource, "extensions": [stored] }]);
                    let mut azure = fake(&scenario(json!({}), json!({ key: machines })), 100);
                    call(&mut azure, "GET", &format!("{machine_id}/extensions/{name}"), version, None)
                }
                None => {
                    let machines = json!([{ "resource": resource, "extensions": example.items() }]);
                    let mut azure = fake(&scenario(json!({}), json!({ key: machines })), 100);
                    call(&mut azure, "GET", &format!("{machine_id}/extensions"), version, None)
                }
            }
        }
        "resourcegraph" => graph_answer(&example.file, &expected, version),
        "tags" => {
            let resource = machine("vm", 0, &json!({ "name": "vm0", "tags": { "old": "tag" } }));
            let mut azure =
                fake(&scenario(json!({}), json!({ "virtualMachines": [{ "resource": resource.clone() }] })), 100);
            let path = format!("{}/providers/Microsoft.Resources/tags/default", resource["id"].as_str().unwrap());
            // The 2021-04-01 example sends `{}` at a management group; the fake serves machines'
            // tags, so the same PATCH on a VM carries an (empty) Merge instead.
            let request = p["parameters"].get("operation").map_or_else(
                || json!({ "operation": "Merge", "properties": { "tags": {} } }),
                |_| p["parameters"].clone(),
            );
            call(&mut azure, "PATCH", &path, version, Some(&request))
        }
        "security-alerts" => {
            let mut azure = fake(&scenario(json!({}), json!({ "alerts": example.items() })), 100);
            call(&mut azure, "GET", &format!("{sub}/providers/Microsoft.Security/alerts"), version, None)
        }
        "security-connectors" => {
            let connectors = format!("{sub}/providers/Microsoft.Security/securityConnectors");
            if param(example, "securityConnectorName").is_some() {
                // One connector (a resource-group GET the fake does not route) has the shape of
                // an item of the subscription's list.
                let mut azure = fake(&scenario(json!({}), json!({ "securityConnectors": [expected] })), 100);
                call(&mut azure, "GET", &connectors, version, None)["value"][0].clone()
            } else {
                let mut azure = fake(&scenario(json!({}), json!({ "securityConnectors": example.items() })), 100);
                call(&mut azure, "GET", &connectors, version, None)
            }
        }
        "providers" if example.file.starts_with("Register") => {
            let namespace = param(example, "resourceProviderNamespace").unwrap();
            let mut azure = fake(&scenario(json!({}), json!({ "unregisteredProviders": [namespace] })), 100);
            call(&mut azure, "POST", &format!("{sub}/providers/{namespace}/register"), version, None)
        }
        "vm-run-command" | "arc-run-commands" => {
            let kind = if example.folder == "vm-run-command" { "vm" } else { "arc" };
            let key = if kind == "vm" { "virtualMachines" } else { "arcMachines" };
            let resource = machine(kind, 0, &json!({ "name": "m", "location": "westeurope" }));
            let id = resource["id"].as_str().unwrap().to_string();
            let scenario = scenario(json!({}), json!({ key: [{ "resource": resource }] }));
            // The Arc child from the example's request, or from what its GET shows.
            let sent = p.get("runCommandProperties").cloned().unwrap_or_else(|| {
                let mut sent = expected.clone();
                if let Some(properties) = sent["properties"].as_object_mut() {
                    properties.retain(|k, _| !["instanceView", "provisioningState"].contains(&k.as_str()));
                }
                sent
            });
            run_command_answer(&scenario, &id, param(example, "runCommandName"), &sent, version)
        }
        _ => panic!("no conformance mapping for {here}: add one"),
    };
    Some((expected, actual))
}

/// Resource Graph: the example's query is not one the fake runs, so the same kind of request
/// (a paged query) is sent with the app's machines query over a generated tenant. Its rows have
/// every column the examples' rows have (`summarize by location` keeps `location` only).
fn graph_answer(file: &str, expected: &Value, version: &str) -> Value {
    let generated: Value =
        serde_json::from_str(&scenario_json(&GenerateOptions { subscriptions: 6, machines: 40, ..Default::default() }))
            .unwrap();
    let mut azure = fake(&generated, 100);
    let path = "/providers/Microsoft.ResourceGraph/resources";
    let query = |options: Value| json!({ "subscriptions": [], "query": MACHINES_QUERY, "options": options });
    let top = expected["count"].as_u64().unwrap();
    match file {
        "ResourcesNextPageQuery.json" => {
            let first = call(&mut azure, "POST", path, version, Some(&query(json!({ "$top": top }))));
            let token = first["$skipToken"].clone();
            call(&mut azure, "POST", path, version, Some(&query(json!({ "$top": top, "$skipToken": token }))))
        }
        "ResourcesFirstPageQuery.json" => {
            call(&mut azure, "POST", path, version, Some(&query(json!({ "$top": top, "$skip": 0 }))))
        }
        _ => call(&mut azure, "POST", path, version, Some(&query(json!({ "$top": 1000 })))),
    }
}

#[test]
fn every_example_is_answered_with_its_shape_from_its_own_data() {
    let all = examples();
    let mut problems = Vec::new();
    let mut skipped = Vec::new();
    for example in &all {
        let Some((expected, actual)) = from_example_data(example) else {
            skipped.push(format!("{}/{}", example.folder, example.file));
            continue;
        };
        let mut found = Vec::new();
        same_shape(&expected, &actual, "", &mut found);
        problems.extend(found.into_iter().map(|p| format!("{}/{}: {p}", example.folder, example.file)));
    }
    assert!(problems.is_empty(), "the fake drifted from ARM:\n{}", problems.join("\n"));
    let not_served: Vec<String> = NOT_SERVED.iter().map(|(file, _)| file.to_string()).collect();
    assert_eq!(skipped, not_served, "every example not served is listed in NOT_SERVED, with why");
    let folders: std::collections::BTreeSet<&str> = all.iter().map(|e| e.folder.as_str()).collect();
    println!("conformance (example data): {} example files in {} folders", all.len(), folders.len());
    assert!(folders.len() >= 13 && all.len() >= 22, "fixtures went missing: {folders:?}");
}

// ---- check 2: generated data ---------------------------------------------------------------

struct Generated {
    scenario: Value,
}

impl Generated {
    fn new() -> Self {
        let options = GenerateOptions { subscriptions: 24, machines: 600, seed: 7, ..Default::default() };
        Generated { scenario: serde_json::from_str(&scenario_json(&options)).unwrap() }
    }

    /// The first owner-like subscription satisfying `wanted`.
    fn pick(&self, wanted: impl Fn(&Value) -> bool) -> String {
        self.scenario["subscriptions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["permissions"][0]["actions"][0] == "*" && s["subscription"]["state"] == "Enabled")
            .find(|s| wanted(s))
            .map(|s| s["subscription"]["subscriptionId"].as_str().unwrap().to_string())
            .expect("the generator makes such a subscription")
    }

    /// A VM whose instance view says nothing (running) or says running: Run Command needs one.
    fn running_vm(&self) -> String {
        let running = |vm: &&Value| {
            vm["resource"]["properties"]["instanceView"]["statuses"]
                .as_array()
                .is_none_or(|s| s.iter().any(|st| st["code"] == "PowerState/running"))
        };
        let vms = self.scenario["subscriptions"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["virtualMachines"].as_array().unwrap());
        vms.clone().find(running).expect("a running VM")["resource"]["id"].as_str().unwrap().to_string()
    }

    fn first_machine_with_extensions(&self, key: &str) -> String {
        let sub =
            self.pick(|s| s[key].as_array().unwrap().iter().any(|m| !m["extensions"].as_array().unwrap().is_empty()));
        let subs = self.scenario["subscriptions"].as_array().unwrap();
        let entry = subs.iter().find(|s| s["subscription"]["subscriptionId"] == sub.as_str()).unwrap();
        let machine =
            entry[key].as_array().unwrap().iter().find(|m| !m["extensions"].as_array().unwrap().is_empty()).unwrap();
        machine["resource"]["id"].as_str().unwrap().to_string()
    }
}

fn count(s: &Value, key: &str) -> usize {
    s[key].as_array().map_or(0, Vec::len)
}

const TENANT_READS: &[&str] = &["/value/0/tenantId", "/value/0/displayName", "/value/0/defaultDomain", "/nextLink"];
const SUBSCRIPTION_READS: &[&str] =
    &["/value/0/subscriptionId", "/value/0/displayName", "/value/0/tenantId", "/value/0/state", "/nextLink"];
const SETTING_READS: &[&str] = &["/value/0/id", "/value/0/name", "/value/0/kind", "/value/0/properties/enabled"];
const PRICING_READS: &[&str] = &[
    "/value/0/id",
    "/value/0/name",
    "/value/0/properties/pricingTier",
    "/value/0/properties/subPlan",
    "/value/0/properties/enforce",
    "/value/0/properties/extensions/0/name",
    "/value/0/properties/extensions/0/isEnabled",
];
const PERMISSION_READS: &[&str] =
    &["/value/0/actions", "/value/0/notActions", "/value/0/dataActions", "/value/0/notDataActions"];
const VM_READS: &[&str] = &[
    "/value/0/id",
    "/value/0/name",
    "/value/0/location",
    "/value/0/tags",
    "/value/0/properties/vmId",
    "/value/0/properties/provisioningState",
    "/value/0/properties/storageProfile/imageReference/publisher",
    "/value/0/properties/storageProfile/imageReference/offer",
    "/value/0/properties/storageProfile/imageReference/sku",
    "/value/0/properties/storageProfile/osDisk/osType",
    "/value/0/properties/storageProfile/osDisk/name",
    "/value/0/properties/osProfile/computerName",
];
/// A VM's power state: the `PowerState/...` status after the provisioning one.
const VM_INSTANCE_VIEW_READS: &[&str] = &["/statuses/0/code", "/statuses/1/code", "/statuses/1/displayStatus"];
/// VM extension lists carry `instanceView` only with `$expand=instanceView` (the example used
/// it); the app does not ask for it.
const VM_EXTENSION_READS: &[&str] = &[
    "/value/0/id",
    "/value/0/name",
    "/value/0/location",
    "/value/0/properties/publisher",
    "/value/0/properties/type",
    "/value/0/properties/typeHandlerVersion",
    "/value/0/properties/provisioningState",
    "/value/0/properties/autoUpgradeMinorVersion",
];
const ARC_READS: &[&str] = &[
    "/value/0/id",
    "/value/0/name",
    "/value/0/location",
    "/value/0/tags",
    "/value/0/kind",
    "/value/0/properties/provisioningState",
    "/value/0/properties/status",
    "/value/0/properties/lastStatusChange",
    "/value/0/properties/agentVersion",
    "/value/0/properties/osType",
    "/value/0/properties/osSku",
    "/value/0/properties/osVersion",
    "/value/0/properties/osEdition",
    "/value/0/properties/displayName",
    "/value/0/properties/machineFqdn",
    "/value/0/properties/vmId",
    "/value/0/properties/errorDetails",
    "/nextLink",
];
const ARC_EXTENSION_READS: &[&str] = &[
    "/value/0/id",
    "/value/0/name",
    "/value/0/location",
    "/value/0/properties/publisher",
    "/value/0/properties/type",
    "/value/0/properties/typeHandlerVersion",
    "/value/0/properties/provisioningState",
    "/value/0/properties/autoUpgradeMinorVersion",
    "/value/0/properties/instanceView/status/code",
    "/value/0/properties/instanceView/status/level",
    "/value/0/properties/instanceView/status/displayStatus",
    "/value/0/properties/instanceView/status/message",
    "/value/0/properties/instanceView/status/time",
];
const GRAPH_READS: &[&str] = &[
    "/totalRecords",
    "/count",
    "/resultTruncated",
    "/facets",
    "/$skipToken",
    "/data/0/id",
    "/data/0/name",
    "/data/0/type",
    "/data/0/location",
];
const TAG_READS: &[&str] = &["/id", "/properties/tags"];
const PROVIDER_READS: &[&str] = &["/namespace", "/registrationState"];
/// What the app reads of Run Command: the VM action's statuses, the Arc child's instance view.
const VM_RUN_COMMAND_READS: &[&str] = &["/value/0/code", "/value/0/message"];
const ARC_RUN_COMMAND_READS: &[&str] = &[
    "/properties/provisioningState",
    "/properties/instanceView/executionState",
    "/properties/instanceView/exitCode",
    "/properties/instanceView/output",
    "/properties/instanceView/error",
];

const ALERT_READS: &[&str] = &[
    "/value/0/id",
    "/value/0/name",
    "/value/0/properties/alertType",
    "/value/0/properties/alertDisplayName",
    "/value/0/properties/description",
    "/value/0/properties/severity",
    "/value/0/properties/status",
    "/value/0/properties/intent",
    "/value/0/properties/compromisedEntity",
    "/value/0/properties/resourceIdentifiers/0/type",
    "/value/0/properties/resourceIdentifiers/0/azureResourceId",
    "/value/0/properties/timeGeneratedUtc",
    "/value/0/properties/startTimeUtc",
    "/value/0/properties/endTimeUtc",
    "/value/0/properties/alertUri",
    "/value/0/properties/systemAlertId",
    "/value/0/properties/productName",
    "/value/0/properties/vendorName",
    "/value/0/properties/remediationSteps",
    "/value/0/properties/isIncident",
];
const CONNECTOR_READS: &[&str] = &[
    "/value/0/id",
    "/value/0/name",
    "/value/0/location",
    "/value/0/tags",
    "/value/0/properties/environmentName",
    "/value/0/properties/hierarchyIdentifier",
    "/value/0/properties/environmentData/environmentType",
    "/value/0/properties/offerings/0/offeringType",
];

#[test]
fn generated_tenants_answer_every_key_the_app_reads() {
    let all = examples();
    let by_file = |name: &str| all.iter().find(|e| e.file == name).unwrap_or_else(|| panic!("{name} is missing"));
    // Each request carries the api-version of the example it is compared with.
    let v = |name: &str| by_file(name).version().to_string();
    let generated = Generated::new();
    let mut azure = fake(&generated.scenario, 1);
    let mut roomy = fake(&generated.scenario, 100);
    let settings_sub = generated.pick(|s| count(s, "settings") > 0);
    let p2_sub = generated.pick(|s| s["pricings"][0]["properties"]["subPlan"] == "P2");
    let arc_sub = generated.pick(|s| count(s, "arcMachines") > 1);
    let alert_sub = generated.pick(|s| count(s, "alerts") > 0);
    let connector_sub = generated.pick(|s| count(s, "securityConnectors") > 0);
    let vm_sub = generated.pick(|s| count(s, "virtualMachines") > 0);
    let vm = generated.first_machine_with_extensions("virtualMachines");
    let arc = generated.first_machine_with_extensions("arcMachines");
    let graph = json!({ "subscriptions": [], "query": MACHINES_QUERY, "options": { "$top": 3 } });
    let tags = json!({ "operation": "Merge", "properties": { "tags": { "ExcludeMdeAutoUpdate": "true" } } });
    let checks: Vec<(&str, &[&str], Value)> = vec![
        ("GetTenants.json", TENANT_READS, call(&mut azure, "GET", "/tenants", &v("GetTenants.json"), None)),
        (
            "GetProvider.json",
            PROVIDER_READS,
            call(
                &mut roomy,
                "GET",
                &format!("/subscriptions/{settings_sub}/providers/Microsoft.Security"),
                &v("GetProvider.json"),
                None,
            ),
        ),
        (
            "GetSubscriptions.json",
            SUBSCRIPTION_READS,
            call(&mut azure, "GET", "/subscriptions", &v("GetSubscriptions.json"), None),
        ),
        (
            "GetSettings_example.json",
            SETTING_READS,
            call(
                &mut roomy,
                "GET",
                &format!("/subscriptions/{settings_sub}/providers/Microsoft.Security/settings"),
                &v("GetSettings_example.json"),
                None,
            ),
        ),
        (
            "ListPricings_example.json",
            PRICING_READS,
            call(
                &mut roomy,
                "GET",
                &format!("/subscriptions/{p2_sub}/providers/Microsoft.Security/pricings"),
                &v("ListPricings_example.json"),
                None,
            ),
        ),
        (
            "GetPermissions.json",
            PERMISSION_READS,
            call(
                &mut roomy,
                "GET",
                &format!("/subscriptions/{vm_sub}/providers/Microsoft.Authorization/permissions"),
                &v("GetPermissions.json"),
                None,
            ),
        ),
        (
            "VirtualMachine_ListBySubscription_ByLocation.json",
            VM_READS,
            call(
                &mut roomy,
                "GET",
                &format!("/subscriptions/{vm_sub}/providers/Microsoft.Compute/virtualMachines"),
                &v("VirtualMachine_ListBySubscription_ByLocation.json"),
                None,
            ),
        ),
        (
            "VirtualMachine_Get_InstanceView.json",
            VM_INSTANCE_VIEW_READS,
            call(&mut roomy, "GET", &format!("{vm}/instanceView"), &v("VirtualMachine_Get_InstanceView.json"), None),
        ),
        (
            "VirtualMachineExtension_List_MaximumSet_Gen.json",
            VM_EXTENSION_READS,
            call(
                &mut roomy,
                "GET",
                &format!("{vm}/extensions"),
                &v("VirtualMachineExtension_List_MaximumSet_Gen.json"),
                None,
            ),
        ),
        (
            "Machines_ListBySubscription.json",
            ARC_READS,
            call(
                &mut azure,
                "GET",
                &format!("/subscriptions/{arc_sub}/providers/Microsoft.HybridCompute/machines"),
                &v("Machines_ListBySubscription.json"),
                None,
            ),
        ),
        (
            "Extension_List.json",
            ARC_EXTENSION_READS,
            call(&mut roomy, "GET", &format!("{arc}/extensions"), &v("Extension_List.json"), None),
        ),
        (
            "ResourcesFirstPageQuery.json",
            GRAPH_READS,
            call(
                &mut roomy,
                "POST",
                "/providers/Microsoft.ResourceGraph/resources",
                &v("ResourcesFirstPageQuery.json"),
                Some(&graph),
            ),
        ),
        (
            "PatchTagsResource.json",
            TAG_READS,
            call(
                &mut roomy,
                "PATCH",
                &format!("{vm}/providers/Microsoft.Resources/tags/default"),
                &v("PatchTagsResource.json"),
                Some(&tags),
            ),
        ),
        (
            "GetAlertsSubscription_example.json",
            ALERT_READS,
            call(
                &mut roomy,
                "GET",
                &format!("/subscriptions/{alert_sub}/providers/Microsoft.Security/alerts"),
                &v("GetAlertsSubscription_example.json"),
                None,
            ),
        ),
        (
            "GetSecurityConnectorsSubscription_example.json",
            CONNECTOR_READS,
            call(
                &mut roomy,
                "GET",
                &format!("/subscriptions/{connector_sub}/providers/Microsoft.Security/securityConnectors"),
                &v("GetSecurityConnectorsSubscription_example.json"),
                None,
            ),
        ),
        (
            "VirtualMachineRunCommand.json",
            VM_RUN_COMMAND_READS,
            run_command_answer(
                &generated.scenario,
                &generated.running_vm(),
                None,
                &json!({}),
                &v("VirtualMachineRunCommand.json"),
            ),
        ),
        (
            "RunCommands_Get.json",
            ARC_RUN_COMMAND_READS,
            run_command_answer(
                &generated.scenario,
                &generated.first_machine_with_extensions("arcMachines"),
                Some("check"),
                &json!({ "location": "westeurope", "properties": { "source": { "script": "mdatp health --field healthy --field licensed" } } }),
                &v("RunCommands_Get.json"),
            ),
        ),
    ];
    let mut problems = Vec::new();
    let mut keys = 0;
    let mut folders = std::collections::BTreeSet::new();
    for (file, pointers, actual) in &checks {
        let example = by_file(file);
        folders.insert(example.folder.clone());
        let mut found = Vec::new();
        reads(example.body("200"), actual, pointers, &mut found);
        keys += pointers.len();
        problems.extend(found.into_iter().map(|p| format!("{file}: {p}")));
    }
    assert!(problems.is_empty(), "generated answers lack keys the app reads:\n{}", problems.join("\n"));
    let served = |e: &&Example| !NOT_SERVED.iter().any(|(file, _)| *file == format!("{}/{}", e.folder, e.file));
    let all_folders: std::collections::BTreeSet<String> = all.iter().filter(served).map(|e| e.folder.clone()).collect();
    // Security settings GET one / PUT and pricing GET one / PUT are the list items' shape.
    assert_eq!(folders, all_folders, "every fixture folder has an app-reads check");
    println!("conformance (generated data): {keys} keys the app reads, {} folders", folders.len());
}

#[test]
fn shape_comparer_catches_drift() {
    let example = json!({ "value": [{ "id": "x", "properties": { "enabled": true, "osType": null }, "tags": { "a": "b" } }], "nextLink": "n" });
    let mut problems = Vec::new();
    same_shape(
        &example,
        &json!({ "value": [{ "id": "x", "properties": { "enabled": "true", "osType": 3 }, "tags": {} }] }),
        "",
        &mut problems,
    );
    assert_eq!(
        problems,
        [
            "/nextLink: missing in the fake's answer",
            "/value/0/properties/enabled: example has boolean, fake has string"
        ]
    );
    assert!(Path::new(FIXTURES).join("SOURCES.md").exists());
    let _ = NOW;
}

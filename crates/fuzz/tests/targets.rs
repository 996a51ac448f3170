//! One fuzz target per parser of outside input. `make fuzz` runs each for `FUZZ_SECONDS` (60 by
//! default); `cargo test` replays the seeds and the corpus and runs one small batch.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde_json::Value;

use fuzz::inputs::{hostile_string, json_inputs};
use fuzz::{fuzz, repo_root};
use mde_core::arm::alerts::Alert;
use mde_core::arm::connectors::SecurityConnector;
use mde_core::arm::graph::{PlanRow, QueryResponse};
use mde_core::arm::machines::{
    is_mde_extension, ArcExtension, ArcMachine, VirtualMachine, VmExtension, VmInstanceView,
};
use mde_core::arm::permissions::{allows, Permission};
use mde_core::arm::pricings::Pricing;
use mde_core::arm::providers::Provider;
use mde_core::arm::settings::Setting;
use mde_core::arm::subscriptions::Subscription;
use mde_core::arm::tags::TagsResource;
use mde_core::arm::tenants::Tenant;
use mde_core::arm::{ArmErrorBody, Page};
use mde_core::auth::{read_callback, strip_callback, Callback};
use mde_core::coverage::{by_subscription, MachineRow};
use mde_core::deployment::rows::{arc_extension, arc_machine, vm_extension, vm_machine, DeploymentRow};
use proptest::prelude::*;

/// The response bodies of the real ARM examples of `folders` (all when empty), as (name, JSON).
fn arm_examples(folders: &[&str]) -> Vec<(String, String)> {
    let root = repo_root().join("tests/fixtures/arm");
    let mut out = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(&root).expect("tests/fixtures/arm").filter_map(Result::ok).collect();
    dirs.sort_by_key(|d| d.file_name());
    for dir in dirs.into_iter().filter(|d| d.path().is_dir()) {
        let folder = dir.file_name().to_string_lossy().into_owned();
        if !folders.is_empty() && !folders.contains(&folder.as_str()) {
            continue;
        }
        let mut files: Vec<_> = std::fs::read_dir(dir.path()).expect("folder").filter_map(Result::ok).collect();
        files.sort_by_key(|f| f.file_name());
        for file in files {
            let example: Value =
                serde_json::from_str(&std::fs::read_to_string(file.path()).expect("read")).expect("JSON");
            for (status, response) in example["responses"].as_object().into_iter().flatten() {
                if let Some(body) = response.get("body") {
                    out.push((format!("{}#{status}", file.path().display()), body.to_string()));
                }
            }
        }
    }
    assert!(!out.is_empty(), "no ARM examples for {folders:?}");
    out
}

/// Parses `text` as `T`: a refusal must be serde's error with a message.
fn parse<T: DeserializeOwned>(text: &str) -> Result<Option<T>, String> {
    match serde_json::from_str::<T>(text) {
        Ok(value) => Ok(Some(value)),
        Err(e) if e.to_string().trim().is_empty() => {
            Err(format!("{}: a refusal with no message", std::any::type_name::<T>()))
        }
        Err(_) => Ok(None),
    }
}

/// Each model alone and as a list page.
fn items<T: DeserializeOwned>(text: &str) -> Result<Vec<T>, String> {
    let mut out: Vec<T> = parse::<T>(text)?.into_iter().collect();
    if let Some(page) = parse::<Page<T>>(text)? {
        let _ = page.next();
        out.extend(page.value);
    }
    Ok(out)
}

/// Every ARM model the app reads, then what the app derives from each.
fn arm_models(text: &str) -> Result<(), String> {
    for s in items::<Subscription>(text)? {
        let _ = s.is_enabled();
    }
    for t in items::<Tenant>(text)? {
        let _ = t.label();
    }
    items::<Setting>(text)?;
    items::<Pricing>(text)?;
    let permissions = items::<Permission>(text)?;
    let _ = allows(&permissions, "Microsoft.Security/pricings/write");
    for p in items::<Provider>(text)? {
        let _ = p.registered();
    }
    for t in items::<TagsResource>(text)? {
        let _ = t.excludes_mde_auto_update();
    }
    for a in items::<Alert>(text)? {
        let _ = a.azure_resource_ids().count();
        let _ = a.concerns("/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm");
    }
    for c in items::<SecurityConnector>(text)? {
        let _ = c.has_defender_for_servers();
    }
    let vm_extensions = items::<VmExtension>(text)?;
    for vm in items::<VirtualMachine>(text)? {
        let _ = (vm.display_name(), vm.os_family(), vm.power_state());
        let _ = vm.properties.storage_profile.image_reference.as_ref().and_then(|i| i.label());
        for ext in &vm_extensions {
            let _ = is_mde_extension(ext);
            let _ = vm_machine(&vm, "sub", Some(vm_extension(ext)));
        }
        let _ = vm_machine(&vm, "", None);
    }
    for view in items::<VmInstanceView>(text)? {
        let _ = (view.power_state(), view.extension("MDE.Windows"));
    }
    let arc_extensions = items::<ArcExtension>(text)?;
    for arc in items::<ArcMachine>(text)? {
        let _ = (arc.display_name(), arc.os_family(), arc.is_connected());
        for ext in &arc_extensions {
            let _ = is_mde_extension(ext);
            let _ = arc_machine(&arc, "sub", Some(arc_extension(ext)));
        }
        let _ = arc_machine(&arc, "", None);
    }
    parse::<ArmErrorBody>(text)?;
    Ok(())
}

#[test]
fn fuzz_arm_models() {
    let seeds = arm_examples(&[]);
    fuzz("arm_models", &seeds, json_inputs(&seeds), arm_models);
}

/// Resource Graph pages parsed into each row type the app queries, then what it computes from them.
fn graph_rows(text: &str) -> Result<(), String> {
    if let Some(page) = parse::<QueryResponse<DeploymentRow>>(text)? {
        let _ = page.truncated();
        for row in &page.data {
            if let Some(machine) = row.machine() {
                if machine.id.trim().is_empty() {
                    return Err(format!("a machine with a blank id from {row:?}"));
                }
            }
        }
    }
    if let Some(page) = parse::<QueryResponse<MachineRow>>(text)? {
        for row in &page.data {
            let _ = (row.os(), row.covered());
        }
        let coverage = by_subscription(&page.data);
        if coverage.len() > page.data.len() {
            return Err(format!("{} subscriptions counted from {} rows", coverage.len(), page.data.len()));
        }
    }
    parse::<QueryResponse<PlanRow>>(text)?;
    Ok(())
}

/// Rows in the columns the app's queries project, with hostile values.
fn graph_pages() -> impl Strategy<Value = String> {
    const COLUMNS: &[&str] = &[
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
        "pricingTier",
        "subPlan",
    ];
    let cell = prop_oneof![
        4 => hostile_string().prop_map(Value::String),
        1 => Just(Value::Null),
        1 => fuzz::inputs::hostile_value(),
    ];
    let row = proptest::collection::btree_map(proptest::sample::select(COLUMNS), cell, 0..COLUMNS.len());
    (
        proptest::collection::vec(row, 0..12),
        any::<u64>(),
        prop_oneof![Just(Value::Null), Just("true".into()), Just(true.into())],
    )
        .prop_map(|(rows, total, truncated)| {
            let data: Vec<BTreeMap<&str, Value>> = rows;
            serde_json::json!({"totalRecords": total, "count": data.len(), "resultTruncated": truncated, "data": data})
                .to_string()
        })
}

#[test]
fn fuzz_graph_rows() {
    let seeds = arm_examples(&["resourcegraph"]);
    fuzz("graph_rows", &seeds, prop_oneof![graph_pages(), json_inputs(&seeds)], graph_rows);
}

const SIGN_IN: [&str; 6] = ["code", "state", "session_state", "error", "error_description", "error_uri"];

/// The redirect back from Entra: whatever the query, the stripped one holds no sign-in
/// parameter, reads as no callback, and strips to itself.
fn callback(query: &str) -> Result<(), String> {
    let _ = read_callback(query);
    let stripped = strip_callback(query);
    if !(stripped.is_empty() || stripped.starts_with('?')) {
        return Err(format!("stripped query {stripped:?} is neither empty nor starts with '?'"));
    }
    if read_callback(&stripped) != Callback::None {
        return Err(format!("stripped query {stripped:?} still reads as a sign-in return"));
    }
    if strip_callback(&stripped) != stripped {
        return Err(format!("stripping {stripped:?} again changes it"));
    }
    Ok(())
}

fn queries() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        3 => proptest::sample::select(&SIGN_IN[..]).prop_map(str::to_string),
        1 => proptest::sample::select(vec!["sub", "page", "q", "CODE", "code%00", "st%61te", "", "+code"]).prop_map(str::to_string),
        1 => hostile_string(),
    ];
    let separator = proptest::sample::select(vec!["&", "&&", ";", "#", "?", "&amp;"]);
    let pair = (key, proptest::option::of(hostile_string()), separator).prop_map(|(k, v, sep)| match v {
        Some(v) => format!("{k}={v}{sep}"),
        None => format!("{k}{sep}"),
    });
    prop_oneof![
        4 => (proptest::option::of(Just("?")), proptest::collection::vec(pair, 0..8))
            .prop_map(|(q, pairs)| format!("{}{}", q.unwrap_or_default(), pairs.concat())),
        1 => hostile_string(),
    ]
}

#[test]
fn fuzz_callback() {
    fuzz("callback", &[], queries(), callback);
}

const CONFIG_KEYS: [&str; 7] =
    ["clientId", "cloud", "tenant", "redirectUri", "tokenStore", "concurrency", "requestTimeoutMs"];

/// `config.json`: a refusal names the key at fault (one the file has or a known one, maybe with
/// a `.field` inside it, such as `cloud.name`; none when the file as a whole is unreadable) and
/// says what to do.
fn config(text: &str) -> Result<(), String> {
    for app_url in ["https://mde.contoso.com/console/?x=1#y", "http://127.0.0.1:8080/", "not a url"] {
        match mde_core::config::parse(text, app_url) {
            Ok(config) => {
                // The README's ranges.
                if !(1..=32).contains(&config.concurrency) || !(1_000..=600_000).contains(&config.request_timeout_ms) {
                    return Err(format!("accepted out of range: {config:?}"));
                }
            }
            Err(e) => {
                if e.problem.trim().is_empty() || e.fix.trim().is_empty() {
                    return Err(format!("a refusal that does not explain itself: {e:?}"));
                }
                let object = serde_json::from_str::<Value>(text).ok().filter(Value::is_object);
                match &object {
                    None if !e.key.is_empty() => return Err(format!("unreadable file blamed on key {:?}", e.key)),
                    // Either a key of the file, as written (even "" or "."), or a field inside a known one.
                    Some(map)
                        if map.get(&e.key).is_none()
                            && !CONFIG_KEYS.contains(&e.key.split('.').next().unwrap_or_default()) =>
                    {
                        return Err(format!("a refusal naming key {:?}, which the file does not have: {e}", e.key))
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(())
}

#[test]
fn fuzz_config() {
    let seeds = fuzz::corpus("config");
    fuzz("config", &[], json_inputs(&seeds), config);
}

/// The scenario file: a refusal names the JSON path at fault (`path: why`).
fn scenario(text: &str) -> Result<(), String> {
    match fake_azure::FakeAzure::from_scenario_json(text, fake_azure::Options::default()) {
        Ok(_) => Ok(()),
        Err(e) => match e.0.split_once(": ") {
            Some((path, why)) if !path.trim().is_empty() && !why.trim().is_empty() => Ok(()),
            _ => Err(format!("a refusal that names no JSON path: {e}")),
        },
    }
}

#[test]
fn fuzz_scenario() {
    let path = repo_root().join("public/demo/scenario.json");
    let seeds = vec![(path.display().to_string(), std::fs::read_to_string(&path).expect("public/demo/scenario.json"))];
    fuzz("scenario", &seeds, json_inputs(&seeds), scenario);
}

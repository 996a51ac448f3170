//! The Terraform exports, parsed by python-hcl2 (tests/export/hcl_to_json.py): the resources,
//! providers and ids Terraform would read, whatever the names and ids hold.

mod export_common;

use std::io::Write as _;
use std::process::{Command, Stdio};

use export_common::*;
use mde_core::bulk::export::{export, Format};
use mde_core::bulk::{Plan, Write};
use serde_json::{json, Value};

/// The file as Terraform reads it, or `None` (with a message) where python3 is missing.
/// python3 without python-hcl2 fails: `scripts/setup.sh --test` installs it.
fn parse_hcl(text: &str) -> Option<Value> {
    let script = crate_dir().join("tests/export/hcl_to_json.py");
    let child = Command::new("python3")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("SKIPPED: python3 is not installed, so the Terraform exports were not parsed");
            return None;
        }
        Err(e) => panic!("python3: {e}"),
    };
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "python-hcl2 rejected the export (or is not installed: scripts/setup.sh --test):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// `(type, label, body)` of every resource block, in file order.
fn resources(parsed: &Value) -> Vec<(String, String, Value)> {
    let mut all = Vec::new();
    for block in parsed["resource"].as_array().unwrap() {
        for (kind, labelled) in block.as_object().unwrap() {
            for (label, body) in labelled.as_object().unwrap() {
                all.push((kind.clone(), label.clone(), body.clone()));
            }
        }
    }
    all
}

fn reference(to: &str) -> Value {
    json!({ "ref": to })
}

fn setting_id(id: &str, name: &str) -> String {
    format!("/subscriptions/{id}/providers/Microsoft.Security/settings/{name}")
}

fn check_azurerm(plan: &Plan) {
    let Some(parsed) = parse_hcl(&export(plan, Format::TerraformAzurerm, ARM)) else { return };
    assert_eq!(parsed["terraform"][0]["required_providers"][0]["azurerm"]["source"], "hashicorp/azurerm");
    let providers: Vec<&Value> = parsed["provider"].as_array().unwrap().iter().map(|p| &p["azurerm"]).collect();
    let changing: Vec<_> = plan.changing().collect();
    assert_eq!(providers.len(), changing.len(), "one provider per subscription that changes");

    let resources = resources(&parsed);
    let mut resources = resources.iter();
    let mut imports = parsed["import"].as_array().cloned().unwrap_or_default().into_iter();
    for (n, item) in changing.iter().enumerate() {
        let alias = format!("sub{}", n + 1);
        assert_eq!(providers[n]["alias"], alias.as_str());
        assert_eq!(providers[n]["subscription_id"], item.subscription_id.as_str(), "the id, exactly");
        assert_eq!(providers[n]["features"], json!([{}]));
        let mut previous: Option<String> = None;
        for write in &item.writes {
            let (kind, label, body) = resources.next().expect("a resource per write");
            assert_eq!(body["provider"], reference(&format!("azurerm.{alias}")), "{label}");
            match write {
                Write::ServersPlan { sub_plan, .. } => {
                    assert_eq!(kind, "azurerm_security_center_subscription_pricing");
                    assert_eq!(
                        (&body["tier"], &body["resource_type"], &body["subplan"]),
                        (&json!("Standard"), &json!("VirtualMachines"), &json!(sub_plan.label()))
                    );
                }
                Write::Setting(change) => {
                    assert_eq!(kind, "azurerm_security_center_setting");
                    assert_eq!(body["setting_name"], change.setting.as_str());
                    assert_eq!(body["enabled"], change.enabled);
                    if !change.enabled {
                        // Turning a setting off: azurerm refuses to create one that is on.
                        let import = imports.next().expect("an import for a setting turned off");
                        assert_eq!(import["to"], reference(&format!("{kind}.{label}")));
                        assert_eq!(import["provider"], reference(&format!("azurerm.{alias}")));
                        assert_eq!(import["id"], setting_id(&item.subscription_id, &change.setting));
                    }
                }
            }
            let expected = previous.map(|p| json!([reference(&p)])).unwrap_or(Value::Null);
            assert_eq!(body["depends_on"], expected, "{label} waits for the write before it");
            previous = Some(format!("{kind}.{label}"));
        }
    }
    assert!(resources.next().is_none() && imports.next().is_none());
}

#[test]
fn azurerm_reaches_each_subscription_through_its_provider() {
    check_azurerm(&fix_plan(GOLDEN_MARKS));
    check_azurerm(&off_plan());
}

#[test]
fn azapi_updates_the_arm_resources_with_the_put_bodies() {
    let plan = fix_plan(GOLDEN_MARKS);
    let Some(parsed) = parse_hcl(&export(&plan, Format::TerraformAzapi, ARM)) else { return };
    assert_eq!(parsed["terraform"][0]["required_providers"][0]["azapi"]["source"], "Azure/azapi");
    let resources = resources(&parsed);
    let writes: Vec<_> = plan.changing().flat_map(|i| &i.writes).collect();
    assert_eq!(resources.len(), writes.len());
    let mut previous: Option<(String, String)> = None;
    for ((kind, label, body), write) in resources.iter().zip(writes) {
        assert_eq!(kind, "azapi_update_resource");
        let (resource_type, id) = match write {
            Write::Setting(c) => ("Microsoft.Security/settings@2022-05-01", setting_id(&c.subscription_id, &c.setting)),
            Write::ServersPlan { subscription_id, .. } => (
                "Microsoft.Security/pricings@2024-01-01",
                format!("/subscriptions/{subscription_id}/providers/Microsoft.Security/pricings/VirtualMachines"),
            ),
        };
        assert_eq!(body["type"], resource_type);
        assert_eq!(body["resource_id"], id.as_str(), "the id, exactly");
        assert_eq!(body["body"], write.body(), "the body the app PUTs");
        let same_subscription = previous.as_ref().filter(|(sub, _)| sub == write.subscription_id());
        let expected = same_subscription.map(|(_, l)| json!([reference(&format!("azapi_update_resource.{l}"))]));
        assert_eq!(body["depends_on"], expected.unwrap_or(Value::Null), "{label}");
        previous = Some((write.subscription_id().to_string(), label.clone()));
    }
}

//! The data and template exports: JSON (bulk and machine plans) that round-trips to the plan's
//! writes, an ARM template checked against the real request examples, Bicep whose strings all
//! close. (tests/exports/ validates the ARM template against Azure's published schema.)

mod export_common;

use export_common::*;
use mde_core::bulk::export::{export, Format, JsonPlan};
use mde_core::bulk::{Plan, Write};
use mde_core::deployment::actions::export::{self as machine_export, MachineJsonPlan};
use serde_json::{json, Value};

fn fixture(path: &str) -> Value {
    let path = crate_dir().join("../../tests/fixtures/arm").join(path);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[test]
fn json_holds_one_entry_per_write_and_round_trips() {
    let plan = fix_plan(GOLDEN_MARKS);
    let text = export(&plan, Format::Json, ARM);
    let parsed: JsonPlan = serde_json::from_str(&text).unwrap();
    assert_eq!(serde_json::to_string_pretty(&parsed).unwrap() + "\n", text, "nothing lost or added");

    let writes: Vec<(&_, &Write)> = plan.changing().flat_map(|i| i.writes.iter().map(move |w| (i, w))).collect();
    assert_eq!(parsed.writes.len(), writes.len());
    for (entry, (item, write)) in parsed.writes.iter().zip(writes) {
        assert_eq!(entry.subscription_id, item.subscription_id);
        assert_eq!(entry.subscription_name, item.name, "the name as ARM gave it");
        assert_eq!(entry.name, write.name());
        assert_eq!(entry.method, "PUT");
        assert_eq!(entry.url, format!("{ARM}{}", write.path()));
        assert_eq!(entry.body, write.body());
        assert_eq!(entry.description, write.describe());
    }
    let skipped: Vec<_> =
        parsed.skipped.iter().map(|s| (s.subscription_id.as_str(), s.kind, s.reason.as_str())).collect();
    let expected: Vec<_> = plan
        .items
        .iter()
        .filter_map(|i| i.skip.as_ref().map(|s| (i.subscription_id.as_str(), s.kind, s.reason.as_str())))
        .collect();
    assert_eq!(skipped, expected);
    assert_eq!(parsed.action, "fix");
    assert_eq!(parsed.caveat, None);
    let off: JsonPlan = serde_json::from_str(&export(&off_plan(), Format::Json, ARM)).unwrap();
    assert_eq!(off.caveat.as_deref(), off_plan().action.caveat());
}

/// ARM evaluates a string that starts with `[` and ends with `]`; `[[` marks a literal.
fn arm_text(value: &Value) -> String {
    let s = value.as_str().unwrap();
    s.strip_prefix('[').filter(|rest| rest.starts_with('[')).unwrap_or(s).to_string()
}

/// Every ARM expression in the template, to check that none comes from the data.
fn expressions(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::String(s) if s.starts_with('[') && s.ends_with(']') && !s.starts_with("[[") => found.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| expressions(v, found)),
        Value::Object(map) => map.values().for_each(|v| expressions(v, found)),
        _ => {}
    }
}

fn check_arm(plan: &Plan) {
    let schema = "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#";
    let setting_example = &fixture("security-settings/UpdateSetting_example.json")["parameters"]["setting"];
    let pricing_example = &fixture("security-pricings/PutPricingVMsByName_example.json")["parameters"]["pricing"];
    let template: Value = serde_json::from_str(&export(plan, Format::ArmTemplate, ARM)).unwrap();
    assert_eq!(template["$schema"], schema);

    let deployments = template["resources"].as_array().unwrap();
    let changing: Vec<_> = plan.changing().collect();
    assert_eq!(deployments.len(), changing.len(), "one nested deployment per subscription that changes");
    for (deployment, item) in deployments.iter().zip(&changing) {
        assert_eq!(deployment["type"], "Microsoft.Resources/deployments");
        assert_eq!(arm_text(&deployment["subscriptionId"]), item.subscription_id, "the id, as a literal");
        assert_eq!(deployment["location"], "[deployment().location]");
        assert_eq!(deployment["properties"]["mode"], "Incremental");
        assert_eq!(
            deployment["properties"]["expressionEvaluationOptions"]["scope"], "Inner",
            "the nested template's own expressions"
        );
        let inner = &deployment["properties"]["template"];
        assert_eq!(inner["$schema"], schema);
        let resources = inner["resources"].as_array().unwrap();
        assert_eq!(resources.len(), item.writes.len());
        let mut previous: Option<String> = None;
        for (resource, write) in resources.iter().zip(&item.writes) {
            let (resource_type, api_version) = match write {
                Write::Setting(change) => {
                    // The real example's request: kind and properties, nothing else.
                    assert_eq!(resource["kind"], setting_example["kind"]);
                    let mut expected = setting_example["properties"].clone();
                    expected["enabled"] = json!(change.enabled);
                    assert_eq!(resource["properties"], expected);
                    ("Microsoft.Security/settings", "2022-05-01")
                }
                Write::ServersPlan { sub_plan, .. } => {
                    let properties = &resource["properties"];
                    assert_eq!(properties["pricingTier"], pricing_example["properties"]["pricingTier"]);
                    assert_eq!(properties["subPlan"], sub_plan.label());
                    assert_eq!(properties.as_object().unwrap().len(), 2, "no enforce, no extensions: {properties}");
                    ("Microsoft.Security/pricings", "2024-01-01")
                }
            };
            assert_eq!((&resource["type"], &resource["apiVersion"]), (&json!(resource_type), &json!(api_version)));
            assert_eq!(arm_text(&resource["name"]), write.name());
            let expected = previous.map(|id| json!([id])).unwrap_or(Value::Null);
            assert_eq!(resource["dependsOn"], expected, "each write waits for the one before it");
            previous = Some(format!("[subscriptionResourceId('{resource_type}', '{}')]", write.name()));
        }
    }

    let mut found = Vec::new();
    expressions(&template, &mut found);
    for expression in found {
        assert!(
            expression == "[deployment().location]"
                || expression.starts_with("[subscriptionResourceId('Microsoft.Security/"),
            "an expression not written by the export: {expression}"
        );
    }
    let description = template["metadata"]["description"].to_string();
    for item in plan.items.iter().filter(|i| i.skip.is_some()) {
        assert!(description.contains(&item.subscription_id), "skipped {} is listed", item.subscription_id);
    }
}

#[test]
fn arm_template_reaches_every_subscription_with_the_real_request_shapes() {
    check_arm(&fix_plan(GOLDEN_MARKS));
    check_arm(&off_plan());
    check_arm(&benign_plan());
}

/// A Bicep line's tokens: strings (decoded) and the rest, comments dropped.
#[derive(Debug, PartialEq)]
enum Bicep {
    Str(String),
    Code(String),
}

/// Reads Bicep's single-quoted strings (escapes `\\ \' \n \r \t \$ \u{..}`): each must close
/// on its line, and none may interpolate (`${` unescaped). Block comments and multi-line
/// strings are never written, so either is a failure.
fn bicep_lines(text: &str) -> Vec<Vec<Bicep>> {
    let mut lines = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let mut tokens = Vec::new();
        let mut code = String::new();
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '/' if chars.peek() == Some(&'/') => break,
                '/' if chars.peek() == Some(&'*') => panic!("line {}: a block comment", n + 1),
                '\'' => {
                    assert!(!line.contains("'''"), "line {}: a multi-line string", n + 1);
                    if !code.trim().is_empty() {
                        tokens.push(Bicep::Code(std::mem::take(&mut code).trim().to_string()));
                    }
                    let mut s = String::new();
                    loop {
                        match chars.next().unwrap_or_else(|| panic!("line {}: a string left open: {line}", n + 1)) {
                            '\'' => break,
                            '\\' => match chars.next().unwrap() {
                                'n' => s.push('\n'),
                                'r' => s.push('\r'),
                                't' => s.push('\t'),
                                c @ ('\\' | '\'' | '$') => s.push(c),
                                'u' => {
                                    assert_eq!(chars.next(), Some('{'));
                                    let hex: String = chars.by_ref().take_while(|&c| c != '}').collect();
                                    s.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap());
                                }
                                other => panic!("line {}: unknown escape \\{other}", n + 1),
                            },
                            '$' if chars.peek() == Some(&'{') => panic!("line {}: interpolation in {line}", n + 1),
                            c => s.push(c),
                        }
                    }
                    tokens.push(Bicep::Str(s));
                }
                c => code.push(c),
            }
        }
        if !code.trim().is_empty() {
            tokens.push(Bicep::Code(code.trim().to_string()));
        }
        lines.push(tokens);
    }
    lines
}

fn bicep_shape(text: &str) -> (Vec<String>, Vec<String>) {
    let mut shape = Vec::new();
    let mut strings = Vec::new();
    for line in bicep_lines(text) {
        let parts: Vec<String> = line
            .into_iter()
            .map(|t| match t {
                Bicep::Str(s) => {
                    strings.push(s);
                    "S".to_string()
                }
                Bicep::Code(c) => c,
            })
            .collect();
        if !parts.is_empty() {
            shape.push(parts.join(" "));
        }
    }
    (shape, strings)
}

#[test]
fn bicep_strings_all_close_and_carry_the_plan() {
    let plan = fix_plan(GOLDEN_MARKS);
    let text = export(&plan, Format::Bicep, ARM);
    let (shape, strings) = bicep_shape(&text);
    assert_eq!(shape, bicep_shape(&export(&benign_plan(), Format::Bicep, ARM)).0, "names change no line of code");
    assert_eq!(shape[0], "targetScope = S");

    let mut expected = vec!["subscription".to_string()];
    for item in plan.changing() {
        expected.push(item.subscription_id.clone());
        let sub_plan = item.writes.iter().find_map(|w| match w {
            Write::ServersPlan { sub_plan, .. } => Some(sub_plan.label()),
            Write::Setting(_) => None,
        });
        expected.push(sub_plan.unwrap_or_default().to_string());
        for write in &item.writes {
            if let Write::Setting(change) = write {
                expected.extend([change.setting.clone(), "DataExportSettings".into()]);
            }
        }
    }
    expected.extend(
        [
            "Microsoft.Security/pricings@2024-01-01",
            "VirtualMachines",
            "Standard",
            "Microsoft.Security/settings@2022-05-01",
        ]
        .map(String::from),
    );
    assert_eq!(strings, expected);
    for line in ["var writes = plans[subscription().subscriptionId]", "@batchSize(1)", "kind: setting.kind"] {
        assert!(text.contains(line), "{line}");
    }
}

#[test]
fn machine_json_holds_each_write_as_the_request_it_is() {
    for plan in machine_plans(GOLDEN_MARKS) {
        let text = machine_export::export(&plan, Format::Json, ARM).unwrap();
        let parsed: MachineJsonPlan = serde_json::from_str(&text).unwrap();
        assert_eq!(serde_json::to_string_pretty(&parsed).unwrap() + "\n", text, "nothing lost or added");
        assert_eq!(parsed.action, plan.action.key());
        assert_eq!(parsed.caveat, plan.action.caveat());
        let items: Vec<_> = plan.changing().collect();
        assert_eq!(parsed.writes.len(), items.len());
        for (entry, item) in parsed.writes.iter().zip(items) {
            let write = item.write.as_ref().unwrap();
            assert_eq!(
                (entry.machine_id.as_str(), entry.machine_name.as_str(), entry.subscription_id.as_str()),
                (item.machine_id.as_str(), item.name.as_str(), item.subscription_id.as_str()),
                "the machine as ARM gave it"
            );
            assert_eq!(entry.kind, item.kind);
            assert_eq!(entry.method, write.method().as_str());
            assert_eq!(entry.url, format!("{ARM}{}", write.path()));
            assert_eq!(entry.body, write.body());
            assert_eq!(entry.description, write.describe());
        }
        let skipped: Vec<_> =
            parsed.skipped.iter().map(|s| (s.machine_id.as_str(), s.kind, s.reason.as_str())).collect();
        let expected: Vec<_> = plan
            .items
            .iter()
            .filter_map(|i| i.skip.as_ref().map(|s| (i.machine_id.as_str(), s.kind, s.reason.as_str())))
            .collect();
        assert_eq!(skipped, expected);
        assert_eq!((parsed.warnings, parsed.steps), (plan.warnings.clone(), plan.steps.clone()));
    }
}

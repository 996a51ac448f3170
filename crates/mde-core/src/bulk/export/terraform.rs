//! The plan as Terraform: azurerm's Defender for Cloud resources with a provider per
//! subscription, or azapi's updates of the ARM resources themselves.

use std::collections::HashSet;
use std::fmt::Write as _;

use serde_json::Value;

use super::{each_subscription, resource_type, summary, who};
use crate::arm::pricings::VIRTUAL_MACHINES;
use crate::bulk::{Plan, PlanItem, Write};
use crate::quote::{comments, hcl_string, one_line};

pub(super) fn azurerm(plan: &Plan, arm_url: &str) -> String {
    let mut notes = summary(plan, arm_url);
    notes.extend([
        "terraform init && terraform plan && terraform apply (Terraform 1.5 or later: import blocks).".to_string(),
        "A setting turned off is imported first: azurerm refuses to create a setting that is on.".into(),
        "Destroying this configuration turns these settings off and Defender for Servers back to Free (azurerm's delete),".into(),
        "and azurerm turns off the Defender for Servers extensions no `extension` block lists.".into(),
    ]);
    let mut out = comments("#", &notes);
    out += &required_provider("azurerm", "hashicorp/azurerm", "~> 4.0");
    each_subscription(plan, |n, item| {
        let alias = alias(plan, item);
        out += &format!("\n# {n} {}\n", one_line(&who(item)));
        out += &format!(
            "provider \"azurerm\" {{\n  alias           = {}\n  subscription_id = {}\n  features {{}}\n}}\n",
            hcl_string(&alias),
            hcl_string(&item.subscription_id)
        );
        let mut previous: Option<String> = None;
        for (label, write) in labels(&alias, item) {
            out += "\n";
            out += &comments("#", &[write.describe()]);
            let address = match write {
                Write::ServersPlan { sub_plan, .. } => {
                    let address = format!("azurerm_security_center_subscription_pricing.{label}");
                    let _ = write!(
                        out,
                        "resource \"azurerm_security_center_subscription_pricing\" \"{label}\" {{\n  \
                         provider      = azurerm.{alias}\n  tier          = \"Standard\"\n  \
                         resource_type = {}\n  subplan       = {}\n",
                        hcl_string(VIRTUAL_MACHINES),
                        hcl_string(sub_plan.label())
                    );
                    address
                }
                Write::Setting(change) => {
                    let address = format!("azurerm_security_center_setting.{label}");
                    if !change.enabled {
                        let _ = write!(
                            out,
                            "import {{\n  provider = azurerm.{alias}\n  to       = {address}\n  id       = {}\n}}\n\n",
                            hcl_string(&resource_id(write))
                        );
                    }
                    let _ = write!(
                        out,
                        "resource \"azurerm_security_center_setting\" \"{label}\" {{\n  \
                         provider     = azurerm.{alias}\n  setting_name = {}\n  enabled      = {}\n",
                        hcl_string(&change.setting),
                        change.enabled
                    );
                    address
                }
            };
            let width =
                if matches!(write, Write::ServersPlan { .. }) { "resource_type".len() } else { "setting_name".len() };
            out += &depends_on(previous.replace(address), width);
            out += "}\n";
        }
    });
    out
}

pub(super) fn azapi(plan: &Plan, arm_url: &str) -> String {
    let mut notes = summary(plan, arm_url);
    notes.extend([
        "terraform init && terraform plan && terraform apply. Each write is the PUT body the app sends.".to_string(),
        "azapi_update_resource reads each resource first and stops if it does not exist (a setting this".into(),
        "subscription never had): use the azurerm or script export there. Destroying it changes nothing in Azure."
            .into(),
    ]);
    let mut out = comments("#", &notes);
    out += &required_provider("azapi", "Azure/azapi", "~> 2.0");
    out += "\nprovider \"azapi\" {}\n";
    each_subscription(plan, |n, item| {
        out += &format!("\n# {n} {}\n", one_line(&who(item)));
        let mut previous: Option<String> = None;
        for (label, write) in labels(&alias(plan, item), item) {
            let (kind, api_version) = resource_type(write);
            out += &comments("#", &[write.describe()]);
            let _ = write!(
                out,
                "resource \"azapi_update_resource\" \"{label}\" {{\n  type        = {}\n  resource_id = {}\n  body = {}\n",
                hcl_string(&format!("{kind}@{api_version}")),
                hcl_string(&resource_id(write)),
                hcl_value(&write.body(), 1)
            );
            out += &depends_on(previous.replace(format!("azapi_update_resource.{label}")), 0);
            out += "}\n\n";
        }
        out.pop();
    });
    out
}

fn required_provider(name: &str, source: &str, version: &str) -> String {
    format!(
        "terraform {{\n  required_providers {{\n    {name} = {{\n      source  = {}\n      version = {}\n    }}\n  }}\n}}\n",
        hcl_string(source),
        hcl_string(version)
    )
}

/// `depends_on` the subscription's previous write: ARM takes one write at a time per
/// subscription, and the integration needs Defender for Servers first. `width` aligns the
/// `=` with the attributes above it, as `terraform fmt` does.
fn depends_on(previous: Option<String>, width: usize) -> String {
    previous.map(|address| format!("  {:width$} = [{address}]\n", "depends_on")).unwrap_or_default()
}

/// `sub1`, `sub2`, ...: by position, since ids and names are no identifiers.
fn alias(plan: &Plan, item: &PlanItem) -> String {
    let n = plan.changing().position(|i| std::ptr::eq(i, item)).unwrap_or(0) + 1;
    format!("sub{n}")
}

/// A resource label per write, from the alias and the resource name (`sub1_wdatp`), made of
/// identifier characters only and unique within the subscription.
fn labels<'a>(alias: &str, item: &'a PlanItem) -> Vec<(String, &'a Write)> {
    let mut seen = HashSet::new();
    item.writes
        .iter()
        .enumerate()
        .map(|(i, write)| {
            let name = match write {
                Write::ServersPlan { .. } => "servers".to_string(),
                Write::Setting(change) => change
                    .setting
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
                    .collect(),
            };
            let mut label = format!("{alias}_{name}");
            if !seen.insert(label.clone()) {
                label = format!("{label}_{}", i + 1);
            }
            (label, write)
        })
        .collect()
}

/// The ARM resource id (no api-version), as Terraform's import and azapi take it.
fn resource_id(write: &Write) -> String {
    format!("/subscriptions/{}/providers/{}/{}", write.subscription_id(), resource_type(write).0, write.name())
}

/// A JSON value (a PUT body) as an HCL expression, objects indented `depth` levels in.
fn hcl_value(value: &Value, depth: usize) -> String {
    let pad = "  ".repeat(depth);
    match value {
        Value::Object(map) => {
            let width = map.keys().filter(|k| !map[*k].is_object()).map(|k| hcl_key(k).len()).max().unwrap_or(0);
            let mut out = String::from("{\n");
            for (key, value) in map {
                let key = hcl_key(key);
                let gap = if value.is_object() { 1 } else { width - key.len() + 1 };
                let _ = writeln!(out, "{pad}  {key}{}= {}", " ".repeat(gap), hcl_value(value, depth + 1));
            }
            out + &pad + "}"
        }
        Value::Array(items) => {
            format!("[{}]", items.iter().map(|v| hcl_value(v, depth)).collect::<Vec<_>>().join(", "))
        }
        Value::String(s) => hcl_string(s),
        other => other.to_string(),
    }
}

/// An attribute name: bare when it is an identifier, quoted otherwise.
fn hcl_key(key: &str) -> String {
    let identifier = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if identifier {
        key.to_string()
    } else {
        hcl_string(key)
    }
}

//! A machine plan exported for change control: the same writes, in the same order, as Azure
//! CLI commands, the exact requests through `az rest`, PowerShell (Az cmdlets) and JSON, each
//! opening with what the plan does, what it leaves out and, for a removal, the steps around it.
//!
//! Machine names, ids and tags come from ARM and are hostile: every value is a literal quoted
//! by [`crate::quote`], as in the bulk plan's exports. Templates and Terraform are not offered:
//! neither deletes an extension, and a tags resource in a template replaces every tag.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{MachineAction, MachineItem, MachinePlan, MachineWrite, RemovalStep, RemovalWarning, SkipKind};
use crate::api;
use crate::arm::tags::TagsOperation;
use crate::bulk::export::Format;
use crate::deployment::MachineKind;
use crate::quote::{comments, one_line, ps_quote, sh_opt, sh_quote, UTF8_BOM};

/// The formats a machine plan exports to, in the order a page offers them.
pub const FORMATS: [Format; 4] = [Format::AzCli, Format::PowerShell, Format::AzRest, Format::Json];

/// What the page asks the export worker (`crates/plan-export`) for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MachineExportRequest {
    pub plan: MachinePlan,
    pub format: Format,
    pub arm_url: String,
}

/// The button's words for `format` (one of [`FORMATS`]).
pub fn label(format: Format) -> &'static str {
    match format {
        Format::PowerShell => "PowerShell (Az.Resources)",
        other => other.label(),
    }
}

/// e.g. `mde-machines-remove-extension.sh`.
pub fn file_name(action: MachineAction, format: Format) -> String {
    format!("mde-machines-{}{}", action.key(), format.suffix())
}

/// The plan's writes in `format`, or `None` for a format not in [`FORMATS`]. Only machines
/// with a write are exported, in plan order; the skipped ones are listed with their reason
/// in the header (as data in JSON).
pub fn export(plan: &MachinePlan, format: Format, arm_url: &str) -> Option<String> {
    let arm_url = arm_url.trim_end_matches('/');
    match format {
        Format::AzCli => Some(az_cli(plan, arm_url)),
        Format::AzRest => Some(az_rest(plan, arm_url)),
        Format::PowerShell => Some(powershell(plan, arm_url)),
        Format::Json => Some(json(plan, arm_url)),
        Format::ArmTemplate | Format::Bicep | Format::TerraformAzurerm | Format::TerraformAzapi => None,
    }
}

/// What every export says first, one line each, before the format's own notes.
fn summary(plan: &MachinePlan, arm_url: &str) -> Vec<String> {
    let totals = plan.totals();
    let mut lines = vec![
        format!("MDE Console plan: {}", plan.action.label()),
        format!(
            "{} to change, {} to ARM ({arm_url}), in order.",
            count(totals.writes, "machine"),
            count(totals.writes, "write")
        ),
        format!("Caveat: {}", plan.action.caveat()),
    ];
    if !plan.steps.is_empty() {
        lines.push("Removal, step by step:".into());
        lines.extend(plan.steps.iter().enumerate().map(|(i, step)| step_line(i, step)));
    }
    for warning in &plan.warnings {
        lines.push(format!(
            "Subscription {}: {} ({})",
            warning.subscription_id,
            warning.reason,
            warning.machines.join(", ")
        ));
    }
    let skipped: Vec<_> = plan.items.iter().filter_map(|i| i.skip.as_ref().map(|s| (i, s))).collect();
    if !skipped.is_empty() {
        lines.push(format!("Skipped ({}):", skipped.len()));
        lines.extend(skipped.iter().map(|(item, skip)| format!("  - {}: {}", who(item), skip.reason)));
    }
    lines
}

fn step_line(i: usize, step: &RemovalStep) -> String {
    match &step.link {
        Some(link) => format!("  {}. {} {link}", i + 1, step.text),
        None => format!("  {}. {}", i + 1, step.text),
    }
}

/// Every machine with a write, with it, in plan order.
fn writes(plan: &MachinePlan) -> impl Iterator<Item = (&MachineItem, &MachineWrite)> {
    plan.items.iter().filter_map(|item| item.write.as_ref().map(|write| (item, write)))
}

/// "Name (id)", for comments and messages.
fn who(item: &MachineItem) -> String {
    format!("{} ({})", item.name, item.machine_id)
}

fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// The extension's resource id, as ARM gave the machine's: the CLI and the cmdlets take it whole,
/// so nothing splits it into group and name.
fn extension_id(machine_id: &str, extension: &str) -> String {
    format!("{}/extensions/{extension}", machine_id.trim_end_matches('/'))
}

/// The api-version of the machine kind's extensions, as the app deletes them.
fn extension_api(kind: MachineKind) -> &'static str {
    match kind {
        MachineKind::Vm => api::COMPUTE,
        MachineKind::Arc => api::HYBRID_COMPUTE,
    }
}

/// The tags a write names, each `name=value`, as the Azure CLI's `--tags` reads them (split at
/// the first `=`; tag names cannot hold one that matters here: the tag is `ExcludeMdeAutoUpdate`).
fn tag_words(write: &MachineWrite) -> Vec<String> {
    match write {
        MachineWrite::Tags { patch, .. } => {
            patch.properties.tags.iter().map(|(name, value)| sh_quote(&format!("{name}={value}"))).collect()
        }
        MachineWrite::DeleteExtension { .. } => Vec::new(),
    }
}

/// The tags PATCH's operation, as the CLI's `--operation` and the cmdlet's `-Operation` name it.
fn operation(operation: TagsOperation) -> &'static str {
    match operation {
        TagsOperation::Merge => "Merge",
        TagsOperation::Delete => "Delete",
        TagsOperation::Replace => "Replace",
    }
}

fn az_cli(plan: &MachinePlan, arm_url: &str) -> String {
    let mut notes = summary(plan, arm_url);
    notes.push("Run with bash after `az login`; it stops at the first command that fails.".into());
    notes.push(
        "Each command names its machine by resource id, subscription included: the CLI's default is left as it is."
            .into(),
    );
    if writes(plan).any(|(_, w)| matches!(w, MachineWrite::DeleteExtension { kind: MachineKind::Arc, .. })) {
        notes.push(
            "Arc machines: `az resource delete` with the Arc api-version, since `az connectedmachine` is an Azure CLI \
             extension (az extension add --name connectedmachine), not part of the CLI itself; both wait until the \
             extension is gone."
                .into(),
        );
    }
    bash(plan, &notes, |write| match write {
        MachineWrite::Tags { machine_id, patch } => format!(
            "az tag update {} --operation {} --tags {}",
            sh_opt("--resource-id", machine_id),
            operation(patch.operation),
            tag_words(write).join(" ")
        ),
        MachineWrite::DeleteExtension { machine_id, kind: MachineKind::Vm, extension } => {
            format!("az vm extension delete {}", sh_opt("--ids", &extension_id(machine_id, extension)))
        }
        MachineWrite::DeleteExtension { machine_id, kind: MachineKind::Arc, extension } => format!(
            "az resource delete {} --api-version {}",
            sh_opt("--ids", &extension_id(machine_id, extension)),
            api::HYBRID_COMPUTE
        ),
    })
}

fn az_rest(plan: &MachinePlan, arm_url: &str) -> String {
    let mut notes = summary(plan, arm_url);
    notes.push("Run with bash after `az login`: each command is the exact request the app sends, URL and body.".into());
    if writes(plan).any(|(_, w)| matches!(w, MachineWrite::DeleteExtension { .. })) {
        notes.push(
            "az rest returns once ARM accepts a DELETE (202): the extension is removed in the background; the Azure CLI \
             export waits for each removal instead."
                .into(),
        );
    }
    bash(plan, &notes, |write| {
        let url = sh_quote(&format!("{arm_url}{}", write.path()));
        let method = write.method().as_str().to_ascii_lowercase();
        match write.body() {
            Some(body) => format!("az rest --method {method} --url {url} --body {}", sh_quote(&body.to_string())),
            None => format!("az rest --method {method} --url {url}"),
        }
    })
}

fn bash(plan: &MachinePlan, notes: &[String], command: impl Fn(&MachineWrite) -> String) -> String {
    let mut out = String::from("#!/usr/bin/env bash\n");
    out += &comments("#", notes);
    out += "set -euo pipefail\n";
    let total = writes(plan).count();
    for (i, (item, write)) in writes(plan).enumerate() {
        out += &format!("\n# {}/{total} {}\n", i + 1, one_line(&who(item)));
        out += &format!("printf '== %s (%s)\\n' {} {}\n", sh_quote(&item.name), sh_quote(&item.machine_id));
        out += &comments("#", &[write.describe()]);
        out += &command(write);
        out.push('\n');
    }
    out
}

fn powershell(plan: &MachinePlan, arm_url: &str) -> String {
    let mut notes = summary(plan, arm_url);
    notes.push(
        "Run in PowerShell after Connect-AzAccount (modules Az.Accounts and Az.Resources); it stops at the first error."
            .into(),
    );
    notes
        .push("Set-AzContext selects each machine's subscription in turn: the session is left on the last one.".into());
    if writes(plan).any(|(_, w)| matches!(w, MachineWrite::DeleteExtension { .. })) {
        notes.push(
            "Remove-AzResource deletes the extension by its resource id with the app's api-version, VM or Arc alike, and waits until it is gone."
                .into(),
        );
    }
    let mut out = format!("{UTF8_BOM}#Requires -Modules Az.Accounts, Az.Resources\n");
    out += &comments("#", &notes);
    out += "$ErrorActionPreference = 'Stop'\n";
    let total = writes(plan).count();
    let mut subscription: Option<&str> = None;
    for (i, (item, write)) in writes(plan).enumerate() {
        out += &format!("\n# {}/{total} {}\n", i + 1, one_line(&who(item)));
        if subscription != Some(item.subscription_id.as_str()) {
            out += &format!("Set-AzContext -Subscription {} | Out-Null\n", ps_quote(&item.subscription_id));
            subscription = Some(&item.subscription_id);
        }
        out += &format!("Write-Host {}\n", ps_quote(&format!("== {}", who(item))));
        out += &comments("#", &[write.describe()]);
        out += &match write {
            MachineWrite::Tags { machine_id, patch } => {
                let tags: Vec<String> = patch
                    .properties
                    .tags
                    .iter()
                    .map(|(name, value)| format!("{} = {}", ps_quote(name), ps_quote(value)))
                    .collect();
                format!(
                    "Update-AzTag -ResourceId {} -Tag @{{ {} }} -Operation {} | Out-Null\n",
                    ps_quote(machine_id),
                    tags.join("; "),
                    operation(patch.operation)
                )
            }
            MachineWrite::DeleteExtension { machine_id, kind, extension } => format!(
                "Remove-AzResource -ResourceId {} -ApiVersion {} -Force | Out-Null\n",
                ps_quote(&extension_id(machine_id, extension)),
                ps_quote(extension_api(*kind))
            ),
        };
    }
    out
}

/// The JSON export: every write as the request it is, the machines left out, and for a
/// removal the subscriptions that would install the extension again and the steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MachineJsonPlan {
    /// [`MachineAction::key`].
    pub action: String,
    /// The header every export opens with.
    pub summary: Vec<String>,
    pub caveat: String,
    pub writes: Vec<MachineJsonWrite>,
    pub skipped: Vec<MachineJsonSkip>,
    pub warnings: Vec<RemovalWarning>,
    pub steps: Vec<RemovalStep>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MachineJsonWrite {
    pub machine_id: String,
    pub machine_name: String,
    pub subscription_id: String,
    pub kind: MachineKind,
    pub method: String,
    pub url: String,
    /// The tags PATCH's body; none for a DELETE.
    pub body: Option<Value>,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MachineJsonSkip {
    pub machine_id: String,
    pub machine_name: String,
    pub subscription_id: String,
    pub kind: SkipKind,
    pub reason: String,
}

fn json(plan: &MachinePlan, arm_url: &str) -> String {
    let export = MachineJsonPlan {
        action: plan.action.key().into(),
        summary: summary(plan, arm_url),
        caveat: plan.action.caveat().into(),
        writes: writes(plan)
            .map(|(item, write)| MachineJsonWrite {
                machine_id: item.machine_id.clone(),
                machine_name: item.name.clone(),
                subscription_id: item.subscription_id.clone(),
                kind: item.kind,
                method: write.method().to_string(),
                url: format!("{arm_url}{}", write.path()),
                body: write.body(),
                description: write.describe(),
            })
            .collect(),
        skipped: plan
            .items
            .iter()
            .filter_map(|item| {
                item.skip.as_ref().map(|skip| MachineJsonSkip {
                    machine_id: item.machine_id.clone(),
                    machine_name: item.name.clone(),
                    subscription_id: item.subscription_id.clone(),
                    kind: skip.kind,
                    reason: skip.reason.clone(),
                })
            })
            .collect(),
        warnings: plan.warnings.clone(),
        steps: plan.steps.clone(),
    };
    serde_json::to_string_pretty(&export).expect("a plan serialises") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_and_formats() {
        assert_eq!(file_name(MachineAction::RemoveExtension, Format::AzRest), "mde-machines-remove-extension-rest.sh");
        assert_eq!(label(Format::PowerShell), "PowerShell (Az.Resources)");
        let plan =
            MachinePlan { action: MachineAction::ExcludeAutoUpdate, items: vec![], warnings: vec![], steps: vec![] };
        assert!(FORMATS.iter().all(|&f| export(&plan, f, "https://management.azure.com").is_some()));
        assert_eq!(export(&plan, Format::Bicep, "https://management.azure.com"), None);
    }
}

//! A plan exported for change control: the same writes, in the same order, as scripts
//! (Azure CLI, PowerShell, `az rest`), data (JSON), templates (ARM, Bicep) and Terraform
//! (azurerm, azapi), each opening with what the plan does and what it leaves out.
//!
//! Subscription names and ids come from ARM and are treated as hostile: every value is
//! written as a string literal quoted for its language, and text in comments is flattened to
//! one line, so nothing a name holds can end a string or a comment.

mod scripts;
mod templates;
mod terraform;

pub use templates::{JsonPlan, JsonSkip, JsonWrite};

use serde::{Deserialize, Serialize};

use super::{plan_name, Action, Plan, PlanItem, Write};
use crate::api;
use crate::change::SettingChange;
use crate::status::ServersPlan;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Format {
    AzCli,
    PowerShell,
    AzRest,
    Json,
    ArmTemplate,
    Bicep,
    TerraformAzurerm,
    TerraformAzapi,
}

/// What the page asks the export worker (`crates/plan-export`) for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportRequest {
    pub plan: Plan,
    pub format: Format,
    pub arm_url: String,
}

/// The export worker's first message: it listens from then on.
pub const READY: &str = "plan-export ready";

impl Format {
    pub const ALL: [Format; 8] = [
        Format::AzCli,
        Format::PowerShell,
        Format::AzRest,
        Format::Json,
        Format::ArmTemplate,
        Format::Bicep,
        Format::TerraformAzurerm,
        Format::TerraformAzapi,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Format::AzCli => "Azure CLI (bash)",
            Format::PowerShell => "PowerShell (Az.Security)",
            Format::AzRest => "REST calls (az rest, bash)",
            Format::Json => "JSON (the writes as data)",
            Format::ArmTemplate => "ARM template",
            Format::Bicep => "Bicep",
            Format::TerraformAzurerm => "Terraform (azurerm)",
            Format::TerraformAzapi => "Terraform (azapi)",
        }
    }

    /// e.g. `mde-plan-fix.sh`; the two JSON and the two Terraform files differ by name.
    pub fn file_name(self, action: Action) -> String {
        format!("mde-plan-{}{}", action.key(), self.suffix())
    }

    /// What a file name ends with: its extension, after a word for the formats that share one.
    pub fn suffix(self) -> &'static str {
        match self {
            Format::AzCli => ".sh",
            Format::PowerShell => ".ps1",
            Format::AzRest => "-rest.sh",
            Format::Json => ".json",
            Format::ArmTemplate => "-arm.json",
            Format::Bicep => ".bicep",
            Format::TerraformAzurerm => "-azurerm.tf",
            Format::TerraformAzapi => "-azapi.tf",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::AzCli | Format::AzRest => "text/x-shellscript",
            Format::Json | Format::ArmTemplate => "application/json",
            Format::PowerShell | Format::Bicep | Format::TerraformAzurerm | Format::TerraformAzapi => "text/plain",
        }
    }
}

/// The plan's writes in `format`. Only subscriptions with writes are exported, in plan order;
/// the skipped ones are listed with their reason in the header (as data in JSON).
pub fn export(plan: &Plan, format: Format, arm_url: &str) -> String {
    let arm_url = arm_url.trim_end_matches('/');
    match format {
        Format::AzCli => scripts::az_cli(plan, arm_url),
        Format::PowerShell => scripts::powershell(plan, arm_url),
        Format::AzRest => scripts::az_rest(plan, arm_url),
        Format::Json => templates::json(plan, arm_url),
        Format::ArmTemplate => templates::arm(plan, arm_url),
        Format::Bicep => templates::bicep(plan, arm_url),
        Format::TerraformAzurerm => terraform::azurerm(plan, arm_url),
        Format::TerraformAzapi => terraform::azapi(plan, arm_url),
    }
}

/// What every export says first, one line each, before the format's own notes.
fn summary(plan: &Plan, arm_url: &str) -> Vec<String> {
    let totals = plan.totals();
    let mut lines = vec![
        format!("MDE Console plan: {}", plan.action.label()),
        format!(
            "{} to change, {} to ARM ({arm_url}); each subscription's writes in order, Defender for Servers first.",
            count(totals.changing, "subscription"),
            count(totals.writes, "write"),
        ),
    ];
    if let Some(caveat) = plan.action.caveat() {
        lines.push(format!("Caveat: {caveat}"));
    }
    for sub_plan in [ServersPlan::P1, ServersPlan::P2] {
        let n =
            writes(plan).filter(|(_, w)| matches!(w, Write::ServersPlan { sub_plan: p, .. } if *p == sub_plan)).count();
        if n > 0 {
            lines.push(format!(
                "Turns on Defender for Servers {} (pricing VirtualMachines = Standard, subPlan {}) in {}: billed per server per hour.",
                plan_name(sub_plan),
                sub_plan.label(),
                count(n, "subscription")
            ));
        }
    }
    let skipped: Vec<_> = plan.items.iter().filter_map(|i| i.skip.as_ref().map(|s| (i, s))).collect();
    if !skipped.is_empty() {
        lines.push(format!("Skipped ({}):", skipped.len()));
        lines.extend(skipped.iter().map(|(item, skip)| format!("  - {}: {}", who(item), skip.reason)));
    }
    lines
}

/// Every write of the changing subscriptions, with its subscription, in order.
fn writes(plan: &Plan) -> impl Iterator<Item = (&PlanItem, &Write)> {
    plan.changing().flat_map(|item| item.writes.iter().map(move |w| (item, w)))
}

/// Calls `f` with "i/n" and each subscription that has writes, in plan order.
fn each_subscription<'a>(plan: &'a Plan, mut f: impl FnMut(String, &'a PlanItem)) {
    let total = plan.changing().count();
    for (i, item) in plan.changing().enumerate() {
        f(format!("{}/{total}", i + 1), item);
    }
}

/// The `kind` the setting's PUT body carries (`DataExportSettings` for the WDATP family).
fn setting_kind(change: &SettingChange) -> String {
    change.body()["kind"].as_str().unwrap_or("DataExportSettings").to_string()
}

/// The resource type and api-version a write PUTs to.
fn resource_type(write: &Write) -> (&'static str, &'static str) {
    match write {
        Write::Setting(_) => ("Microsoft.Security/settings", api::SETTINGS),
        Write::ServersPlan { .. } => ("Microsoft.Security/pricings", api::PRICINGS),
    }
}

/// "Name (id)", for comments and messages.
fn who(item: &PlanItem) -> String {
    format!("{} ({})", item.name, item.subscription_id)
}

fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

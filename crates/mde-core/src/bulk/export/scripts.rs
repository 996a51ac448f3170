//! Scripts that send the plan's writes: Azure CLI commands, PowerShell cmdlets, and the
//! exact PUTs through `az rest`.

use super::{each_subscription, setting_kind, summary, who};
use crate::arm::pricings::VIRTUAL_MACHINES;
use crate::bulk::{Plan, Write};
use crate::quote::{comments, one_line, ps_quote, sh_opt, sh_quote, UTF8_BOM};

pub(super) fn az_cli(plan: &Plan, arm_url: &str) -> String {
    let mut notes = summary(plan, arm_url);
    notes.push("Run with bash after `az login`; it stops at the first command that fails.".into());
    notes.push("Each command names its subscription (--subscription): the CLI's default is left as it is.".into());
    bash(plan, &notes, |write| match write {
        // The same line the subscription page's confirmation shows.
        Write::Setting(change) => change.az(),
        Write::ServersPlan { subscription_id, sub_plan } => pricing_command(subscription_id, sub_plan.label()),
    })
}

/// `az security pricing create`: a PUT of the pricing with the tier and sub-plan, as the app
/// sends it.
fn pricing_command(subscription_id: &str, sub_plan: &str) -> String {
    format!(
        "az security pricing create {} --name {VIRTUAL_MACHINES} --tier Standard --subplan {}",
        sh_opt("--subscription", subscription_id),
        sh_quote(sub_plan)
    )
}

pub(super) fn az_rest(plan: &Plan, arm_url: &str) -> String {
    let mut notes = summary(plan, arm_url);
    notes.push("Run with bash after `az login`: each command is the exact PUT the app sends, URL and body.".into());
    bash(plan, &notes, |write| {
        format!(
            "az rest --method put --url {} --body {}",
            sh_quote(&format!("{arm_url}{}", write.path())),
            sh_quote(&write.body().to_string())
        )
    })
}

fn bash(plan: &Plan, notes: &[String], command: impl Fn(&Write) -> String) -> String {
    let mut out = String::from("#!/usr/bin/env bash\n");
    out += &comments("#", notes);
    out += "set -euo pipefail\n";
    each_subscription(plan, |n, item| {
        out += &format!("\n# {n} {}\n", one_line(&who(item)));
        out += &format!("printf '== %s (%s)\\n' {} {}\n", sh_quote(&item.name), sh_quote(&item.subscription_id));
        for write in &item.writes {
            out += &comments("#", &[write.describe()]);
            out += &command(write);
            out.push('\n');
        }
    });
    out
}

pub(super) fn powershell(plan: &Plan, arm_url: &str) -> String {
    let mut notes = summary(plan, arm_url);
    notes.push(
        "Run in PowerShell after Connect-AzAccount (modules Az.Accounts and Az.Security); it stops at the first error."
            .into(),
    );
    notes.push("Set-AzContext selects each subscription in turn: the session is left on the last one.".into());
    let mut out = format!("{UTF8_BOM}#Requires -Modules Az.Accounts, Az.Security\n");
    out += &comments("#", &notes);
    out += "$ErrorActionPreference = 'Stop'\n";
    each_subscription(plan, |n, item| {
        out += &format!("\n# {n} {}\n", one_line(&who(item)));
        out += &format!("Set-AzContext -Subscription {} | Out-Null\n", ps_quote(&item.subscription_id));
        out += &format!("Write-Host {}\n", ps_quote(&format!("== {}", who(item))));
        for write in &item.writes {
            out += &comments("#", &[write.describe()]);
            out += &match write {
                Write::Setting(change) => format!(
                    "Set-AzSecuritySetting -SettingName {} -SettingKind {} -Enabled ${}\n",
                    ps_quote(&change.setting),
                    ps_quote(&setting_kind(change)),
                    change.enabled
                ),
                Write::ServersPlan { sub_plan, .. } => format!(
                    "Set-AzSecurityPricing -Name {} -PricingTier 'Standard' -SubPlan {}\n",
                    ps_quote(VIRTUAL_MACHINES),
                    ps_quote(sub_plan.label())
                ),
            };
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::super::Format;

    #[test]
    fn labels_and_files() {
        assert_eq!(Format::AzCli.file_name(crate::bulk::Action::Fix), "mde-plan-fix.sh");
        let names: std::collections::HashSet<_> =
            Format::ALL.iter().map(|f| f.file_name(crate::bulk::Action::Off)).collect();
        assert_eq!(names.len(), Format::ALL.len(), "every format downloads under its own name");
    }
}

//! Scripts that send the plan's writes: Azure CLI commands, PowerShell cmdlets, and the
//! exact PUTs through `az rest`.

use super::{comments, each_subscription, setting_kind, summary, who};
use crate::arm::pricings::VIRTUAL_MACHINES;
use crate::bulk::{Plan, Write};

pub(super) fn az_cli(plan: &Plan, arm_url: &str) -> String {
    let mut notes = summary(plan, arm_url);
    notes.push("Run with bash after `az login`; it stops at the first command that fails.".into());
    notes.push("Each command names its subscription (--subscription): the CLI's default is left as it is.".into());
    bash(plan, &notes, |write| match write {
        Write::Setting(change) => format!(
            "az security setting update {} {} --setting-kind {} --enabled {}",
            sh_opt("--subscription", &change.subscription_id),
            sh_opt("--name", &change.setting),
            sh_quote(&setting_kind(change)),
            change.enabled
        ),
        Write::ServersPlan { subscription_id, sub_plan } => format!(
            "az security pricing create -n {VIRTUAL_MACHINES} --tier standard --subplan {} {}",
            sh_quote(sub_plan.label()),
            sh_opt("--subscription", subscription_id)
        ),
    })
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
        out += &format!("\n# {n} {}\n", super::one_line(&who(item)));
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
    let mut out = String::from("#Requires -Modules Az.Accounts, Az.Security\n");
    out += &comments("#", &notes);
    out += "$ErrorActionPreference = 'Stop'\n";
    each_subscription(plan, |n, item| {
        out += &format!("\n# {n} {}\n", super::one_line(&who(item)));
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

/// One bash word holding exactly `value`: left bare when it holds only characters bash
/// takes literally (a GUID stays readable), otherwise single-quoted, `'` written `'\''`.
/// A value with line breaks or other control characters is written `$'...'` with them as
/// `\xHH` bytes, so that every command stays on one line. NUL cannot be in argv: dropped.
pub fn sh_quote(value: &str) -> String {
    let value: String = value.chars().filter(|&c| c != '\0').collect();
    let bare = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./-_".contains(c);
    if !value.is_empty() && value.chars().all(bare) {
        return value;
    }
    if !value.chars().any(breaks_line) {
        return format!("'{}'", value.replace('\'', r"'\''"));
    }
    let mut out = String::from("$'");
    for c in value.chars() {
        match c {
            '\\' | '\'' => {
                out.push('\\');
                out.push(c);
            }
            c if breaks_line(c) => {
                for byte in c.to_string().bytes() {
                    out += &format!("\\x{byte:02X}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// Characters written as escapes so that a value never spans or seems to span lines.
fn breaks_line(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// `--flag value`; `--flag=value` when the value starts with `-`, which the CLI's parser
/// would otherwise take for an option.
fn sh_opt(flag: &str, value: &str) -> String {
    if value.starts_with('-') {
        format!("{flag}={}", sh_quote(value))
    } else {
        format!("{flag} {}", sh_quote(value))
    }
}

/// A PowerShell single-quoted string: nothing in it expands. PowerShell ends such a string
/// at any of five quote characters (' and the typographic ‘ ’ ‚ ‛), and reads each one
/// doubled as itself. Control characters are joined in as `[char]0xHH`, so that a value
/// stays on one line: `('a' + [char]0x0A + 'b')`.
pub(crate) fn ps_quote(value: &str) -> String {
    let mut parts = Vec::new();
    let mut literal = String::from("'");
    for c in value.chars().filter(|&c| c != '\0') {
        if breaks_line(c) {
            let done = std::mem::replace(&mut literal, String::from("'")) + "'";
            if parts.is_empty() || done != "''" {
                parts.push(done);
            }
            parts.push(format!("[char]0x{:04X}", c as u32));
        } else {
            if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
                literal.push(c);
            }
            literal.push(c);
        }
    }
    literal.push('\'');
    if parts.is_empty() {
        return literal;
    }
    if literal != "''" {
        parts.push(literal);
    }
    format!("({})", parts.join(" + "))
}

#[cfg(test)]
mod tests {
    use super::super::Format;
    use super::*;

    #[test]
    fn bash_words() {
        assert_eq!(sh_quote("0000-aa"), "0000-aa");
        assert_eq!(sh_quote("it's $(x)"), r"'it'\''s $(x)'");
        assert_eq!(sh_quote(""), "''");
        assert_eq!(sh_quote("~root"), "'~root'");
        assert_eq!(sh_opt("--subscription", "-x"), "--subscription=-x");
        assert_eq!(sh_quote("a'\nb\u{2028}"), r"$'a\'\x0Ab\xE2\x80\xA8'");
    }

    #[test]
    fn powershell_strings() {
        assert_eq!(ps_quote("a'b’c $x"), "'a''b’’c $x'");
        assert_eq!(ps_quote("\na\r"), "('' + [char]0x000A + 'a' + [char]0x000D)");
    }

    #[test]
    fn labels_and_files() {
        assert_eq!(Format::AzCli.file_name(crate::bulk::Action::Fix), "mde-plan-fix.sh");
        let names: std::collections::HashSet<_> =
            Format::ALL.iter().map(|f| f.file_name(crate::bulk::Action::Off)).collect();
        assert_eq!(names.len(), Format::ALL.len(), "every format downloads under its own name");
    }
}

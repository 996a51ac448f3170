//! The script exports, bulk and machine plans alike: bash that parses and, run against a stub
//! `az` in the C, GBK and BIG5 locales, passes every id and name through byte for byte and runs
//! nothing else; PowerShell that starts with a byte-order mark, holds no character outside
//! ASCII but in comments, and whose statements keep their shape whatever the names hold.
//! (tests/exports/ has the real Azure CLI parse every command, and a PowerShell grammar parse
//! every script.)

mod export_common;

use std::path::Path;
use std::process::Command;

use export_common::*;
use mde_core::bulk::export::{export, Format};
use mde_core::bulk::{Plan, Write};
use mde_core::deployment::actions::export as machine_export;
use mde_core::deployment::actions::{MachinePlan, MachineWrite};
use mde_core::deployment::MachineKind;

/// The locales the bash exports run in: UTF-8, and the two multi-byte code pages whose second
/// byte can be a backslash (Debian's `locales-all`, which `scripts/setup.sh --test` installs).
const LOCALES: [&str; 3] = ["C.UTF-8", "zh_CN.GBK", "zh_TW.BIG5"];

fn bash_n(script: &Path) {
    let out = Command::new("bash").arg("-n").arg(script).output().expect("bash runs");
    assert!(out.status.success(), "bash -n {}: {}", script.display(), String::from_utf8_lossy(&out.stderr));
}

/// Fails unless bash really reads `locale`'s code page: `\xC4\xE3` is one character in GBK
/// and in BIG5, two bytes that are not one in UTF-8.
fn assert_locale_works(locale: &str) {
    let out = Command::new("/bin/bash")
        .args(["-c", r"x=$'\xC4\xE3'; printf %s ${#x}"])
        .env_clear()
        .env("LC_ALL", locale)
        .output()
        .expect("bash runs");
    let expected = if locale.starts_with("zh_") { "1" } else { "2" };
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        expected,
        "bash does not read {locale} (is Debian's locales-all installed? scripts/setup.sh --test installs it): {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// One run of a script with only a stub `az` on PATH: each call's argv, as bytes, and stdout.
struct Run {
    calls: Vec<Vec<Vec<u8>>>,
    stdout: Vec<u8>,
}

/// Runs in `marks`, where the hostile machine id's relative `touch` would leave its marks.
fn run_with_stub_az(dir: &Path, marks: &Path, script: &str, locale: &str) -> Run {
    let bin = dir.join("bin");
    let calls = dir.join(format!("calls-{locale}"));
    let _ = std::fs::remove_dir_all(&calls);
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(&calls).unwrap();
    // Bash builtins, the stub and `touch` only: an injected `touch` leaves its mark in `marks`,
    // and any other command fails the script.
    let touch = bin.join("touch");
    if !touch.exists() {
        std::os::unix::fs::symlink("/usr/bin/touch", &touch).unwrap();
    }
    let stub = "#!/bin/bash\nn=0\n[ -f \"$AZ_CALLS/count\" ] && n=$(<\"$AZ_CALLS/count\")\nn=$((n + 1))\n\
                printf '%s' \"$n\" > \"$AZ_CALLS/count\"\nprintf '%s\\0' \"$@\" > \"$AZ_CALLS/$n\"\n";
    std::fs::write(bin.join("az"), stub).unwrap();
    Command::new("chmod").arg("+x").arg(bin.join("az")).status().unwrap();
    let path = dir.join("plan.sh");
    std::fs::write(&path, script).unwrap();
    bash_n(&path);
    let out = Command::new("/bin/bash")
        .arg(&path)
        .env_clear()
        .env("PATH", &bin)
        .env("AZ_CALLS", &calls)
        .env("HOME", dir)
        .env("LC_ALL", locale)
        .current_dir(marks)
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "the script failed in {locale} (a command other than az?): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let count: usize = std::fs::read_to_string(calls.join("count")).map_or(0, |s| s.parse().unwrap());
    let calls = (1..=count)
        .map(|n| {
            let raw = std::fs::read(calls.join(n.to_string())).unwrap();
            let mut args: Vec<Vec<u8>> = raw.split(|&b| b == 0).map(<[u8]>::to_vec).collect();
            args.pop(); // after the last NUL
            args
        })
        .collect();
    Run { calls, stdout: out.stdout }
}

/// Runs `script` in every locale and checks that each run makes exactly `expected` calls and
/// prints `announced`, byte for byte, and that no injected command touched a file in `marks`.
fn check_runs(dir: &Path, marks: &Path, script: &str, expected: &[Vec<String>], announced: &str) {
    let expected: Vec<Vec<Vec<u8>>> =
        expected.iter().map(|call| call.iter().map(|a| a.as_bytes().to_vec()).collect()).collect();
    for locale in LOCALES {
        assert_locale_works(locale);
        let run = run_with_stub_az(dir, marks, script, locale);
        let readable = |calls: &[Vec<Vec<u8>>]| -> Vec<Vec<String>> {
            calls.iter().map(|c| c.iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect()).collect()
        };
        assert!(
            run.calls == expected,
            "in {locale}: az is called once per write, in order, with the exact bytes\n  calls: {:?}\n  expected: {:?}",
            readable(&run.calls),
            readable(&expected)
        );
        assert_eq!(String::from_utf8_lossy(&run.stdout), announced, "in {locale}");
        assert_no_marks(marks);
    }
}

fn assert_no_marks(marks: &Path) {
    let left: Vec<_> = std::fs::read_dir(marks).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.is_empty(), "an injected command ran: {left:?}");
}

fn marks_in(dir: &Path) -> std::path::PathBuf {
    let marks = dir.join("marks");
    std::fs::create_dir_all(&marks).unwrap();
    marks
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| v.to_string()).collect()
}

/// `--subscription ID`, or `--subscription=ID` for an id the parser would take for an option.
fn subscription_args(id: &str) -> Vec<String> {
    if id.starts_with('-') {
        vec![format!("--subscription={id}")]
    } else {
        vec!["--subscription".into(), id.into()]
    }
}

fn all_writes(plan: &Plan) -> Vec<&Write> {
    plan.items.iter().flat_map(|i| &i.writes).collect()
}

/// The argv of the Azure CLI command for a bulk write, in the CLI's current syntax.
fn az_argv(write: &Write) -> Vec<String> {
    match write {
        Write::Setting(c) => [
            strings(&["security", "setting", "update"]),
            vec![format!("--subscription={}", c.subscription_id)],
            strings(&["--name", &c.setting, "--data-export-settings", &format!("enabled={}", c.enabled)]),
        ]
        .concat(),
        Write::ServersPlan { subscription_id, sub_plan } => [
            strings(&["security", "pricing", "create"]),
            subscription_args(subscription_id),
            strings(&["--name", "VirtualMachines", "--tier", "Standard", "--subplan", sub_plan.label()]),
        ]
        .concat(),
    }
}

#[test]
fn az_cli_runs_only_az_with_ids_and_names_intact_in_every_locale() {
    let dir = scratch("az-cli");
    let marks = marks_in(&dir);
    let plan = fix_plan(marks.to_str().unwrap());
    let expected: Vec<_> = all_writes(&plan).into_iter().map(az_argv).collect();
    // Each changing subscription is announced with its name as ARM gave it, newlines and all.
    let announced: String = plan.changing().map(|i| format!("== {} ({})\n", i.name, i.subscription_id)).collect();
    check_runs(&dir, &marks, &export(&plan, Format::AzCli, ARM), &expected, &announced);
}

#[test]
fn az_rest_sends_the_exact_puts_in_every_locale() {
    let dir = scratch("az-rest");
    let marks = marks_in(&dir);
    let plan = fix_plan(marks.to_str().unwrap());
    let expected: Vec<_> = all_writes(&plan)
        .into_iter()
        .map(|w| {
            strings(&[
                "rest",
                "--method",
                "put",
                "--url",
                &format!("{ARM}{}", w.path()),
                "--body",
                &w.body().to_string(),
            ])
        })
        .collect();
    let announced: String = plan.changing().map(|i| format!("== {} ({})\n", i.name, i.subscription_id)).collect();
    check_runs(&dir, &marks, &export(&plan, Format::AzRest, "https://management.azure.com/"), &expected, &announced);
}

/// The argv of the Azure CLI command for a machine write.
fn machine_az_argv(write: &MachineWrite) -> Vec<String> {
    match write {
        MachineWrite::Tags { machine_id, patch } => {
            let operation = serde_json::to_value(patch.operation).unwrap();
            let mut argv =
                strings(&["tag", "update", "--resource-id", machine_id, "--operation", operation.as_str().unwrap()]);
            argv.push("--tags".into());
            argv.extend(patch.properties.tags.iter().map(|(k, v)| format!("{k}={v}")));
            argv
        }
        MachineWrite::DeleteExtension { machine_id, kind: MachineKind::Vm, extension } => {
            strings(&["vm", "extension", "delete", "--ids", &format!("{machine_id}/extensions/{extension}")])
        }
        MachineWrite::DeleteExtension { machine_id, kind: MachineKind::Arc, extension } => strings(&[
            "resource",
            "delete",
            "--ids",
            &format!("{machine_id}/extensions/{extension}"),
            "--api-version",
            "2024-07-10",
        ]),
    }
}

fn machine_writes(plan: &MachinePlan) -> Vec<&MachineWrite> {
    plan.items.iter().filter_map(|i| i.write.as_ref()).collect()
}

fn machines_announced(plan: &MachinePlan) -> String {
    plan.changing().map(|i| format!("== {} ({})\n", i.name, i.machine_id)).collect()
}

#[test]
fn machine_az_cli_runs_only_az_with_ids_and_tags_intact_in_every_locale() {
    let dir = scratch("machines-az-cli");
    let marks = marks_in(&dir);
    for plan in machine_plans(marks.to_str().unwrap()) {
        let expected: Vec<_> = machine_writes(&plan).into_iter().map(machine_az_argv).collect();
        let script = machine_export::export(&plan, Format::AzCli, ARM).unwrap();
        check_runs(&dir, &marks, &script, &expected, &machines_announced(&plan));
    }
}

#[test]
fn machine_az_rest_sends_the_exact_requests_in_every_locale() {
    let dir = scratch("machines-az-rest");
    let marks = marks_in(&dir);
    for plan in machine_plans(marks.to_str().unwrap()) {
        let expected: Vec<_> = machine_writes(&plan)
            .into_iter()
            .map(|w| {
                let method = w.method().as_str().to_ascii_lowercase();
                let mut argv = strings(&["rest", "--method", &method, "--url", &format!("{ARM}{}", w.path())]);
                if let Some(body) = w.body() {
                    argv.extend(["--body".to_string(), body.to_string()]);
                }
                argv
            })
            .collect();
        let script = machine_export::export(&plan, Format::AzRest, ARM).unwrap();
        check_runs(&dir, &marks, &script, &expected, &machines_announced(&plan));
    }
}

/// What the multi-byte check guards against, shown to happen: the old quoting of a name ending
/// in `中'` (`$'…\'…'`, its backslash after the character's last byte) runs the name's command
/// in GBK, and not in UTF-8. A check in a locale that did not take would not see this.
#[test]
fn the_old_quoting_runs_a_name_in_gbk() {
    let dir = scratch("old-quoting");
    let marks = marks_in(&dir);
    let mark = marks.join("old");
    let old = format!("printf '%s\\n' $'中\\'; touch {} #\\x0A'\n", mark.display());
    let path = dir.join("old.sh");
    std::fs::write(&path, old).unwrap();
    for (locale, runs) in [("C.UTF-8", false), ("zh_CN.GBK", true)] {
        assert_locale_works(locale);
        Command::new("/bin/bash")
            .arg(&path)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("LC_ALL", locale)
            .output()
            .unwrap();
        assert_eq!(mark.exists(), runs, "in {locale}");
    }
}

/// Every bash and PowerShell export of the test plans, named.
fn scripts() -> Vec<(String, String)> {
    let mut all = Vec::new();
    for plan in [fix_plan(GOLDEN_MARKS), off_plan(), benign_plan()] {
        for format in [Format::AzCli, Format::AzRest, Format::PowerShell] {
            all.push((format!("bulk {:?} {format:?}", plan.action), export(&plan, format, ARM)));
        }
    }
    for plan in machine_plans(GOLDEN_MARKS) {
        for format in [Format::AzCli, Format::AzRest, Format::PowerShell] {
            all.push((
                format!("machines {:?} {format:?}", plan.action),
                machine_export::export(&plan, format, ARM).unwrap(),
            ));
        }
    }
    all
}

/// The byte rules that make a script read the same in every code page: a `.ps1` starts with
/// the UTF-8 byte-order mark; outside comments (whole lines starting with `#`), every byte of
/// every script is ASCII, so each non-ASCII character of a value is an escape.
#[test]
fn scripts_hold_ascii_only_outside_comments() {
    for (name, script) in scripts() {
        let body = if name.ends_with("PowerShell") {
            assert!(
                script.as_bytes().starts_with(b"\xEF\xBB\xBF#Requires -Modules Az.Accounts, "),
                "{name}: the BOM first"
            );
            &script['\u{FEFF}'.len_utf8()..]
        } else {
            assert!(script.starts_with("#!/usr/bin/env bash\n"), "{name}");
            script.as_str()
        };
        assert!(!body.contains('\u{FEFF}'), "{name}: one byte-order mark, at the start");
        for (n, line) in body.lines().enumerate() {
            assert!(
                line.starts_with('#') || line.is_ascii(),
                "{name}, line {}: a character outside ASCII in code: {line}",
                n + 1
            );
        }
    }
    // The hostile plans do hold such characters: the rule is not met by chance.
    assert!(evil_name("/m").contains('Ò') && evil_id("/m").contains('中') && vm_id().contains('‘'));
}

#[test]
fn bash_scripts_parse_and_say_what_they_do() {
    let dir = scratch("bash-n");
    for (name, script) in scripts().into_iter().filter(|(name, _)| !name.ends_with("PowerShell")) {
        let path = dir.join("script.sh");
        std::fs::write(&path, &script).unwrap();
        bash_n(&path);
        assert!(script.contains("\nset -euo pipefail\n"), "{name}");
        // Skipped subscriptions and machines are named in comments only.
        for line in script.lines().filter(|l| !l.starts_with('#')) {
            assert!(
                !line.contains("22222222-2222") && !line.contains("Contoso Done") && !line.contains("win-01"),
                "{line}"
            );
        }
    }
    let off = export(&off_plan(), Format::AzCli, ARM);
    assert!(off.contains("# Caveat: Turning the integration off stops onboarding new machines."));
    assert!(off.contains("\naz security setting update --subscription=00000000-0000-4000-8000-000000000001 --name WDATP --data-export-settings enabled=false\n"));
}

/// A PowerShell token as its tokenizer sees it (enough of it for what the export writes).
#[derive(Debug, PartialEq)]
enum Ps {
    Word(String),
    Str(String),
    Comment,
    Newline,
}

const PS_QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];

/// Splits a script the way PowerShell does for single-quoted strings (any of five quote
/// characters; two in a row are one literal), line comments and block comments. Double
/// quotes, backticks and `$(`: none are written outside strings, so any is a break-out.
fn ps_tokens(script: &str) -> Vec<Ps> {
    let mut tokens = Vec::new();
    let mut chars = script.trim_start_matches('\u{FEFF}').chars().peekable();
    let mut word = String::new();
    let flush = |word: &mut String, tokens: &mut Vec<Ps>| {
        if !word.is_empty() {
            tokens.push(Ps::Word(std::mem::take(word)));
        }
    };
    while let Some(c) = chars.next() {
        match c {
            q if PS_QUOTES.contains(&q) => {
                flush(&mut word, &mut tokens);
                let mut text = String::new();
                loop {
                    let c = chars.next().expect("a string closes");
                    if PS_QUOTES.contains(&c) {
                        match chars.peek() {
                            Some(n) if PS_QUOTES.contains(n) => text.push(chars.next().unwrap()),
                            _ => break,
                        }
                    } else {
                        text.push(c);
                    }
                }
                tokens.push(Ps::Str(text));
            }
            '#' if word.is_empty() => {
                while chars.peek().is_some_and(|&c| c != '\n') {
                    chars.next();
                }
                tokens.push(Ps::Comment);
            }
            '<' if chars.peek() == Some(&'#') => panic!("a block comment outside strings"),
            '"' | '\u{201C}' | '\u{201D}' | '\u{201E}' | '`' => panic!("{c:?} outside a string"),
            '\n' => {
                flush(&mut word, &mut tokens);
                tokens.push(Ps::Newline);
            }
            ' ' | '\r' => flush(&mut word, &mut tokens),
            c => word.push(c),
        }
    }
    flush(&mut word, &mut tokens);
    tokens
}

/// Each statement with its strings as `S`, and the strings in order. A string joined from
/// parts, `('a' + [char]0x000A + 'b')`, is one string; UTF-16 code units join as PowerShell
/// joins them.
fn ps_shape(script: &str) -> (Vec<String>, Vec<String>) {
    let (mut lines, mut strings, mut line) = (Vec::new(), Vec::new(), Vec::<String>::new());
    let mut joined: Option<Vec<u16>> = None;
    for token in ps_tokens(script) {
        match (token, joined.as_mut()) {
            (Ps::Word(w), None) if w == "(" => joined = Some(Vec::new()),
            (Ps::Word(w), Some(units)) if w == ")" => {
                strings.push(String::from_utf16(units).expect("whole characters"));
                line.push("S".into());
                joined = None;
            }
            (Ps::Word(w), Some(_)) if w == "+" => {}
            (Ps::Word(w), Some(units)) => {
                let code = w.strip_prefix("[char]0x").unwrap_or_else(|| panic!("{w} in a joined string"));
                units.push(u16::from_str_radix(code, 16).unwrap());
            }
            (Ps::Str(s), Some(units)) => units.extend(s.encode_utf16()),
            (other, Some(_)) => panic!("{other:?} in a joined string"),
            (Ps::Word(w), None) => line.push(w),
            (Ps::Str(s), None) => {
                line.push("S".into());
                strings.push(s);
            }
            (Ps::Comment, None) => {}
            (Ps::Newline, None) if line.is_empty() => {}
            (Ps::Newline, None) => lines.push(std::mem::take(&mut line).join(" ")),
        }
    }
    (lines, strings)
}

#[test]
fn powershell_statements_keep_their_shape_and_strings_arrive_intact() {
    let plan = fix_plan(GOLDEN_MARKS);
    let script = export(&plan, Format::PowerShell, ARM);
    let (lines, strings) = ps_shape(&script);
    let allowed = [
        "$ErrorActionPreference = S",
        "Set-AzContext -Subscription S | Out-Null",
        "Write-Host S",
        "Set-AzSecurityPricing -Name S -PricingTier S -SubPlan S",
        "Set-AzSecuritySetting -SettingName S -SettingKind S -Enabled $true",
        "Set-AzSecuritySetting -SettingName S -SettingKind S -Enabled $false",
    ];
    for line in &lines {
        assert!(allowed.contains(&line.as_str()), "unexpected statement: {line}");
    }
    assert_eq!(lines, ps_shape(&export(&benign_plan(), Format::PowerShell, ARM)).0, "names change no statement");

    let mut expected = vec!["Stop".to_string()];
    for item in plan.changing() {
        expected.push(item.subscription_id.clone());
        expected.push(format!("== {} ({})", item.name, item.subscription_id));
        for write in &item.writes {
            match write {
                Write::ServersPlan { sub_plan, .. } => {
                    expected.extend(["VirtualMachines", "Standard", sub_plan.label()].map(String::from))
                }
                Write::Setting(c) => expected.extend([c.setting.clone(), "DataExportSettings".into()]),
            }
        }
    }
    assert_eq!(strings, expected);
}

#[test]
fn machine_powershell_keeps_its_shape_and_strings_arrive_intact() {
    for plan in machine_plans(GOLDEN_MARKS) {
        let script = machine_export::export(&plan, Format::PowerShell, ARM).unwrap();
        assert!(script.starts_with("\u{FEFF}#Requires -Modules Az.Accounts, Az.Resources\n"));
        let (lines, strings) = ps_shape(&script);
        let mut expected_lines = vec!["$ErrorActionPreference = S".to_string()];
        let mut expected = vec!["Stop".to_string()];
        let mut subscription = None;
        for item in plan.changing() {
            if subscription != Some(&item.subscription_id) {
                expected_lines.push("Set-AzContext -Subscription S | Out-Null".into());
                expected.push(item.subscription_id.clone());
                subscription = Some(&item.subscription_id);
            }
            expected_lines.push("Write-Host S".into());
            expected.push(format!("== {} ({})", item.name, item.machine_id));
            match item.write.as_ref().unwrap() {
                MachineWrite::Tags { machine_id, patch } => {
                    let operation = serde_json::to_value(patch.operation).unwrap().as_str().unwrap().to_string();
                    expected_lines.push(format!(
                        "Update-AzTag -ResourceId S -Tag @{{ S = S }} -Operation {operation} | Out-Null"
                    ));
                    expected.push(machine_id.clone());
                    for (k, v) in &patch.properties.tags {
                        expected.extend([k.clone(), v.clone()]);
                    }
                }
                MachineWrite::DeleteExtension { machine_id, kind, extension } => {
                    expected_lines.push("Remove-AzResource -ResourceId S -ApiVersion S -Force | Out-Null".into());
                    let version = if *kind == MachineKind::Vm { "2024-07-01" } else { "2024-07-10" };
                    expected.extend([format!("{machine_id}/extensions/{extension}"), version.into()]);
                }
            }
        }
        assert_eq!(lines, expected_lines, "{:?}", plan.action);
        assert_eq!(strings, expected, "{:?}", plan.action);
    }
}

#[test]
fn every_export_says_what_the_plan_does() {
    let fix = fix_plan(GOLDEN_MARKS);
    let off = off_plan();
    for format in Format::ALL {
        let text = export(&fix, format, ARM);
        for expected in [
            "MDE Console plan: Turn the integration fully on (Fix)",
            "4 subscriptions to change, 8 writes to ARM (https://management.azure.com)",
            "Turns on Defender for Servers Plan 2 (pricing VirtualMachines = Standard, subPlan P2) in 1 subscription: billed per server per hour.",
            "Skipped (2):",
            "22222222-2222-4222-8222-222222222222",
            "Contoso Done (33333333-3333-4333-8333-333333333333): Already so: nothing to change.",
        ] {
            assert!(text.contains(expected), "{format:?} lacks {expected:?}");
        }
        let text = export(&off, format, ARM);
        assert!(text.contains(off.action.caveat().unwrap()), "{format:?} lacks the caveat");
        assert!(!text.contains("billed"), "{format:?}: no plan write, no billing note");
    }
    let removal = removal_plan(GOLDEN_MARKS);
    for format in machine_export::FORMATS {
        let text = machine_export::export(&removal, format, ARM).unwrap();
        for expected in [
            "MDE Console plan: Remove the MDE extension",
            "3 machines to change, 3 writes to ARM (https://management.azure.com), in order.",
            "Removing the extension does not offboard the device",
            "3. Offboard the device in the Microsoft Defender portal",
            "https://learn.microsoft.com/defender-endpoint/offboard-machines",
            "Subscription 00000000-0000-4000-8000-000000000001: The integration is on for this subscription",
        ] {
            assert!(text.contains(expected), "{format:?} lacks {expected:?}");
        }
    }
    let tag = machine_export::export(&tag_plan(GOLDEN_MARKS), Format::AzCli, ARM).unwrap();
    assert!(tag.contains("# Skipped (1):\n#   - win"), "{tag}");
}

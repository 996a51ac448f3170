//! The script exports: bash that parses and, run against a stub `az`, passes every id and
//! name through intact and runs nothing else; PowerShell whose statements keep their shape
//! whatever the names hold.

mod export_common;

use std::path::Path;
use std::process::Command;

use export_common::*;
use mde_core::bulk::export::{export, Format};
use mde_core::bulk::{Plan, Write};

fn bash_n(script: &Path) {
    let out = Command::new("bash").arg("-n").arg(script).output().expect("bash runs");
    assert!(out.status.success(), "bash -n {}: {}", script.display(), String::from_utf8_lossy(&out.stderr));
}

/// Runs `script` with only a stub `az` on PATH; returns each call's argv and the output.
fn run_with_stub_az(dir: &Path, script: &str) -> (Vec<Vec<String>>, String) {
    let bin = dir.join("bin");
    let calls = dir.join("calls");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(&calls).unwrap();
    // Bash builtins only: with PATH holding nothing but this stub, any other command fails.
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
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "the script failed (a command other than az?): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let count: usize = std::fs::read_to_string(calls.join("count")).map_or(0, |s| s.parse().unwrap());
    let argv = (1..=count)
        .map(|n| {
            let raw = std::fs::read(calls.join(n.to_string())).unwrap();
            let mut args: Vec<String> =
                raw.split(|&b| b == 0).map(|a| String::from_utf8(a.to_vec()).unwrap()).collect();
            args.pop(); // after the last NUL
            args
        })
        .collect();
    (argv, String::from_utf8(out.stdout).unwrap())
}

fn assert_no_marks(marks: &Path) {
    let left: Vec<_> = std::fs::read_dir(marks).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.is_empty(), "an injected command ran: {left:?}");
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

#[test]
fn az_cli_runs_only_az_with_ids_and_names_intact() {
    let dir = scratch("az-cli");
    let marks = dir.join("marks");
    std::fs::create_dir_all(&marks).unwrap();
    let plan = fix_plan(marks.to_str().unwrap());
    let (calls, stdout) = run_with_stub_az(&dir, &export(&plan, Format::AzCli, ARM));

    let expected: Vec<Vec<String>> = all_writes(&plan)
        .into_iter()
        .map(|write| {
            let s = |v: &[&str]| v.iter().map(|a| a.to_string()).collect::<Vec<_>>();
            match write {
                Write::Setting(c) => [
                    s(&["security", "setting", "update"]),
                    subscription_args(&c.subscription_id),
                    s(&[
                        "--name",
                        &c.setting,
                        "--setting-kind",
                        "DataExportSettings",
                        "--enabled",
                        &c.enabled.to_string(),
                    ]),
                ]
                .concat(),
                Write::ServersPlan { subscription_id, sub_plan } => [
                    s(&[
                        "security",
                        "pricing",
                        "create",
                        "-n",
                        "VirtualMachines",
                        "--tier",
                        "standard",
                        "--subplan",
                        sub_plan.label(),
                    ]),
                    subscription_args(subscription_id),
                ]
                .concat(),
            }
        })
        .collect();
    assert_eq!(calls, expected, "az is called once per write, in plan order, with the exact ids");

    // Each changing subscription is announced with its name as ARM gave it, newlines and all.
    let announced: Vec<String> = plan.changing().map(|i| format!("== {} ({})\n", i.name, i.subscription_id)).collect();
    assert_eq!(stdout, announced.concat());
    assert_no_marks(&marks);
}

#[test]
fn az_rest_sends_the_exact_puts() {
    let dir = scratch("az-rest");
    let marks = dir.join("marks");
    std::fs::create_dir_all(&marks).unwrap();
    let plan = fix_plan(marks.to_str().unwrap());
    let (calls, _) = run_with_stub_az(&dir, &export(&plan, Format::AzRest, "https://management.azure.com/"));
    let writes = all_writes(&plan);
    assert_eq!(calls.len(), writes.len());
    for (call, write) in calls.iter().zip(writes) {
        assert_eq!(call[..5], ["rest", "--method", "put", "--url", &format!("{ARM}{}", write.path())]);
        assert_eq!(call[5], "--body");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&call[6]).unwrap(), write.body());
        assert_eq!(call.len(), 7);
    }
    assert_no_marks(&marks);
}

#[test]
fn bash_scripts_parse_and_say_what_they_do() {
    let dir = scratch("bash-n");
    for (plan, name) in [(fix_plan(GOLDEN_MARKS), "fix"), (off_plan(), "off")] {
        for format in [Format::AzCli, Format::AzRest] {
            let script = export(&plan, format, ARM);
            let path = dir.join(format.file_name(plan.action));
            std::fs::write(&path, &script).unwrap();
            bash_n(&path);
            assert!(script.starts_with("#!/usr/bin/env bash\n"), "{name} {format:?}");
            assert!(script.contains("\nset -euo pipefail\n"), "{name} {format:?}");
            // Skipped subscriptions are named in comments only.
            for line in script.lines().filter(|l| !l.starts_with('#')) {
                assert!(!line.contains("22222222-2222") && !line.contains("Contoso Done"), "{line}");
            }
        }
    }
    let off = export(&off_plan(), Format::AzCli, ARM);
    assert!(off.contains("# Caveat: Turning the integration off stops onboarding new machines."));
    assert!(off.contains("az security setting update --subscription 00000000-0000-4000-8000-000000000001 --name WDATP --setting-kind DataExportSettings --enabled false\n"));
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
    let mut chars = script.chars().peekable();
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
/// parts, `('a' + [char]0x000A + 'b')`, is one string.
fn ps_shape(script: &str) -> (Vec<String>, Vec<String>) {
    let (mut lines, mut strings, mut line) = (Vec::new(), Vec::new(), Vec::<String>::new());
    let mut joined: Option<String> = None;
    for token in ps_tokens(script) {
        match (token, joined.as_mut()) {
            (Ps::Word(w), None) if w == "(" => joined = Some(String::new()),
            (Ps::Word(w), Some(text)) if w == ")" => {
                strings.push(std::mem::take(text));
                line.push("S".into());
                joined = None;
            }
            (Ps::Word(w), Some(_)) if w == "+" => {}
            (Ps::Word(w), Some(text)) => {
                let code = w.strip_prefix("[char]0x").unwrap_or_else(|| panic!("{w} in a joined string"));
                text.push(char::from_u32(u32::from_str_radix(code, 16).unwrap()).unwrap());
            }
            (Ps::Str(s), Some(text)) => text.push_str(&s),
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
    assert!(script.starts_with("#Requires -Modules Az.Accounts, Az.Security\n"));
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
}

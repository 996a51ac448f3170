//! Plans for the export tests: several subscriptions, some named (and one numbered) by an
//! attacker, since names and ids come from ARM.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use mde_core::arm::settings::{WDATP, WDATP_EXCLUDE_LINUX, WDATP_UNIFIED_SOLUTION};
use mde_core::arm::tags::{TagsOperation, TagsPatch};
use mde_core::bulk::{Action, Plan, PlanItem, Skip, SkipKind, Write};
use mde_core::change::SettingChange;
use mde_core::deployment::actions::{self, MachineAction, MachineItem, MachinePlan, MachineWrite, RemovalWarning};
use mde_core::deployment::MachineKind;
use mde_core::status::ServersPlan;

pub const ARM: &str = "https://management.azure.com";
/// Where the golden plan's injected commands would leave their marks.
pub const GOLDEN_MARKS: &str = "/tmp/mde-export-marks";

pub const PROD: &str = "00000000-0000-4000-8000-000000000001";
pub const FINANCE: &str = "11111111-1111-4111-8111-111111111111";
/// An id the CLI's parser would read as options if it were not attached to its flag.
pub const DASH: &str = "--debug -o none";

/// A name that tries every way out of a string or a comment, with commands that would touch
/// files in `marks` if they ever ran: quotes straight and typographic (PowerShell ends a
/// single-quoted string at ‘ ’ ‚ ‛ too), `$()`, backticks, template and expression openers,
/// line breaks; `Ò (…) Ò`, whose UTF-8 bytes hold a ’ when read as Windows-1252; and `中'`,
/// whose last UTF-8 byte takes the backslash of a following `\'` as its own in GBK and BIG5.
pub fn evil_name(marks: &str) -> String {
    format!(
        "Fin'ance \"Ops\" $(touch {marks}/n1) `touch {marks}/n2` ${{HOME}} %{{x}} */ <# #> ‘q’ ‚r‛ \\ end\n\
         # injected $(touch {marks}/n3)\r\n[concat('a')]\u{2028}\u{202E}gnp.exe \
         Ò (Start-Process calc.exe; touch {marks}/n4) Ò Ñ Â 中'; touch {marks}/n5 #\n"
    )
}

/// An id that is also an ARM expression, and tries the same ways out.
pub fn evil_id(marks: &str) -> String {
    format!("[x'\"$(touch {marks}/i1)`touch {marks}/i2`${{y}}%{{z}}*/\n#中'$(touch {marks}/i3)Ò ‘]")
}

fn setting(id: &str, name: &str, enabled: bool) -> Write {
    Write::Setting(SettingChange { subscription_id: id.into(), setting: name.into(), enabled })
}

fn item(id: &str, name: &str, writes: Vec<Write>) -> PlanItem {
    PlanItem { subscription_id: id.into(), name: name.into(), writes, skip: None, plan_now: None, parts_now: None }
}

fn skipped(id: &str, name: &str, kind: SkipKind, reason: &str) -> PlanItem {
    PlanItem {
        subscription_id: id.into(),
        name: name.into(),
        writes: vec![],
        skip: Some(Skip { kind, reason: reason.into() }),
        plan_now: None,
        parts_now: None,
    }
}

/// Fix with Plan 2 opted in: a plan write before three settings, hostile names and ids, and
/// two subscriptions skipped (one named to break out of the header).
pub fn fix_plan(marks: &str) -> Plan {
    let evil = evil_id(marks);
    Plan {
        action: Action::Fix,
        servers_plan: Some(ServersPlan::P2),
        items: vec![
            item(
                PROD,
                "Contoso Prod",
                vec![
                    Write::ServersPlan { subscription_id: PROD.into(), sub_plan: ServersPlan::P2 },
                    setting(PROD, WDATP, true),
                    setting(PROD, WDATP_EXCLUDE_LINUX, false),
                    setting(PROD, WDATP_UNIFIED_SOLUTION, true),
                ],
            ),
            skipped(
                "22222222-2222-4222-8222-222222222222",
                &format!("Skip me\n$(touch {marks}/s1) */"),
                SkipKind::NoPermission,
                "You may not change this subscription: it takes 'Security Admin' or \"Owner\".\nReally.",
            ),
            item(
                FINANCE,
                &evil_name(marks),
                vec![setting(FINANCE, WDATP_EXCLUDE_LINUX, false), setting(FINANCE, WDATP_UNIFIED_SOLUTION, true)],
            ),
            item(
                &evil,
                &format!("O'Brien ‘Dev’ ${{x}} $(touch {marks}/o1) `touch {marks}/o2` \\"),
                vec![setting(&evil, WDATP, true)],
            ),
            skipped(
                "33333333-3333-4333-8333-333333333333",
                "Contoso Done",
                SkipKind::AlreadyDone,
                "Already so: nothing to change.",
            ),
            item(DASH, "Dash", vec![setting(DASH, WDATP, true)]),
        ],
    }
}

/// The same plan's shape with harmless names and ids: an export must have the same structure.
pub fn benign_plan() -> Plan {
    let mut plan = fix_plan("/tmp/none");
    for (n, item) in plan.items.iter_mut().enumerate() {
        let id = format!("{n}0000000-0000-4000-8000-00000000000{n}");
        item.name = format!("Subscription {n}");
        for write in &mut item.writes {
            match write {
                Write::Setting(change) => change.subscription_id = id.clone(),
                Write::ServersPlan { subscription_id, .. } => *subscription_id = id.clone(),
            }
        }
        item.subscription_id = id;
    }
    plan
}

/// Turning the integration off in two subscriptions.
pub fn off_plan() -> Plan {
    Plan {
        action: Action::Off,
        servers_plan: None,
        items: vec![
            item(PROD, "Contoso Prod", vec![setting(PROD, WDATP, false)]),
            item(FINANCE, "Finance", vec![setting(FINANCE, WDATP, false)]),
        ],
    }
}

/// A VM in a resource group named as ARM allows (letters of any script, parentheses, periods).
pub fn vm_id() -> String {
    format!("/subscriptions/{PROD}/resourceGroups/rg-Ò‘prod’(中)/providers/Microsoft.Compute/virtualMachines/web-01")
}

/// An Arc machine in another subscription.
pub fn arc_id() -> String {
    format!("/subscriptions/{FINANCE}/resourceGroups/Équipe.Ñ/providers/Microsoft.HybridCompute/machines/srv-Ñ-01")
}

/// A machine id no ARM would give, with the ways out of a string: the exports must still hold
/// it intact. No whitespace and no `/` in its names: ARM's names hold neither, and the CLI's
/// `--ids` splits at whitespace. Its commands touch files in the directory a script runs in.
pub fn evil_machine_id() -> String {
    format!(
        "/subscriptions/{PROD}/resourceGroups/rg'\"$(touch${{IFS}}m1)`touch${{IFS}}m2`#中'$(touch${{IFS}}m3)‘Ò’/providers/Microsoft.Compute/virtualMachines/vm"
    )
}

fn machine(id: String, name: &str, subscription: &str, kind: MachineKind, write: Option<MachineWrite>) -> MachineItem {
    MachineItem { machine_id: id, name: name.into(), subscription_id: subscription.into(), kind, write, skip: None }
}

fn tags(id: &str, operation: TagsOperation, name: &str, value: &str) -> Option<MachineWrite> {
    Some(MachineWrite::Tags { machine_id: id.into(), patch: TagsPatch::one(operation, name, value) })
}

fn removal(id: &str, kind: MachineKind, extension: &str) -> Option<MachineWrite> {
    Some(MachineWrite::DeleteExtension { machine_id: id.into(), kind, extension: extension.into() })
}

fn windows_skipped(marks: &str) -> MachineItem {
    MachineItem {
        skip: Some(actions::Skip {
            kind: actions::SkipKind::NotLinux,
            reason: "A Windows machine: the tag is read by MDE.Linux only.".into(),
        }),
        ..machine(
            format!("/subscriptions/{PROD}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/win-01"),
            &format!("win\n$(touch {marks}/w1) */"),
            PROD,
            MachineKind::Vm,
            None,
        )
    }
}

/// The tag set on a VM, an Arc machine in another subscription and a hostile machine; a
/// Windows machine skipped.
pub fn tag_plan(marks: &str) -> MachinePlan {
    let evil = evil_machine_id();
    let set = |id: &str| tags(id, TagsOperation::Merge, "ExcludeMdeAutoUpdate", "true");
    MachinePlan {
        action: MachineAction::ExcludeAutoUpdate,
        items: vec![
            machine(vm_id(), "web-01", PROD, MachineKind::Vm, set(&vm_id())),
            windows_skipped(marks),
            machine(arc_id(), "srv-Ñ-01", FINANCE, MachineKind::Arc, set(&arc_id())),
            machine(evil.clone(), &evil_name(marks), PROD, MachineKind::Vm, set(&evil)),
        ],
        warnings: vec![],
        steps: vec![],
    }
}

/// The tag cleared as each machine spells it (the name in any case, the value with spaces).
pub fn untag_plan(marks: &str) -> MachinePlan {
    let evil = evil_machine_id();
    MachinePlan {
        action: MachineAction::IncludeAutoUpdate,
        items: vec![
            machine(
                vm_id(),
                "web-01",
                PROD,
                MachineKind::Vm,
                tags(&vm_id(), TagsOperation::Delete, "excludeMDEautoupdate", " TRUE "),
            ),
            machine(
                evil.clone(),
                &evil_name(marks),
                PROD,
                MachineKind::Vm,
                tags(&evil, TagsOperation::Delete, "ExcludeMdeAutoUpdate", "true"),
            ),
        ],
        warnings: vec![],
        steps: vec![],
    }
}

/// The extension removed from a VM, an Arc machine and a hostile machine, with the
/// subscription whose integration would put it back, and the removal's steps.
pub fn removal_plan(marks: &str) -> MachinePlan {
    let evil = evil_machine_id();
    MachinePlan {
        action: MachineAction::RemoveExtension,
        items: vec![
            machine(vm_id(), "web-01", PROD, MachineKind::Vm, removal(&vm_id(), MachineKind::Vm, "MDE.Linux")),
            machine(arc_id(), "srv-Ñ-01", FINANCE, MachineKind::Arc, removal(&arc_id(), MachineKind::Arc, "MDE.Windows")),
            machine(evil.clone(), &evil_name(marks), PROD, MachineKind::Vm, removal(&evil, MachineKind::Vm, "MDE.Linux")),
        ],
        warnings: vec![RemovalWarning {
            subscription_id: PROD.into(),
            machines: vec!["web-01".into(), evil_name(marks)],
            known: true,
            reason: "The integration is on for this subscription: Defender for Cloud will install MDE again on these 2 machines.".into(),
        }],
        steps: actions::removal_steps(),
    }
}

/// Every machine plan of the tests.
pub fn machine_plans(marks: &str) -> Vec<MachinePlan> {
    vec![tag_plan(marks), untag_plan(marks), removal_plan(marks)]
}

/// The machine plans' shapes with harmless names, ids and tags.
pub fn machine_plans_benign() -> Vec<MachinePlan> {
    let mut plans = machine_plans("/tmp/none");
    for plan in &mut plans {
        for (n, item) in plan.items.iter_mut().enumerate() {
            let id =
                format!("/subscriptions/{PROD}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm{n}");
            item.name = format!("vm{n}");
            match &mut item.write {
                Some(MachineWrite::Tags { machine_id, .. })
                | Some(MachineWrite::DeleteExtension { machine_id, .. }) => *machine_id = id.clone(),
                None => {}
            }
            item.machine_id = id;
        }
        for warning in &mut plan.warnings {
            warning.machines = (0..warning.machines.len()).map(|n| format!("vm{n}")).collect();
        }
    }
    plans
}

/// A fresh, empty directory for one test.
pub fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mde-export-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The reviewed exports, at the repository's root (this file is also a module of
/// `crates/plan-export`'s tests: both crates are two levels down).
pub fn golden_dir() -> PathBuf {
    crate_dir().join("../../tests/golden/exports")
}

/// Compares `actual` with the golden file `file` (a path under [`golden_dir`]);
/// `UPDATE_GOLDEN=1` rewrites it instead.
pub fn golden(file: &str, actual: &str) {
    let path = golden_dir().join(file);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 cargo test writes it)", path.display()));
    if expected != actual {
        let line = expected.lines().zip(actual.lines()).position(|(a, b)| a != b).unwrap_or(0);
        panic!(
            "{file} differs from the golden file at line {}:\n  golden: {:?}\n  actual: {:?}\n(UPDATE_GOLDEN=1 cargo test rewrites it after review)",
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

/// A plan as data, next to its exports, for the checks that compare what a tool reads with
/// what the plan says (tests/exports).
pub fn plan_json(plan: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(plan).expect("a plan serialises") + "\n"
}

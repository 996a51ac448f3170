//! Plans for the export tests: several subscriptions, some named (and one numbered) by an
//! attacker, since names and ids come from ARM.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use mde_core::arm::settings::{WDATP, WDATP_EXCLUDE_LINUX, WDATP_UNIFIED_SOLUTION};
use mde_core::bulk::{Action, Plan, PlanItem, Skip, SkipKind, Write};
use mde_core::change::SettingChange;
use mde_core::status::ServersPlan;

pub const ARM: &str = "https://management.azure.com";
/// Where the golden plan's injected commands would leave their marks.
pub const GOLDEN_MARKS: &str = "/tmp/mde-export-marks";

pub const PROD: &str = "00000000-0000-4000-8000-000000000001";
pub const FINANCE: &str = "11111111-1111-4111-8111-111111111111";
/// An id the CLI's parser would read as options if it were not attached to its flag.
pub const DASH: &str = "--debug -o none";

/// A name that tries every way out of a string or a comment, with commands that would touch
/// files in `marks` if they ever ran.
pub fn evil_name(marks: &str) -> String {
    format!(
        "Fin'ance \"Ops\" $(touch {marks}/n1) `touch {marks}/n2` ${{HOME}} %{{x}} */ <# #> ‘q’ \\ end\n\
         # injected $(touch {marks}/n3)\r\n[concat('a')]\u{2028}\u{202E}gnp.exe"
    )
}

/// An id that is also an ARM expression, and tries the same ways out.
pub fn evil_id(marks: &str) -> String {
    format!("[x'\"$(touch {marks}/i1)`touch {marks}/i2`${{y}}%{{z}}*/\n#]")
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

/// Compares `actual` with the golden file; `UPDATE_GOLDEN=1` rewrites it instead.
pub fn golden(file: &str, actual: &str) {
    let path = crate_dir().join("tests/golden").join(file);
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

//! Every export of the hostile test plans, as reviewed: tests/golden/exports/hostile/
//! (`UPDATE_GOLDEN=1 cargo test` rewrites them after a change, for review in the diff). The
//! plans themselves are written next to them (`*.plan.json`), and so are the az lines of the
//! subscription page's confirmations (`change-az.sh`): tests/exports/ runs the real tools on
//! these files.

mod export_common;

use export_common::*;
use mde_core::bulk::export::{export, Format};
use mde_core::bulk::Write;
use mde_core::change::SettingChange;
use mde_core::deployment::actions::export as machine_export;

#[test]
fn exports_match_the_reviewed_files() {
    let plan = fix_plan(GOLDEN_MARKS);
    for format in Format::ALL {
        golden(&format!("hostile/{}", format.file_name(plan.action)), &export(&plan, format, ARM));
    }
    golden("hostile/mde-plan-fix.plan.json", &plan_json(&plan));
    for plan in machine_plans(GOLDEN_MARKS) {
        for format in machine_export::FORMATS {
            let file = machine_export::file_name(plan.action, format);
            golden(&format!("hostile/{file}"), &machine_export::export(&plan, format, ARM).unwrap());
        }
        golden(&format!("hostile/mde-machines-{}.plan.json", plan.action.key()), &plan_json(&plan));
    }
}

/// The az line each confirmation dialog shows, for every setting of the hostile plan and for
/// Sentinel (the one setting of another kind), as a script.
#[test]
fn confirmation_az_lines_match_the_reviewed_file() {
    let mut changes: Vec<SettingChange> = fix_plan(GOLDEN_MARKS)
        .items
        .iter()
        .flat_map(|item| &item.writes)
        .filter_map(|write| match write {
            Write::Setting(change) => Some(change.clone()),
            Write::ServersPlan { .. } => None,
        })
        .collect();
    changes.push(SettingChange { subscription_id: FINANCE.into(), setting: "Sentinel".into(), enabled: true });
    let mut script = String::from(
        "#!/usr/bin/env bash\n# The az line of each confirmation on the subscription page (SettingChange::az).\nset -euo pipefail\n",
    );
    for change in changes {
        script += &change.az();
        script.push('\n');
    }
    golden("hostile/change-az.sh", &script);
}

/// Whatever a name or id holds, every format writes the same lines: nothing in the data
/// starts a line of its own (a comment that ends early, a string that spans lines).
#[test]
fn names_and_ids_add_no_line() {
    for format in Format::ALL {
        let hostile = export(&fix_plan(GOLDEN_MARKS), format, ARM);
        let benign = export(&benign_plan(), format, ARM);
        assert_eq!(hostile.lines().count(), benign.lines().count(), "{format:?}");
    }
    for (hostile, benign) in machine_plans(GOLDEN_MARKS).iter().zip(machine_plans_benign()) {
        for format in machine_export::FORMATS {
            let lines = |plan| machine_export::export(plan, format, ARM).unwrap().lines().count();
            assert_eq!(lines(hostile), lines(&benign), "{:?} {format:?}", hostile.action);
        }
    }
}

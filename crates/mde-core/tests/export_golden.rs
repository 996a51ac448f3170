//! Every export of one plan, as reviewed: tests/golden/mde-plan-fix.* (`UPDATE_GOLDEN=1`
//! rewrites them after a change, for review in the diff).

mod export_common;

use export_common::*;
use mde_core::bulk::export::{export, Format};

#[test]
fn exports_match_the_reviewed_files() {
    let plan = fix_plan(GOLDEN_MARKS);
    for format in Format::ALL {
        golden(&format.file_name(plan.action), &export(&plan, format, ARM));
    }
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
}

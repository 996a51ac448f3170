//! The bulk plan as a security admin reads it: which subscriptions a quick pick takes, the
//! writes per subscription in order, the skips with reasons they can act on, and the run's
//! record surviving a reload.

use mde_core::arm::subscriptions::Subscription;
use mde_core::bulk::run::{Finished, ReadBack, SubscriptionChanges};
use mde_core::bulk::{Action, Pick, Plan, SkipKind, Write};
use mde_core::cloud::Cloud;
use mde_core::overview::{Load, SubscriptionRow};
use mde_core::run::{Event, Failure, Record, RowState};
use mde_core::status::{IntegrationParts, ServersPlan};

fn row(name: &str, state: &str, parts: (bool, bool, bool), plan: ServersPlan, can_change: bool) -> SubscriptionRow {
    SubscriptionRow {
        subscription: Subscription {
            subscription_id: format!("id-{}", name.to_lowercase().replace(' ', "-")),
            display_name: name.into(),
            tenant_id: None,
            state: state.into(),
        },
        parts: Load::Ready(IntegrationParts { integration: parts.0, linux: parts.1, unified: parts.2 }),
        plan: Load::Ready(plan),
        can_change: Load::Ready(can_change),
        coverage: Load::Loading,
        version: 0,
    }
}

/// A small estate: one of each case the plan must tell apart.
fn estate() -> Vec<SubscriptionRow> {
    vec![
        row("Linux gap", "Enabled", (true, false, true), ServersPlan::P2, true),
        row("Unified gap", "Warned", (true, true, false), ServersPlan::P1, true),
        row("Off with plan", "Enabled", (false, false, false), ServersPlan::P2, true),
        row("Off no plan", "Enabled", (false, true, true), ServersPlan::Off, true),
        row("Reader only", "Enabled", (true, false, false), ServersPlan::P2, false),
        row("Disabled", "Disabled", (true, false, false), ServersPlan::P2, true),
        row("All on", "PastDue", (true, true, true), ServersPlan::P2, true),
        row("On no plan", "Enabled", (true, true, true), ServersPlan::Off, true),
    ]
}

fn names(rows: &[SubscriptionRow], pick: Pick) -> Vec<&str> {
    rows.iter().filter(|r| pick.matches(r)).map(|r| r.subscription.display_name.as_str()).collect()
}

fn writes(plan: &Plan, name: &str) -> Vec<String> {
    let item = plan.items.iter().find(|i| i.name == name).unwrap();
    item.writes.iter().map(|w| format!("{}={}", w.name(), w.requested())).collect()
}

fn skip(plan: &Plan, name: &str) -> (SkipKind, String) {
    let item = plan.items.iter().find(|i| i.name == name).unwrap();
    let skip = item.skip.clone().unwrap_or_else(|| panic!("{name} is not skipped"));
    (skip.kind, skip.reason)
}

#[test]
fn quick_picks_take_the_subscriptions_they_name() {
    let rows = estate();
    assert_eq!(names(&rows, Pick::Partial), ["Linux gap", "Unified gap", "Reader only", "Disabled"]);
    assert_eq!(names(&rows, Pick::LinuxGap), ["Linux gap", "Reader only", "Disabled"]);
    // Off, writable and changeable: the read-only and disabled ones are left out.
    assert_eq!(names(&rows, Pick::OffChangeable), ["Off with plan", "Off no plan"]);
    assert_eq!(names(&rows, Pick::UnifiedOff), ["Unified gap", "Reader only", "Disabled"]);
}

#[test]
fn fix_writes_what_each_subscription_lacks_and_says_why_others_are_skipped() {
    let rows = estate();
    let refs: Vec<&SubscriptionRow> = rows.iter().collect();
    let plan = Plan::new(Action::Fix, None, &Cloud::public(), &refs);
    assert_eq!(writes(&plan, "Linux gap"), ["WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW=false"]);
    assert_eq!(writes(&plan, "Unified gap"), ["WDATP_UNIFIED_SOLUTION=true"]);
    assert_eq!(
        writes(&plan, "Off with plan"),
        ["WDATP=true", "WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW=false", "WDATP_UNIFIED_SOLUTION=true"]
    );
    let (kind, reason) = skip(&plan, "Off no plan");
    assert_eq!(kind, SkipKind::NoServersPlan);
    assert!(reason.contains("choose to turn on Plan 1 or Plan 2"), "{reason}");
    let (kind, reason) = skip(&plan, "Reader only");
    assert_eq!(kind, SkipKind::NoPermission);
    assert!(reason.contains("Security Admin, Contributor or Owner"), "{reason}");
    assert_eq!(skip(&plan, "Disabled").0, SkipKind::ReadOnly);
    assert_eq!(skip(&plan, "All on").0, SkipKind::AlreadyDone);
    assert_eq!(skip(&plan, "On no plan").0, SkipKind::NoServersPlan);

    let totals = plan.totals();
    assert_eq!((totals.subscriptions, totals.changing, totals.writes, totals.plan_writes), (8, 3, 5, 0));
    assert_eq!(
        totals.skipped,
        [
            (SkipKind::AlreadyDone, 1),
            (SkipKind::NoPermission, 1),
            (SkipKind::NoServersPlan, 2),
            (SkipKind::ReadOnly, 1)
        ]
    );
}

#[test]
fn defender_for_servers_is_a_separate_opt_in_write_before_the_settings() {
    let rows = estate();
    let refs: Vec<&SubscriptionRow> = rows.iter().collect();
    let plan = Plan::new(Action::Fix, Some(ServersPlan::P1), &Cloud::public(), &refs);
    let item = plan.items.iter().find(|i| i.name == "Off no plan").unwrap();
    assert_eq!(
        item.writes[0],
        Write::ServersPlan { subscription_id: "id-off-no-plan".into(), sub_plan: ServersPlan::P1 }
    );
    assert_eq!(item.writes[0].body(), serde_json::json!({"properties": {"pricingTier": "Standard", "subPlan": "P1"}}));
    assert!(item.writes[0].describe().contains("billed per server per hour"));
    assert_eq!(writes(&plan, "Off no plan"), ["VirtualMachines=true", "WDATP=true"]);
    // "On — no plan": its settings are on already; the plan is all it lacks.
    assert_eq!(writes(&plan, "On no plan"), ["VirtualMachines=true"]);
    // A subscription that has a plan keeps it: the opt-in never changes P2 to P1.
    assert_eq!(writes(&plan, "Off with plan")[0], "WDATP=true");
    assert_eq!(plan.totals().plan_writes, 2);
    // Turning off never turns a plan on, whatever was chosen.
    let off = Plan::new(Action::Off, Some(ServersPlan::P2), &Cloud::public(), &refs);
    assert_eq!(off.servers_plan, None);
    assert_eq!(writes(&off, "Linux gap"), ["WDATP=false"]);
    assert_eq!(skip(&off, "Off no plan").0, SkipKind::AlreadyDone);
}

#[test]
fn a_cloud_without_the_integration_skips_everything() {
    let rows = estate();
    let refs: Vec<&SubscriptionRow> = rows.iter().collect();
    let plan = Plan::new(Action::LinuxOn, None, &Cloud::known("AzureChinaCloud").unwrap(), &refs);
    assert_eq!(plan.totals().writes, 0);
    assert!(plan.items.iter().all(|i| i.skip.as_ref().unwrap().kind == SkipKind::CloudUnsupported));
}

#[test]
fn the_record_survives_a_reload_and_knows_what_to_continue() {
    let rows = estate();
    let refs: Vec<&SubscriptionRow> = rows.iter().collect();
    let plan = Plan::new(Action::Fix, None, &Cloud::public(), &refs);
    let mut record = Record::<SubscriptionChanges>::new(plan);
    let read =
        ReadBack { parts: IntegrationParts { integration: true, linux: true, unified: true }, plan: ServersPlan::P2 };
    record.apply(&Event::Finished(
        "id-linux-gap".into(),
        Box::new(Finished { before: None, writes: vec![], read_back: Some(read), failure: None }),
    ));
    record.apply(&Event::Started("id-unified-gap".into()));
    let failure = Failure {
        status: Some(409),
        code: "ScopeLocked".into(),
        message: "=cmd|' /C calc'!A0".into(),
        advice: "Remove the lock.".into(),
        request_id: None,
    };
    record.apply(&Event::Finished(
        "id-off-with-plan".into(),
        Box::new(Finished { before: None, writes: vec![], read_back: None, failure: Some(failure) }),
    ));
    let progress = record.progress();
    assert_eq!((progress.done, progress.failed, progress.running, progress.skipped), (1, 1, 1, 5));

    let kept = Record::<SubscriptionChanges>::restore(&record.stored()).unwrap();
    assert_eq!(kept.rows.iter().find(|r| r.target == "id-unified-gap").unwrap().state, RowState::NotFinished);
    assert_eq!(kept.not_finished(), ["id-unified-gap"]);
    assert_eq!(kept.failed(), ["id-off-with-plan"]);
    assert_eq!(Record::<SubscriptionChanges>::label(&kept.rows[0]), "Done");
    // Continue sends the unfinished one again, to be re-read first.
    let mut again = kept.clone();
    let work = again.requeue(&again.not_finished());
    assert_eq!(
        work.iter().map(|w| (w.item.subscription_id.as_str(), w.again)).collect::<Vec<_>>(),
        [("id-unified-gap", true)]
    );

    let csv = kept.to_csv();
    let failed_line = csv.lines().find(|l| l.starts_with("id-off-with-plan")).unwrap();
    // A formula in ARM's message is defused for spreadsheets.
    assert!(failed_line.contains(",409,ScopeLocked,'=cmd|' /C calc'!A0,Remove the lock.,"), "{failed_line}");
    assert!(csv.lines().any(|l| l.starts_with("id-linux-gap,Linux gap,Done,0,On,P2,")));
}

#[test]
fn a_record_of_another_version_or_kind_is_set_aside_whole() {
    let rows = estate();
    let refs: Vec<&SubscriptionRow> = rows.iter().collect();
    let record = Record::<SubscriptionChanges>::new(Plan::new(Action::Fix, None, &Cloud::public(), &refs));
    // What the build before the one pipeline kept: the record itself, with no envelope.
    let older = serde_json::json!({ "plan": record.plan, "before": {}, "rows": [] }).to_string();
    let why = Record::<SubscriptionChanges>::restore(&older).unwrap_err();
    assert!(why.contains("another version of MDE Console"), "{why}");
    // A machines record under the bulk key is not read as a bulk one.
    let stored = record.stored().replace(r#""kind":"bulk""#, r#""kind":"machines""#);
    assert!(Record::<SubscriptionChanges>::restore(&stored).is_err());
    assert!(Record::<SubscriptionChanges>::restore("not json").unwrap_err().contains("not a run record"));
    assert_eq!(Record::<SubscriptionChanges>::restore(&record.stored()).unwrap(), record.clone().after_reload());
}

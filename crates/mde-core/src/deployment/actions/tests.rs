//! The machine plan as an admin reads it: the exact write per machine, the skips with reasons,
//! and the removal's warnings and steps.

use std::collections::BTreeMap;

use super::*;
use crate::deployment::{MdeExtension, OsFamily};
use crate::status::{IntegrationParts, ServersPlan};

fn machine(name: &str, kind: MachineKind, os: OsFamily, state: MachineState) -> Machine {
    let (namespace, subscription) = match kind {
        MachineKind::Vm => ("Microsoft.Compute/virtualMachines", "sub-a"),
        MachineKind::Arc => ("Microsoft.HybridCompute/machines", "sub-b"),
    };
    Machine {
        id: format!("/subscriptions/{subscription}/resourceGroups/rg/providers/{namespace}/{name}"),
        name: name.into(),
        kind,
        os,
        os_detail: String::new(),
        state,
        subscription_id: subscription.into(),
        resource_group: "rg".into(),
        location: "westeurope".into(),
        extension: Some(MdeExtension {
            name: if os == OsFamily::Windows { "MDE.Windows" } else { "MDE.Linux" }.into(),
            provisioning_state: "Succeeded".into(),
            message: None,
        }),
        tags: BTreeMap::from([("env".to_string(), "prod".to_string())]),
    }
}

fn on() -> SubscriptionFacts {
    SubscriptionFacts {
        plan: Some(ServersPlan::P2),
        parts: Some(IntegrationParts { integration: true, linux: true, unified: true }),
    }
}

fn skip_of(plan: &MachinePlan, name: &str) -> Option<(SkipKind, String)> {
    let item = plan.items.iter().find(|i| i.name == name).unwrap();
    item.skip.as_ref().map(|s| (s.kind, s.reason.clone()))
}

#[test]
fn the_tag_is_planned_for_linux_only_and_says_why_not_windows() {
    let linux = machine("web-01", MachineKind::Vm, OsFamily::Linux, MachineState::Running);
    let windows = machine("dc-01", MachineKind::Vm, OsFamily::Windows, MachineState::Running);
    let mut tagged = machine("db-01", MachineKind::Arc, OsFamily::Linux, MachineState::Disconnected);
    tagged.tags.insert("ExcludeMdeAutoUpdate".into(), "true".into());
    let plan = plan(MachineAction::ExcludeAutoUpdate, &[&linux, &windows, &tagged], |_| Some(on()));
    let write = plan.items[0].write.as_ref().unwrap();
    assert_eq!(write.method(), Method::PATCH);
    assert_eq!(
        write.path(),
        "/subscriptions/sub-a/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/web-01/providers/Microsoft.Resources/tags/default?api-version=2021-04-01"
    );
    assert_eq!(
        write.body().unwrap().to_string(),
        r#"{"operation":"Merge","properties":{"tags":{"ExcludeMdeAutoUpdate":"true"}}}"#
    );
    let (kind, reason) = skip_of(&plan, "dc-01").unwrap();
    assert_eq!(kind, SkipKind::NotLinux);
    assert!(reason.contains("read by the MDE.Linux extension only"), "{reason}");
    assert_eq!(skip_of(&plan, "db-01").unwrap().0, SkipKind::AlreadySet);
    assert!(plan.warnings.is_empty() && plan.steps.is_empty(), "no removal, no removal warning");
}

#[test]
fn clearing_deletes_the_tag_as_the_machine_spells_it() {
    let mut linux = machine("web-01", MachineKind::Vm, OsFamily::Linux, MachineState::Stopped);
    linux.tags.insert("excludemdeautoupdate".into(), "True".into());
    let untagged = machine("web-02", MachineKind::Vm, OsFamily::Linux, MachineState::Running);
    let plan = plan(MachineAction::IncludeAutoUpdate, &[&linux, &untagged], |_| None);
    // A stopped machine still gets the tag: tags are Azure metadata.
    assert_eq!(
        plan.items[0].write.as_ref().unwrap().body().unwrap().to_string(),
        r#"{"operation":"Delete","properties":{"tags":{"excludemdeautoupdate":"True"}}}"#
    );
    assert_eq!(skip_of(&plan, "web-02").unwrap().0, SkipKind::NotSet);
}

#[test]
fn removal_skips_what_cannot_complete_and_deletes_the_rest() {
    let running = machine("web-01", MachineKind::Vm, OsFamily::Linux, MachineState::Running);
    let deallocated = machine("web-02", MachineKind::Vm, OsFamily::Linux, MachineState::Deallocated);
    let away = machine("srv-01", MachineKind::Arc, OsFamily::Windows, MachineState::Disconnected);
    let mut bare = machine("srv-02", MachineKind::Arc, OsFamily::Windows, MachineState::Connected);
    bare.extension = None;
    let mut deleting = machine("srv-03", MachineKind::Arc, OsFamily::Linux, MachineState::Connected);
    deleting.extension.as_mut().unwrap().provisioning_state = "Deleting".into();
    let arc = machine("srv-04", MachineKind::Arc, OsFamily::Windows, MachineState::Connected);
    let machines = [&running, &deallocated, &away, &bare, &deleting, &arc];
    let plan = plan(MachineAction::RemoveExtension, &machines, |_| None);
    let paths: Vec<String> = plan.changing().map(|i| i.write.as_ref().unwrap().path()).collect();
    assert_eq!(
        paths,
        [
            "/subscriptions/sub-a/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/web-01/extensions/MDE.Linux?api-version=2024-07-01",
            "/subscriptions/sub-b/resourceGroups/rg/providers/Microsoft.HybridCompute/machines/srv-04/extensions/MDE.Windows?api-version=2024-07-10",
        ]
    );
    let (kind, reason) = skip_of(&plan, "web-02").unwrap();
    assert_eq!(kind, SkipKind::NotRunning);
    assert!(reason.contains("until the VM runs"), "{reason}");
    assert!(skip_of(&plan, "srv-01").unwrap().1.contains("until its agent connects again"));
    assert_eq!(skip_of(&plan, "srv-02").unwrap().0, SkipKind::NoExtension);
    assert_eq!(skip_of(&plan, "srv-03").unwrap().0, SkipKind::AlreadyDeleting);
    let totals = plan.totals();
    assert_eq!((totals.machines, totals.writes), (6, 2));
}

#[test]
fn removal_warns_per_subscription_where_the_integration_would_put_it_back() {
    let a1 = machine("web-01", MachineKind::Vm, OsFamily::Linux, MachineState::Running);
    let a2 = machine("web-02", MachineKind::Vm, OsFamily::Windows, MachineState::Running);
    let b = machine("srv-01", MachineKind::Arc, OsFamily::Linux, MachineState::Connected);
    let off = SubscriptionFacts {
        plan: Some(ServersPlan::P1),
        parts: Some(IntegrationParts { integration: false, linux: true, unified: true }),
    };
    let plan = plan(MachineAction::RemoveExtension, &[&a1, &a2, &b], |s| (s == "sub-a").then(on).or(Some(off)));
    assert_eq!(plan.warnings.len(), 1, "sub-b has the integration off: nothing comes back");
    let warning = &plan.warnings[0];
    assert_eq!((warning.subscription_id.as_str(), warning.known), ("sub-a", true));
    assert_eq!(warning.machines, ["web-01", "web-02"]);
    assert!(warning.reason.contains("will install MDE again on these 2 machines"), "{}", warning.reason);
    assert_eq!(plan.subscriptions_to_turn_off(), ["sub-a"]);
    // The seed's three steps, in order, with the offboarding link last.
    let steps: Vec<&str> = plan.steps.iter().map(|s| s.text.as_str()).collect();
    assert!(steps[0].starts_with("Turn the integration off") && steps[1].starts_with("Delete the MDE"), "{steps:?}");
    assert!(steps[2].contains("does NOT offboard"));
    assert_eq!(plan.steps[2].link.as_deref(), Some(OFFBOARDING_URL));

    // Unknown facts: warned, said to be unknown.
    let plan = super::plan(MachineAction::RemoveExtension, &[&b], |_| None);
    assert!(!plan.warnings[0].known && plan.warnings[0].reason.contains("could not be read"));
}

#[test]
fn hostile_names_stay_inside_their_segment() {
    let name = "a\"b<script>$(x)?#/..";
    let mut vm = machine("x", MachineKind::Vm, OsFamily::Linux, MachineState::Running);
    vm.id = format!("/subscriptions/sub-a/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/{name}");
    let path = tags_path(&vm.id);
    // The trailing "/.." is a segment of its own in the id: it stays a literal `..`, which the
    // client refuses to send; everything else is escaped.
    assert!(
        path.starts_with(
            "/subscriptions/sub-a/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/a%22b%3Cscript%3E%24%28x%29%3F%23/../providers/"
        ),
        "{path}"
    );
}

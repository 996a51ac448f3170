//! The deployment-status page's rules: readiness, the table's filters and sort, the charts and
//! the CSV, on machines built the way the app builds them (the real ARM examples in
//! `tests/fixtures/arm`, and Resource Graph rows with real image skus and Arc osSkus).

use std::fs;

use serde_json::{json, Value};

use mde_core::arm::machines::{ArcMachine, VirtualMachine};
use mde_core::cloud::Cloud;
use mde_core::deployment::charts::{self, Ring};
use mde_core::deployment::csv::{defuse, error_report_csv, rows_csv};
use mde_core::deployment::readiness::{os_class, readiness, Coverage, OsClass, Readiness, SubscriptionFacts};
use mde_core::deployment::rows::{arc_machine, vm_machine, DeploymentRow};
use mde_core::deployment::table::{
    error_groups, page_query, portal_url, subscription_portal_url, Column, Filters, Sort, SubscriptionContext, Table,
};
use mde_core::deployment::{Machine, MachineState, MdeExtension, OsFamily};
use mde_core::status::{IntegrationParts, ServersPlan};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/arm");

fn body(file: &str) -> Value {
    let text = fs::read_to_string(format!("{FIXTURES}/{file}")).unwrap();
    serde_json::from_str::<Value>(&text).unwrap()["responses"]["200"]["body"].clone()
}

/// `VirtualMachine_Get.json`: myVM, Windows Server 2016 Datacenter, running (no instance view).
fn example_vm_2016() -> Machine {
    let vm: VirtualMachine = serde_json::from_value(body("vm/VirtualMachine_Get.json")).unwrap();
    vm_machine(&vm, "sub-1", None)
}

/// `VirtualMachine_ListBySubscription_ByLocation.json`: a Windows Server 2012 R2 VM.
fn example_vm_2012r2() -> Machine {
    let vm: VirtualMachine =
        serde_json::from_value(body("vm/VirtualMachine_ListBySubscription_ByLocation.json")["value"][0].clone())
            .unwrap();
    vm_machine(&vm, "sub-1", None)
}

/// `Machines_Get.json`: an Arc machine whose agent has not reported (OS and status null).
fn example_arc() -> Machine {
    let arc: ArcMachine = serde_json::from_value(body("arc-machines/Machines_Get.json")).unwrap();
    arc_machine(&arc, "sub-1", None)
}

/// A machine as a Resource Graph row of the deployment query gives it.
fn graph_row(row: Value) -> Machine {
    serde_json::from_value::<DeploymentRow>(row).unwrap().machine().expect("a VM or Arc row")
}

fn vm_row(sub: &str, name: &str, os: &str, image: [&str; 3], power: &str) -> Machine {
    graph_row(json!({
        "id": format!("/subscriptions/{sub}/resourceGroups/rg-{os}/providers/Microsoft.Compute/virtualMachines/{name}"),
        "subscriptionId": sub, "name": name, "type": "microsoft.compute/virtualmachines", "location": "westeurope",
        "tags": {}, "osType": os, "imagePublisher": image[0], "imageOffer": image[1], "imageSku": image[2],
        "powerState": power, "extensionName": "", "provisioningState": "",
    }))
}

fn arc_row(sub: &str, name: &str, os: &str, os_sku: &str, version: &str, status: &str) -> Machine {
    graph_row(json!({
        "id": format!("/subscriptions/{sub}/resourceGroups/rg-arc/providers/Microsoft.HybridCompute/machines/{name}"),
        "subscriptionId": sub, "name": name, "type": "microsoft.hybridcompute/machines", "location": "eastus",
        "osType": os, "osSku": os_sku, "osVersion": version, "status": status,
    }))
}

fn with_extension(mut m: Machine, state: &str, message: Option<&str>) -> Machine {
    let name = if m.os == OsFamily::Linux { "MDE.Linux" } else { "MDE.Windows" };
    m.extension =
        Some(MdeExtension { name: name.into(), provisioning_state: state.into(), message: message.map(Into::into) });
    m
}

fn facts(plan: ServersPlan, integration: bool, linux: bool, unified: bool) -> SubscriptionFacts {
    SubscriptionFacts { plan: Some(plan), parts: Some(IntegrationParts { integration, linux, unified }) }
}

fn all_on() -> SubscriptionFacts {
    facts(ServersPlan::P2, true, true, true)
}

const WIN10_PRO: [&str; 3] = ["MicrosoftWindowsDesktop", "Windows-10", "win10-22h2-pro"];
const WIN11_AVD: [&str; 3] = ["MicrosoftWindowsDesktop", "windows-11", "win11-23h2-avd"];
const WS2019: [&str; 3] = ["MicrosoftWindowsServer", "WindowsServer", "2019-Datacenter"];
const UBUNTU: [&str; 3] = ["Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2"];

// ---------------------------------------------------------------------------------------------
// Readiness
// ---------------------------------------------------------------------------------------------

#[test]
fn the_real_2016_and_2012_r2_vms_need_the_unified_solution() {
    let vm2016 = example_vm_2016();
    let vm2012 = example_vm_2012r2();
    assert_eq!(vm2016.os_detail, "MicrosoftWindowsServer WindowsServer 2016-Datacenter");
    for vm in [&vm2016, &vm2012] {
        let without_unified = facts(ServersPlan::P2, true, true, false);
        let r = readiness(vm, Some(&without_unified));
        assert_eq!(r, Readiness::NeedsUnified, "{}", vm.os_detail);
        assert_eq!(r.label(), "Needs unified solution");
        assert!(r.advice().contains("WDATP_UNIFIED_SOLUTION"));
        assert_eq!(r.coverage(), Coverage::Missing);
        // With the unified solution on, MDE is on its way.
        assert_eq!(readiness(vm, Some(&all_on())), Readiness::Expected);
    }
    // The plan being off says more than the unified solution: nothing deploys at all.
    assert_eq!(readiness(&vm2016, Some(&facts(ServersPlan::Off, true, true, false))), Readiness::NoPlan);
}

#[test]
fn what_the_extension_says_beats_every_prediction() {
    let vm = example_vm_2016();
    let off = facts(ServersPlan::Off, false, false, false);
    let covered = readiness(&with_extension(vm.clone(), "Succeeded", None), Some(&off));
    assert_eq!((covered.key(), covered.coverage()), ("covered", Coverage::Covered));

    let message = "Failed to configure Microsoft Defender for Endpoint: the onboarding package could not be downloaded";
    let failed = readiness(&with_extension(vm.clone(), "Failed", Some(message)), None);
    assert_eq!(failed, Readiness::Failed { message: Some(message.into()) });
    assert!(failed.advice().contains(message), "{}", failed.advice());
    assert_eq!(failed.coverage(), Coverage::Failed);
    let silent = readiness(&with_extension(vm.clone(), "Failed", None), None);
    assert!(silent.advice().contains("no reason"), "{}", silent.advice());

    let creating = readiness(&with_extension(vm.clone(), "Creating", None), Some(&all_on()));
    assert_eq!((creating.label(), creating.coverage()), ("In progress", Coverage::Missing));
    let deleting = readiness(&with_extension(vm.clone(), "Deleting", None), Some(&all_on()));
    assert!(deleting.advice().contains("being removed"));
    // Even on an unsupported OS, an installed extension is coverage.
    let win10 = vm_row("s", "desk-1", "Windows", WIN10_PRO, "PowerState/running");
    assert_eq!(readiness(&with_extension(win10, "Succeeded", None), None), Readiness::Covered);
}

#[test]
fn windows_10_and_11_are_unsupported_unless_multi_session() {
    let on = all_on();
    let win10 = vm_row("s", "desk-1", "Windows", WIN10_PRO, "PowerState/running");
    let r = readiness(&win10, Some(&on));
    assert_eq!((r.key(), r.label(), r.coverage()), ("unsupported-os", "Unsupported OS", Coverage::NotApplicable));
    assert!(r.advice().contains("multi-session"));
    // Unsupported is permanent: it is said even when the subscription is off or unknown.
    assert_eq!(readiness(&win10, Some(&facts(ServersPlan::Off, false, false, false))), Readiness::UnsupportedOs);
    assert_eq!(readiness(&win10, None), Readiness::UnsupportedOs);

    let avd = vm_row("s", "avd-1", "Windows", WIN11_AVD, "PowerState/running");
    assert_eq!(readiness(&avd, Some(&on)), Readiness::Expected);
    let arc10 = arc_row("s", "kiosk", "windows", "Windows 10 Enterprise", "10.0.19045", "Connected");
    assert_eq!(readiness(&arc10, Some(&on)), Readiness::UnsupportedOs);
    let arc11ms = arc_row("s", "vdi", "windows", "Windows 11 Enterprise multi-session", "10.0.22631", "Connected");
    assert_eq!(readiness(&arc11ms, Some(&on)), Readiness::Expected);
}

#[test]
fn the_os_is_read_from_image_skus_and_arc_os_skus() {
    use OsClass::*;
    let w = OsFamily::Windows;
    let cases: &[(OsFamily, &str, OsClass)] = &[
        (w, "MicrosoftWindowsDesktop Windows-10 win10-22h2-pro", WindowsClient { multi_session: false }),
        (w, "MicrosoftWindowsDesktop Windows-10 win10-22h2-ent-g2", WindowsClient { multi_session: false }),
        (w, "MicrosoftWindowsDesktop windows-11 win11-23h2-ent", WindowsClient { multi_session: false }),
        (w, "MicrosoftWindowsDesktop windows-11 win11-23h2-avd", WindowsClient { multi_session: true }),
        (w, "MicrosoftWindowsDesktop Windows-10 20h2-evd", WindowsClient { multi_session: true }),
        (w, "MicrosoftWindowsDesktop office-365 win11-23h2-avd-m365", WindowsClient { multi_session: true }),
        (w, "Windows 10 Enterprise 10.0.19045", WindowsClient { multi_session: false }),
        (w, "Windows 11 Enterprise multi-session 10.0.22631", WindowsClient { multi_session: true }),
        (w, "Windows 10 Enterprise for Virtual Desktops", WindowsClient { multi_session: true }),
        (w, "MicrosoftWindowsServer WindowsServer 2016-Datacenter-smalldisk", WindowsServerDownlevel),
        (w, "MicrosoftWindowsServer WindowsServer 2012-R2-Datacenter", WindowsServerDownlevel),
        (w, "Windows Server 2016 Datacenter 10.0.14393", WindowsServerDownlevel),
        (w, "Windows Server 2012 R2 Standard 6.3.9600", WindowsServerDownlevel),
        (w, "MicrosoftSQLServer SQL2016SP1-WS2016 Enterprise", WindowsServerDownlevel),
        // The real VM instance view's osName and osVersion (vm-instance-view example).
        (w, "Microsoft Windows NT 10.0.14393.0", WindowsServerDownlevel),
        (w, "MicrosoftWindowsServer WindowsServer 2019-Datacenter", Windows),
        (w, "MicrosoftWindowsServer WindowsServer 2022-datacenter-azure-edition", Windows),
        (w, "Windows Server 2019 Datacenter 10.0.17763", Windows),
        // SQL Server 2016 on Windows Server 2019 is not a 2016 server.
        (w, "MicrosoftSQLServer sql2016sp2-ws2019 enterprise", Windows),
        (w, "Microsoft Windows NT 10.0.17763.0", Windows),
        (w, "", Windows),
        (OsFamily::Linux, "Canonical 0001-com-ubuntu-server-jammy 22_04-lts-gen2", Linux),
        (OsFamily::Unknown, "Ubuntu 22.04", Linux),
        (OsFamily::Unknown, "Windows 10 Pro", WindowsClient { multi_session: false }),
        (OsFamily::Unknown, "", Unknown),
    ];
    for &(family, detail, expected) in cases {
        assert_eq!(os_class(family, detail), expected, "{family:?} {detail:?}");
    }
    let view: Value = body("vm-instance-view/VirtualMachine_Get_InstanceView.json");
    let detail = format!("{} {}", view["osName"].as_str().unwrap(), view["osVersion"].as_str().unwrap());
    assert_eq!(os_class(OsFamily::Windows, &detail), WindowsServerDownlevel, "{detail}");
}

#[test]
fn the_subscription_switches_say_why_nothing_deploys() {
    let linux = vm_row("s", "web-1", "Linux", UBUNTU, "PowerState/running");
    let windows = vm_row("s", "app-1", "Windows", WS2019, "PowerState/running");
    let linux_off = facts(ServersPlan::P1, true, false, true);
    let r = readiness(&linux, Some(&linux_off));
    assert_eq!((r.key(), r.label()), ("linux-excluded", "Linux excluded"));
    assert!(r.advice().contains("WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW"));
    assert_eq!(readiness(&windows, Some(&linux_off)), Readiness::Expected);

    let integration_off = facts(ServersPlan::P2, false, true, true);
    assert_eq!(readiness(&linux, Some(&integration_off)), Readiness::IntegrationOff);
    assert_eq!(readiness(&windows, Some(&integration_off)), Readiness::IntegrationOff);
    let no_plan = facts(ServersPlan::Off, true, true, true);
    let r = readiness(&windows, Some(&no_plan));
    assert_eq!(r, Readiness::NoPlan);
    assert!(r.advice().contains("Plan 1 or Plan 2"));
    // Each of them names who can make the change (the seed's "Required roles").
    for rule in [Readiness::NoPlan, Readiness::IntegrationOff, Readiness::LinuxExcluded, Readiness::NeedsUnified] {
        assert!(
            rule.advice().ends_with("It takes a Security Admin or Owner of the subscription."),
            "{}",
            rule.advice()
        );
    }
}

#[test]
fn a_machine_that_does_not_run_cannot_get_the_extension() {
    let on = all_on();
    for power in ["PowerState/deallocated", "PowerState/stopped"] {
        let vm = vm_row("s", "app-2", "Windows", WS2019, power);
        let r = readiness(&vm, Some(&on));
        assert_eq!((r.key(), r.label()), ("not-running", "Not running"), "{power}");
        assert!(r.advice().contains("until it runs"), "{}", r.advice());
    }
    let gone = arc_row("s", "branch-7", "linux", "Ubuntu 22.04.4 LTS", "5.15", "Disconnected");
    assert_eq!(readiness(&gone, Some(&on)), Readiness::NotRunning(MachineState::Disconnected));
    let expired = arc_row("s", "branch-8", "windows", "Windows Server 2022 Datacenter", "10.0.20348", "Expired");
    assert!(readiness(&expired, Some(&on)).advice().contains("azcmagent"));
    // A stopped machine on a subscription that would not deploy anyway: the subscription is
    // the reason to fix first.
    let stopped = vm_row("s", "app-3", "Windows", WS2019, "PowerState/deallocated");
    assert_eq!(readiness(&stopped, Some(&facts(ServersPlan::Off, true, true, true))), Readiness::NoPlan);
    // A running VM, and one whose power state Resource Graph did not give, are not held back.
    let starting = vm_row("s", "app-4", "Windows", WS2019, "PowerState/starting");
    assert_eq!(readiness(&starting, Some(&on)), Readiness::Expected);
}

#[test]
fn what_is_not_known_is_said() {
    let vm = vm_row("s", "app-1", "Windows", WS2019, "PowerState/running");
    let r = readiness(&vm, None);
    assert_eq!((r.key(), r.label()), ("subscription-unknown", "Subscription unknown"));
    let plan_only = SubscriptionFacts { plan: Some(ServersPlan::P2), parts: None };
    assert_eq!(readiness(&vm, Some(&plan_only)), Readiness::SubscriptionUnknown);
    // A known switch that is off is enough to say why, whatever else is unknown.
    let settings_only = SubscriptionFacts {
        plan: None,
        parts: Some(IntegrationParts { integration: false, linux: true, unified: true }),
    };
    assert_eq!(readiness(&vm, Some(&settings_only)), Readiness::IntegrationOff);

    // The real Arc example: its agent has not reported the OS (osType null).
    let arc = example_arc();
    assert_eq!((arc.os, arc.state.clone()), (OsFamily::Unknown, MachineState::Unknown));
    let r = readiness(&arc, Some(&all_on()));
    assert_eq!((r.key(), r.label()), ("os-unknown", "OS unknown"));
    assert!(r.advice().contains("which OS"));
}

#[test]
fn every_readiness_has_its_own_key_and_label() {
    let all = [
        Readiness::Covered,
        Readiness::Failed { message: None },
        Readiness::InProgress { state: "Creating".into() },
        Readiness::UnsupportedOs,
        Readiness::NoPlan,
        Readiness::IntegrationOff,
        Readiness::LinuxExcluded,
        Readiness::NeedsUnified,
        Readiness::NotRunning(MachineState::Stopped),
        Readiness::SubscriptionUnknown,
        Readiness::OsUnknown,
        Readiness::Expected,
    ];
    let keys: std::collections::BTreeSet<_> = all.iter().map(Readiness::key).collect();
    let labels: std::collections::BTreeSet<_> = all.iter().map(Readiness::label).collect();
    assert_eq!((keys.len(), labels.len()), (all.len(), all.len()));
    assert_eq!(all.iter().map(Readiness::key).collect::<Vec<_>>(), Readiness::KEYS);
    for r in &all {
        assert!(r.advice().ends_with('.'), "{r:?}: {}", r.advice());
    }
    let coverage_keys: Vec<_> = Coverage::ALL.iter().map(|c| c.key()).collect();
    assert_eq!(coverage_keys, ["covered", "failed", "missing", "not-applicable"]);
}

// ---------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------

const PROD: &str = "00000000-0000-0000-0000-00000000a001";
const DEV: &str = "00000000-0000-0000-0000-00000000b002";
const LAB: &str = "00000000-0000-0000-0000-00000000c003";

fn context(id: &str) -> SubscriptionContext {
    match id {
        PROD => SubscriptionContext { name: "Contoso Prod".into(), facts: Some(all_on()) },
        DEV => {
            SubscriptionContext { name: "Contoso Dev".into(), facts: Some(facts(ServersPlan::P1, true, false, false)) }
        }
        _ => SubscriptionContext { name: "Lab".into(), facts: None },
    }
}

/// Twelve machines over three subscriptions, in arrival order.
fn fleet() -> Vec<Machine> {
    let mut web10 = vm_row(PROD, "web-10", "Linux", UBUNTU, "PowerState/running");
    web10.tags.insert("env".into(), "prod".into());
    web10.tags.insert("ExcludeMdeAutoUpdate".into(), "true".into());
    let mut web2 = vm_row(PROD, "web-2", "Linux", UBUNTU, "PowerState/running");
    web2.tags.insert("env".into(), "prod".into());
    let denied = "Access denied: the proxy refused the connection to winatp-gw-weu.microsoft.com";
    vec![
        web10,
        web2,
        with_extension(vm_row(PROD, "app-1", "Windows", WS2019, "PowerState/running"), "Succeeded", None),
        with_extension(vm_row(PROD, "app-2", "Windows", WS2019, "PowerState/running"), "Failed", Some(denied)),
        with_extension(vm_row(PROD, "app-3", "Windows", WS2019, "PowerState/running"), "Failed", Some(denied)),
        with_extension(
            vm_row(PROD, "db-1", "Linux", UBUNTU, "PowerState/running"),
            "Failed",
            Some("Package manager lock held by another process"),
        ),
        vm_row(PROD, "desk-1", "Windows", WIN10_PRO, "PowerState/running"),
        vm_row(
            DEV,
            "legacy-1",
            "Windows",
            ["MicrosoftWindowsServer", "WindowsServer", "2016-Datacenter"],
            "PowerState/running",
        ),
        vm_row(DEV, "web-1", "Linux", UBUNTU, "PowerState/deallocated"),
        with_extension(vm_row(DEV, "app-9", "Windows", WS2019, "PowerState/running"), "Creating", None),
        arc_row(LAB, "branch-1", "windows", "Windows Server 2022 Datacenter", "10.0.20348", "Connected"),
        arc_row(LAB, "branch-2", "linux", "Ubuntu 22.04.4 LTS", "5.15", "Disconnected"),
    ]
}

fn table() -> Table {
    let mut t = Table::new();
    let machines = fleet();
    let (first, second) = machines.split_at(5);
    // Rows arrive page by page.
    t.extend(first.to_vec(), context);
    t.extend(second.to_vec(), context);
    t
}

fn names(t: &Table, rows: &[u32]) -> Vec<String> {
    rows.iter().map(|&r| t.machine(r).name.clone()).collect()
}

fn select(t: &Table, query: &str) -> Vec<String> {
    names(t, &t.select(&Filters::from_query(query), Sort::from_query(query)))
}

#[test]
fn a_row_shows_every_column() {
    let t = table();
    let row = t.row_of(&fleet()[0].id.to_uppercase()).expect("found by id, any case");
    let cells: Vec<(&str, &str)> = Column::ALL.iter().map(|&c| (c.label(), t.cell(row, c))).collect();
    assert_eq!(
        cells,
        [
            ("Machine", "web-10"),
            ("Kind", "VM"),
            ("OS", "Linux"),
            ("OS version", "Canonical 0001-com-ubuntu-server-jammy 22_04-lts-gen2"),
            ("State", "Running"),
            ("Subscription", "Contoso Prod"),
            ("Resource group", "rg-Linux"),
            ("Region", "westeurope"),
            ("Plan", "P2"),
            ("Integration", "On"),
            ("MDE extension", "None"),
            ("Provisioning state", ""),
            ("Error", ""),
            ("ExcludeMdeAutoUpdate", "Yes"),
            ("Readiness", "Expected soon"),
            ("Coverage", "Missing"),
        ]
    );
    let failed = t.row_of(&fleet()[3].id).unwrap();
    assert_eq!(t.cell(failed, Column::Extension), "MDE.Windows");
    assert_eq!(t.cell(failed, Column::Provisioning), "Failed");
    assert!(t.cell(failed, Column::Error).starts_with("Access denied"));
    // The auto-update tag means nothing on Windows: the cell stays empty.
    assert_eq!(t.cell(failed, Column::AutoUpdate), "");
    let dev_legacy = t.row_of(&fleet()[7].id).unwrap();
    assert_eq!(
        [Column::Plan, Column::Integration, Column::Readiness].map(|c| t.cell(dev_legacy, c)),
        ["P1", "Partial", "Needs unified solution"]
    );
    let lab = t.row_of(&fleet()[10].id).unwrap();
    assert_eq!(
        [Column::Kind, Column::Plan, Column::Integration].map(|c| t.cell(lab, c)),
        ["Arc", "Unknown", "Unknown"]
    );
    assert_eq!(t.readiness(lab), &Readiness::SubscriptionUnknown);
}

#[test]
fn search_finds_words_anywhere_ignoring_case() {
    let t = table();
    assert_eq!(select(&t, "q=WEB"), ["web-1", "web-2", "web-10"]);
    // Tags, as key=value.
    assert_eq!(select(&t, "q=env%3Dprod"), ["web-2", "web-10"]);
    // The error message, the subscription's name and id, the OS.
    assert_eq!(select(&t, "q=proxy+refused"), ["app-2", "app-3"]);
    assert_eq!(select(&t, "q=contoso+dev"), ["app-9", "legacy-1", "web-1"]);
    assert_eq!(select(&t, &format!("q={LAB}")), ["branch-1", "branch-2"]);
    assert_eq!(select(&t, "q=ubuntu+branch"), ["branch-2"]);
    assert_eq!(select(&t, "q=2016-datacenter"), ["legacy-1"]);
    assert!(select(&t, "q=nothing-like-this").is_empty());
    // Words match within one row only, never across two rows' texts.
    assert!(select(&t, "q=westeurope%09web").len() <= 3);
    assert_eq!(select(&t, "").len(), 12);
}

#[test]
fn column_filters_take_the_shown_value_ignoring_case() {
    let t = table();
    assert_eq!(select(&t, "kind=arc"), ["branch-1", "branch-2"]);
    assert_eq!(select(&t, "readiness=needs+unified+solution"), ["legacy-1"]);
    // Readiness and coverage also take their keys (what the charts put in the URL).
    assert_eq!(select(&t, "readiness=not-running"), ["branch-2"]);
    // The deallocated Linux VM's subscription excludes Linux: that is said first.
    assert_eq!(select(&t, "readiness=linux-excluded"), ["web-1"]);
    assert_eq!(select(&t, "coverage=not-applicable"), ["desk-1"]);
    assert_eq!(select(&t, "coverage=Failed"), ["app-2", "app-3", "db-1"]);
    // The subscription by name or by id.
    assert_eq!(select(&t, "subscription=contoso+dev"), select(&t, &format!("subscription={DEV}")));
    assert_eq!(select(&t, "subscription=contoso+dev&os=linux"), ["web-1"]);
    assert_eq!(select(&t, "extension=none&os=windows&plan=p2"), ["desk-1"]);
    assert_eq!(select(&t, "exclude-auto-update=yes"), ["web-10"]);
    assert_eq!(select(&t, "state=deallocated"), ["web-1"]);
    // Exact, not a substring.
    assert!(select(&t, "machine=web").is_empty());
    assert_eq!(select(&t, "machine=WEB-2"), ["web-2"]);
}

#[test]
fn sorting_is_natural_stable_and_keeps_empty_cells_last() {
    let t = table();
    assert_eq!(select(&t, "q=web&sort=machine"), ["web-1", "web-2", "web-10"]);
    assert_eq!(select(&t, "q=web&sort=-machine"), ["web-10", "web-2", "web-1"]);
    // Ties keep arrival order, both ways.
    assert_eq!(
        select(&t, "subscription=contoso+prod&sort=os"),
        ["web-10", "web-2", "db-1", "app-1", "app-2", "app-3", "desk-1"]
    );
    assert_eq!(
        select(&t, "subscription=contoso+prod&sort=-os"),
        ["app-1", "app-2", "app-3", "desk-1", "web-10", "web-2", "db-1"]
    );
    let by_error = select(&t, "subscription=contoso+prod&sort=error");
    assert_eq!(&by_error[..3], ["app-2", "app-3", "db-1"]);
    let by_error_desc = select(&t, "subscription=contoso+prod&sort=-error");
    assert_eq!(&by_error_desc[..3], ["db-1", "app-2", "app-3"]);
    // Rows without an error stay at the end either way, in arrival order.
    assert_eq!(&by_error_desc[3..], ["web-10", "web-2", "app-1", "desk-1"]);
}

#[test]
fn facts_arriving_later_update_plan_integration_and_readiness() {
    let mut t = table();
    let branch = t.row_of(&fleet()[10].id).unwrap();
    assert_eq!(t.cell(branch, Column::Readiness), "Subscription unknown");
    let before = t.values(Column::Readiness);
    assert!(before.contains(&("Subscription unknown".to_string(), 1)), "{before:?}");

    t.refresh_context(LAB, SubscriptionContext { name: "Lab (EU)".into(), facts: Some(all_on()) });
    assert_eq!(t.cell(branch, Column::Readiness), "Expected soon");
    assert_eq!(t.cell(branch, Column::Plan), "P2");
    assert_eq!(t.cell(branch, Column::Subscription), "Lab (EU)");
    assert!(!t.values(Column::Readiness).iter().any(|(v, _)| v == "Subscription unknown"));
    assert_eq!(select(&t, "subscription=lab+(eu)"), ["branch-1", "branch-2"]);
    assert_eq!(select(&t, "q=(eu)"), ["branch-1", "branch-2"]);
    // The disconnected one still can't get the extension.
    assert_eq!(select(&t, &format!("subscription={LAB}&readiness=not-running")), ["branch-2"]);

    // Facts for a subscription with no rows yet are kept for its rows to come.
    t.refresh_context("sub-new", SubscriptionContext { name: "Later".into(), facts: Some(all_on()) });
    t.extend(vec![vm_row("sub-new", "late-1", "Windows", WS2019, "PowerState/running")], |_| {
        panic!("the table already knows this subscription")
    });
    let late = t.row_of(&vm_row("sub-new", "late-1", "Windows", WS2019, "").id).unwrap();
    assert_eq!([Column::Subscription, Column::Readiness].map(|c| t.cell(late, c)), ["Later", "Expected soon"]);
}

#[test]
fn a_machine_read_again_replaces_its_row() {
    let mut t = table();
    let mut web2 = fleet()[1].clone();
    assert_eq!(select(&t, "exclude-auto-update=yes"), ["web-10"]);
    web2.tags.insert("ExcludeMdeAutoUpdate".into(), "true".into());
    web2.tags.remove("env");
    web2.tags.insert("owner".into(), "Ops Team".into());
    t.extend(vec![web2], context);
    assert_eq!(t.len(), 12);
    assert_eq!(select(&t, "exclude-auto-update=yes"), ["web-2", "web-10"]);
    // Its old text is gone from the search, its new text is found, and the rows after it
    // are still found by theirs.
    assert_eq!(select(&t, "q=env%3Dprod"), ["web-10"]);
    assert_eq!(select(&t, "q=ops+team"), ["web-2"]);
    assert_eq!(select(&t, "q=branch"), ["branch-1", "branch-2"]);
    assert_eq!(select(&t, "q=westeurope").len(), 10);
}

#[test]
fn dropdown_values_are_distinct_counted_and_natural() {
    let t = table();
    assert_eq!(t.values(Column::Kind), [("Arc".to_string(), 2), ("VM".to_string(), 10)]);
    assert_eq!(
        t.values(Column::Subscription),
        [("Contoso Dev".to_string(), 3), ("Contoso Prod".to_string(), 7), ("Lab".to_string(), 2)]
    );
    // Empty cells (no provisioning state) are not a choice.
    assert_eq!(
        t.values(Column::Provisioning),
        [("Creating".to_string(), 1), ("Failed".to_string(), 3), ("Succeeded".to_string(), 1)]
    );
}

#[test]
fn filters_and_sort_round_trip_through_the_url() {
    let hostile = "a&b=c#d%e+f \"x\" ü\n<script>";
    let mut filters = Filters { search: hostile.into(), ..Default::default() };
    filters.columns.insert(Column::ResourceGroup, "rg&sort=-kind".into());
    filters.columns.insert(Column::Kind, "Arc".into());
    let sort = Sort { column: Column::Region, descending: true };
    let query = page_query(&filters, sort);
    assert_eq!(
        query,
        "q=a%26b%3Dc%23d%25e%2Bf+%22x%22+%C3%BC%0A%3Cscript%3E&kind=Arc&resource-group=rg%26sort%3D-kind&sort=-region"
    );
    assert_eq!(Filters::from_query(&format!("?{query}")), filters);
    assert_eq!(Sort::from_query(&query), sort);
    // Keys it does not know are someone else's; an unknown sort is the default.
    assert_eq!(Filters::from_query("page=machines&kind=VM&utm=x").columns.len(), 1);
    assert_eq!(Sort::from_query("sort=-nonsense"), Sort::default());
    assert_eq!(page_query(&Filters::default(), Sort::default()), "");
    // A header click sorts by that column, a second one reverses it.
    let by_region = Sort::default().toggled(Column::Region);
    assert_eq!(by_region.to_query(), "sort=region");
    assert_eq!(by_region.toggled(Column::Region).to_query(), "sort=-region");
    let mut f = Filters::default();
    f.toggle(Column::Coverage, "failed");
    assert_eq!(f.to_query(), "coverage=failed");
    f.toggle(Column::Coverage, "Failed");
    assert!(f.is_empty());
}

#[test]
fn failed_extensions_are_grouped_by_message() {
    let t = table();
    let all = t.select(&Filters::default(), Sort::default());
    let groups = error_groups(&t, &all);
    let summary: Vec<(&str, Vec<String>)> = groups.iter().map(|g| (g.title(), names(&t, &g.machines))).collect();
    assert_eq!(
        summary,
        [
            (
                "Access denied: the proxy refused the connection to winatp-gw-weu.microsoft.com",
                vec!["app-2".to_string(), "app-3".to_string()]
            ),
            ("Package manager lock held by another process", vec!["db-1".to_string()]),
        ]
    );
    // Only the selected rows count.
    let dev_and_lab = t.select(&Filters::from_query("os=linux"), Sort::default());
    assert_eq!(error_groups(&t, &dev_and_lab).len(), 1);

    let mut quiet = Table::new();
    quiet.extend(vec![with_extension(vm_row(PROD, "x", "Windows", WS2019, ""), "Failed", None)], context);
    let groups = error_groups(&quiet, &[0]);
    assert_eq!((groups[0].message.as_str(), groups[0].title()), ("", "No message from ARM"));
}

#[test]
fn portal_links_use_each_clouds_portal() {
    let id = &example_vm_2016().id;
    let public = Cloud::public();
    assert_eq!(
        portal_url(&public, Some("contoso.onmicrosoft.com"), id).unwrap(),
        format!("https://portal.azure.com/#@contoso.onmicrosoft.com/resource{id}")
    );
    let gov = Cloud::known("AzureUSGovernment").unwrap();
    assert_eq!(
        subscription_portal_url(&gov, Some("organizations"), PROD).unwrap(),
        format!("https://portal.azure.us/#/resource/subscriptions/{PROD}")
    );
    let china = Cloud::known("AzureChinaCloud").unwrap();
    assert!(subscription_portal_url(&china, None, PROD).unwrap().starts_with("https://portal.azure.cn/#/resource/"));
    // A custom cloud named differently but on the public ARM host still gets its portal;
    // one on other endpoints gets no link rather than a wrong one.
    let mut custom = Cloud::public();
    custom.name = "MyCloud".into();
    assert!(portal_url(&custom, None, id).unwrap().starts_with("https://portal.azure.com/"));
    custom.arm_url = "https://127.0.0.1:8443".into();
    assert_eq!(portal_url(&custom, None, id), None);
    // What would break out of the fragment is escaped.
    let odd = "/subscriptions/s/resourceGroups/rg #1?x/providers/Microsoft.Compute/virtualMachines/v";
    let url = portal_url(&public, None, odd).unwrap();
    assert!(url.ends_with("/resourceGroups/rg%20%231%3Fx/providers/Microsoft.Compute/virtualMachines/v"), "{url}");
}

// ---------------------------------------------------------------------------------------------
// Charts
// ---------------------------------------------------------------------------------------------

#[test]
fn clicking_a_chart_part_shows_exactly_the_rows_it_counts() {
    let t = table();
    let all = t.select(&Filters::default(), Sort::default());
    let coverage = charts::coverage(&t, &all);
    let counts: Vec<(&str, usize)> = coverage.parts.iter().map(|p| (p.label.as_str(), p.count)).collect();
    assert_eq!(counts, [("Covered", 1), ("Failed", 3), ("Missing", 7), ("Not applicable", 1)]);
    assert_eq!(coverage.total, 12);
    let (subs, left_out) = charts::subscriptions(&t, &all, 2);
    let every_chart =
        [coverage, charts::provisioning_states(&t, &all), charts::kinds(&t, &all), charts::os_families(&t, &all)];
    for chart in &every_chart {
        assert!(!chart.parts.is_empty(), "{}", chart.title);
        for part in &chart.parts {
            let mut filters = Filters::default();
            filters.toggle(part.filter.0, &part.filter.1);
            assert_eq!(t.select(&filters, Sort::default()).len(), part.count, "{}: {}", chart.title, part.label);
        }
    }
    let provisioning: Vec<(&str, usize)> = every_chart[1].parts.iter().map(|p| (p.label.as_str(), p.count)).collect();
    assert_eq!(provisioning, [("Failed", 3), ("Creating", 1), ("Succeeded", 1), ("No extension", 7)]);
    let os: Vec<&str> = every_chart[3].parts.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(os, ["Linux", "Windows"]);

    // Per subscription: the most machines first, covered out of total; a click is by id.
    let bars: Vec<(&str, usize, usize)> = subs.iter().map(|s| (s.name.as_str(), s.covered, s.total)).collect();
    assert_eq!(bars, [("Contoso Prod", 1, 7), ("Contoso Dev", 0, 3)]);
    assert_eq!(left_out, 1);
    for s in &subs {
        let mut filters = Filters::default();
        filters.toggle(s.filter.0, &s.filter.1);
        assert_eq!(t.select(&filters, Sort::default()).len(), s.total);
    }
    // The charts follow the selection.
    let linux = t.select(&Filters::from_query("os=linux"), Sort::default());
    assert_eq!(charts::kinds(&t, &linux).counts(), [1, 4]);
}

/// Every number in an SVG path has at most two decimals.
fn numbers_are_short(d: &str) -> bool {
    d.split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .filter(|n| !n.is_empty())
        .all(|n| n.split_once('.').is_none_or(|(_, decimals)| decimals.len() <= 2))
}

#[test]
fn donut_slices_follow_the_counts() {
    let ring = Ring { cx: 50.0, cy: 50.0, outer: 40.0, inner: 25.0 };
    let halves = charts::donut(&[1, 0, 1], ring);
    // Clockwise from 12 o'clock: the first half is the right side, the second the left.
    assert_eq!(halves[0], "M50 10 A40 40 0 0 1 50 90 L50 75 A25 25 0 0 0 50 25 Z");
    assert_eq!(halves[1], "", "a zero count draws nothing");
    assert_eq!(halves[2], "M50 90 A40 40 0 0 1 50 10 L50 25 A25 25 0 0 0 50 75 Z");
    // Three quarters takes the large arc.
    let big = charts::donut(&[3, 1], ring);
    assert!(big[0].starts_with("M50 10 A40 40 0 1 1 10 50 "), "{}", big[0]);
    // One part that is everything is a whole ring with its hole.
    let whole = charts::donut(&[0, 5], ring);
    assert_eq!(whole[0], "");
    assert_eq!(
        whole[1],
        "M50 10 A40 40 0 1 1 50 90 A40 40 0 1 1 50 10 Z M50 25 A25 25 0 1 0 50 75 A25 25 0 1 0 50 25 Z"
    );
    assert!(charts::donut(&[0, 0], ring).iter().all(String::is_empty));
    for d in charts::donut(&[7, 3, 11, 1], ring) {
        assert!(numbers_are_short(&d), "{d}");
    }
    assert_eq!([charts::num(-0.001), charts::num(12.3456), charts::num(50.0)], ["0", "12.35", "50"]);
    assert_eq!([charts::num(0.1), charts::num(-3.5), charts::num(7.05)], ["0.1", "-3.5", "7.05"]);
}

#[test]
fn bars_scale_to_the_largest_and_never_hide_a_small_count() {
    assert_eq!(charts::bar_lengths(&[50_000, 25_000, 1, 0], 200.0), [200.0, 100.0, 1.0, 0.0]);
    assert_eq!(charts::bar_lengths(&[], 200.0), Vec::<f64>::new());
    assert_eq!(charts::share_length(1, 3, 100.0), 33.33);
    assert_eq!(charts::share_length(0, 3, 100.0), 0.0);
    assert_eq!(
        [(0, 10), (1, 1000), (421, 1000), (999, 1000), (10, 10)].map(|(p, t)| charts::percent(p, t)),
        ["0%", "<1%", "42%", ">99%", "100%"]
    );
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

fn parse(csv: &str) -> Vec<Vec<String>> {
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect()
}

#[test]
fn the_csv_opens_cleanly_and_hostile_text_stays_text() {
    let mut t = table();
    let mut evil = vm_row(PROD, "evil", "Linux", UBUNTU, "PowerState/running");
    evil.name = "evil,\"name\"\n=cmd|' /C calc'!A0".into();
    evil.resource_group = "=cmd|' /C calc'!A0".into();
    evil.location = "@SUM(1+1)".into();
    evil.os_detail = "-2+3".into();
    evil.tags =
        [("@team", "<b>ops</b>"), ("ExcludeMdeAutoUpdate", "true")].map(|(k, v)| (k.to_string(), v.to_string())).into();
    t.extend(vec![evil.clone()], context);
    let rows = t.select(&Filters::from_query("q=evil"), Sort::default());
    let csv = rows_csv(&t, &rows);
    assert!(csv.starts_with("\u{feff}Machine,Kind,OS,OS version,State,Subscription,"), "{csv}");
    assert!(csv.ends_with("\r\n"));
    // Lines end in CRLF; the name's own newline stays inside its quotes.
    assert_eq!(csv.matches("\r\n").count(), 2, "{csv}");

    let records = parse(&csv);
    let header = &records[0];
    assert_eq!(header.len(), Column::ALL.len() + 3);
    assert_eq!(&header[header.len() - 3..], ["Advice", "Tags", "Resource ID"]);
    let at = |label: &str| header.iter().position(|h| h == label).unwrap();
    let row = &records[1];
    // A name that starts harmlessly survives exactly; cells that start like a formula are
    // shown as text.
    assert_eq!(row[at("Machine")], evil.name);
    assert_eq!(row[at("Resource group")], "'=cmd|' /C calc'!A0");
    assert_eq!(row[at("Region")], "'@SUM(1+1)");
    assert_eq!(row[at("OS version")], "'-2+3");
    assert_eq!(row[at("Resource ID")], evil.id);
    assert_eq!(row[at("Tags")], "'@team=<b>ops</b>; ExcludeMdeAutoUpdate=true");
    assert_eq!(row[at("Readiness")], "Expected soon");
    assert!(row[at("Advice")].contains("12 hours"));

    // Every row, in the selection's order.
    let all = t.select(&Filters::default(), Sort { column: Column::Machine, descending: true });
    let records = parse(&rows_csv(&t, &all));
    assert_eq!(records.len(), 14);
    assert_eq!(records[1][0], "web-10");
}

#[test]
fn cells_a_spreadsheet_would_run_are_defused() {
    for (cell, expected) in [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-1-1", "'-1-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\rx", "'\rx"),
        ("\nx", "'\nx"),
        ("＝1+1", "'＝1+1"),
    ] {
        assert_eq!(defuse(cell), expected);
    }
    for cell in ["plain", "'quoted", "a=b", "/subscriptions/s", "-1", "+1"] {
        assert_eq!(defuse(cell), cell);
    }
}

#[test]
fn the_error_report_lists_each_failed_machine_with_its_groups_size() {
    let t = table();
    let all = t.select(&Filters::default(), Sort::default());
    let records = parse(&error_report_csv(&t, &all));
    assert_eq!(
        records[0],
        ["Error", "Machines with this error", "Machine", "Subscription", "Resource group", "Resource ID"]
    );
    let lines: Vec<(&str, &str, &str)> =
        records[1..].iter().map(|r| (r[0].split(' ').next().unwrap(), r[1].as_str(), r[2].as_str())).collect();
    assert_eq!(lines, [("Access", "2", "app-2"), ("Access", "2", "app-3"), ("Package", "1", "db-1")]);
}

// ---------------------------------------------------------------------------------------------
// At scale
// ---------------------------------------------------------------------------------------------

#[test]
fn fifty_thousand_rows_filter_and_sort_like_twelve() {
    let mut t = Table::new();
    let subs: Vec<String> = (0..40).map(|i| format!("00000000-0000-0000-0000-{i:012}")).collect();
    let ctx = |id: &str| SubscriptionContext { name: format!("Sub {}", &id[id.len() - 2..]), facts: Some(all_on()) };
    for page in 0..50 {
        let machines = (0..1000)
            .map(|i| {
                let n = page * 1000 + i;
                let sub = &subs[n % subs.len()];
                let m = if n % 3 == 0 {
                    vm_row(sub, &format!("vm-{n}"), "Linux", UBUNTU, "PowerState/running")
                } else {
                    vm_row(sub, &format!("vm-{n}"), "Windows", WS2019, "PowerState/running")
                };
                if n % 7 == 0 {
                    with_extension(m, "Succeeded", None)
                } else {
                    m
                }
            })
            .collect();
        t.extend(machines, ctx);
    }
    assert_eq!(t.len(), 50_000);
    let first = t.select(&Filters::default(), Sort::default());
    assert_eq!(names(&t, &first[..3]), ["vm-0", "vm-1", "vm-2"]);
    assert_eq!(t.machine(*first.last().unwrap()).name, "vm-49999");
    // "vm-4999" is a prefix of 11 names: itself and vm-49990..vm-49999.
    assert_eq!(t.select(&Filters::from_query("q=VM-4999"), Sort::default()).len(), 11);
    let linux_covered = t.select(&Filters::from_query("os=linux&coverage=covered"), Sort::default());
    assert_eq!(linux_covered.len(), (0..50_000).filter(|n| n % 21 == 0).count());
    let coverage = charts::coverage(&t, &first);
    assert_eq!(coverage.parts[0].count, (0..50_000).filter(|n| n % 7 == 0).count());
}

//! Every real machines / extensions / instance-view / Resource Graph example of
//! `tests/fixtures/arm` (copied from Azure/azure-rest-api-specs, see `SOURCES.md`) becomes the
//! `Machine` the deployment-status table shows. The loading itself (paging, the ARM fallback)
//! runs against the fake tenant in `crates/fake-azure/tests/deployment_load.rs`.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde_json::Value;

use mde_core::arm::graph::QueryResponse;
use mde_core::arm::machines::{ArcExtension, ArcMachine, VirtualMachine, VmExtension, VmInstanceView};
use mde_core::arm::Page;
use mde_core::deployment::rows::{self, DeploymentRow};
use mde_core::deployment::{Machine, MachineKind, MachineState, MdeExtension, OsFamily};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/arm");

fn example(path: &str) -> Value {
    let text = std::fs::read_to_string(format!("{FIXTURES}/{path}")).unwrap_or_else(|e| panic!("{path}: {e}"));
    let json: Value = serde_json::from_str(&text).unwrap();
    json["responses"]["200"]["body"].clone()
}

/// The items of a list example, or the one item of a GET example.
fn items<T: DeserializeOwned>(path: &str) -> Vec<T> {
    let body = example(path);
    if body.get("value").is_some() || path.contains("_List") {
        serde_json::from_value::<Page<T>>(body).unwrap_or_else(|e| panic!("{path}: {e}")).value
    } else {
        vec![serde_json::from_value(body).unwrap_or_else(|e| panic!("{path}: {e}"))]
    }
}

fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn every_vm_example_is_the_machine_the_table_shows() {
    let get = rows::vm_machine(&items::<VirtualMachine>("vm/VirtualMachine_Get.json")[0], "sub-1", None);
    assert_eq!(
        get,
        Machine {
            id: "/subscriptions/{subscription-id}/resourceGroups/myResourceGroup/providers/Microsoft.Compute/virtualMachines/myVM".into(),
            name: "myVM".into(),
            kind: MachineKind::Vm,
            os: OsFamily::Windows,
            os_detail: "MicrosoftWindowsServer WindowsServer 2016-Datacenter".into(),
            // A plain GET has no instance view: ARM did not say whether it runs.
            state: MachineState::Unknown,
            subscription_id: "sub-1".into(),
            resource_group: "myResourceGroup".into(),
            location: "West US".into(),
            extension: None,
            tags: tags(&[("myTag1", "tagValue1")]),
        }
    );
    for vm in items::<VirtualMachine>("vm/VirtualMachine_ListBySubscription_ByLocation.json") {
        let m = rows::vm_machine(&vm, "sub-1", None);
        assert_eq!((m.name.as_str(), m.os), ("{virtualMachineName}", OsFamily::Windows));
        assert_eq!(m.os_detail, "MicrosoftWindowsServer WindowsServer 2012-R2-Datacenter");
        assert_eq!((m.resource_group.as_str(), m.location.as_str()), ("{resourceGroupName}", "eastus"));
        assert_eq!(m.tags, tags(&[("RG", "rg"), ("testTag", "1")]));
    }
    // Minimal answers (no name, no OS, tags null): the name from the id, nothing invented.
    for file in [
        "vm/VirtualMachine_ListAll_MinimumSet_Gen.json",
        "vm/VirtualMachine_ListAll_MinimumSet_Gen_2024-03-01.json",
        "vm/VirtualMachine_List_MinimumSet_Gen.json",
    ] {
        let machines: Vec<Machine> =
            items::<VirtualMachine>(file).iter().map(|vm| rows::vm_machine(vm, "s", None)).collect();
        assert_eq!(machines.len(), 2, "{file}");
        for m in machines {
            assert_eq!((m.name.as_str(), m.os, m.os_detail.as_str()), ("{virtualMachineName}", OsFamily::Unknown, ""));
            assert_eq!((m.state, m.location.as_str(), m.tags.len()), (MachineState::Unknown, "eastus", 0), "{file}");
        }
    }
}

#[test]
fn the_instance_view_example_gives_the_power_state() {
    let view: VmInstanceView =
        serde_json::from_value(example("vm-instance-view/VirtualMachine_Get_InstanceView.json")).unwrap();
    assert_eq!(rows::power_state_code(&view.statuses), Some("PowerState/running"));
    let mut vm = items::<VirtualMachine>("vm/VirtualMachine_Get.json").remove(0);
    vm.properties.instance_view = Some(view.clone());
    assert_eq!(rows::vm_machine(&vm, "s", None).state, MachineState::Running);
    // The same view, deallocated (the portal's "Stopped (deallocated)").
    let mut stopped = view;
    stopped.statuses[1].code = Some("PowerState/deallocated".into());
    vm.properties.instance_view = Some(stopped);
    assert_eq!(rows::vm_machine(&vm, "s", None).state, MachineState::Deallocated);
}

#[test]
fn vm_extension_examples_give_name_state_and_a_failures_message() {
    for file in [
        "vm-extensions/VirtualMachineExtension_Get_MaximumSet_Gen.json",
        "vm-extensions/VirtualMachineExtension_List_MaximumSet_Gen.json",
    ] {
        let extension = &items::<VmExtension>(file)[0];
        let seen = rows::vm_extension(extension);
        // Creating: the agent's "a" is no failure's reason.
        assert_eq!(
            seen,
            MdeExtension { name: "myVMExtension".into(), provisioning_state: "Creating".into(), message: None }
        );
        let mut failed = extension.clone();
        failed.properties.provisioning_state = Some("Failed".into());
        assert_eq!(rows::vm_extension(&failed).message.as_deref(), Some("a"), "{file}");
    }
    let minimal =
        rows::vm_extension(&items::<VmExtension>("vm-extensions/VirtualMachineExtension_Get_MinimumSet_Gen.json")[0]);
    assert_eq!(
        minimal,
        MdeExtension { name: "myVMExtension".into(), provisioning_state: String::new(), message: None }
    );
    for file in [
        "vm-extensions/VirtualMachineExtension_List_MinimumSet_Gen.json",
        "vm-extensions/VirtualMachineExtension_List_MinimumSet_Gen_2024-03-01.json",
    ] {
        assert!(items::<VmExtension>(file).is_empty(), "{file}: a VM without extensions");
    }
}

#[test]
fn arc_machine_examples_say_nothing_they_do_not_know() {
    for file in [
        "arc-machines/Machines_Get.json",
        "arc-machines/Machines_ListBySubscription.json",
        "arc-machines/Machines_ListByResourceGroup_2022-12-27.json",
    ] {
        for arc in items::<ArcMachine>(file) {
            let m = rows::arc_machine(&arc, "s", None);
            assert_eq!(m.kind, MachineKind::Arc);
            assert!(m.name.starts_with("myMachine"), "{file}: {}", m.name);
            // The examples' status, osType and osSku are null: unknown, not "Disconnected".
            assert_eq!((m.state, m.os, m.os_detail.as_str()), (MachineState::Unknown, OsFamily::Unknown, ""), "{file}");
            assert!(m.resource_group.starts_with("myResourceGroup") && !m.location.is_empty(), "{file}");
        }
    }
}

#[test]
fn arc_extension_examples_carry_their_message_when_failed() {
    for (file, message) in [
        ("arc-extensions/Extension_Get.json", "Finished executing command, StdOut: , StdErr:"),
        ("arc-extensions/GETExtension_2022-12-27.json", "Finished executing command, StdOut: , StdErr:"),
        ("arc-extensions/Extension_List.json", "formattedMessage: Finished executing command, StdOut: , StdErr: "),
    ] {
        let extension = &items::<ArcExtension>(file)[0];
        let seen = rows::arc_extension(extension);
        assert_eq!(
            (seen.name.as_str(), seen.provisioning_state.as_str(), seen.message),
            ("CustomScriptExtension", "Succeeded", None)
        );
        let mut failed = extension.clone();
        failed.properties.provisioning_state = Some("Failed".into());
        assert_eq!(rows::arc_extension(&failed).message.as_deref(), Some(message), "{file}");
    }
    // Before the agent reports, `status` is `{}`: no message at all.
    let mut creating = items::<ArcExtension>("arc-extensions/Extension_List.json").remove(1);
    creating.properties.provisioning_state = Some("Failed".into());
    assert_eq!(rows::arc_extension(&creating).message, None);
}

#[test]
fn resource_graph_examples_page_and_their_other_resources_are_left_out() {
    for file in [
        "resourcegraph/ResourcesBasicQuery.json",
        "resourcegraph/ResourcesBasicQuery_2021-03-01.json",
        "resourcegraph/ResourcesBasicQuery_2022-10-01.json",
        "resourcegraph/ResourcesFirstPageQuery.json",
        "resourcegraph/ResourcesNextPageQuery.json",
        "resourcegraph/ResourcesSummarizeQuery.json",
    ] {
        let page: QueryResponse<DeploymentRow> =
            serde_json::from_value(example(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(!page.data.is_empty(), "{file}");
        // Network interfaces, disks, automation accounts, a summary by location: no machine.
        assert!(page.data.iter().all(|row| row.machine().is_none()), "{file}");
        let paged = file.contains("PageQuery");
        assert_eq!(page.skip_token.is_some(), paged, "{file}");
    }
    // The same row shape, once it is a VM, is one.
    let mut row: DeploymentRow =
        serde_json::from_value(example("resourcegraph/ResourcesBasicQuery.json")["data"][0].clone()).unwrap();
    row.resource_type = Some("microsoft.compute/virtualmachines".into());
    let m = row.machine().unwrap();
    assert_eq!((m.name.as_str(), m.location.as_str()), ("myNetworkInterface", "centralus"));
    assert_eq!(
        (m.subscription_id.as_str(), m.resource_group.as_str()),
        ("cfbbd179-59d2-4052-aa06-9270a38aa9d6", "RG1")
    );
    assert_eq!((m.tags, m.state, m.extension), (tags(&[("tag1", "Value1")]), MachineState::Unknown, None));
}

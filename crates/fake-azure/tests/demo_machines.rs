//! The built-in demo tenant (public/demo/scenario.json) has the machines issue 11's pages need
//! to show something in every column and chart: read through the fake's ARM API, as the app's
//! fallback path reads them (VMs, Arc machines, their extensions with instance views).

mod common;

use std::collections::BTreeMap;

use common::*;
use fake_azure::FakeAzure;
use mde_core::api;
use serde_json::Value;

const DEMO: &str = include_str!("../../../public/demo/scenario.json");

/// One machine as the ARM API serves it.
struct Served {
    arc: bool,
    subscription: String,
    resource: Value,
    /// The MDE extension, read with `$expand=instanceView`.
    mde: Option<Value>,
}

impl Served {
    fn name(&self) -> &str {
        self.resource["name"].as_str().unwrap()
    }

    fn linux(&self) -> bool {
        let os = if self.arc {
            &self.resource["properties"]["osType"]
        } else {
            &self.resource["properties"]["storageProfile"]["osDisk"]["osType"]
        };
        os.as_str().is_some_and(|o| o.eq_ignore_ascii_case("linux"))
    }

    fn image_sku(&self) -> &str {
        self.resource["properties"]["storageProfile"]["imageReference"]["sku"].as_str().unwrap_or_default()
    }

    fn image_offer(&self) -> &str {
        self.resource["properties"]["storageProfile"]["imageReference"]["offer"].as_str().unwrap_or_default()
    }

    fn arc_sku(&self) -> &str {
        self.resource["properties"]["osSku"].as_str().unwrap_or_default()
    }

    fn arc_status(&self) -> &str {
        self.resource["properties"]["status"].as_str().unwrap_or_default()
    }

    /// `PowerState/...` of the VM's instance view: `PowerState/running` when the scenario gives
    /// none, as ARM shows a running VM (a fake that leaves it out shows none).
    fn power_state(&self) -> Option<&str> {
        self.resource["properties"]["instanceView"]["statuses"]
            .as_array()?
            .iter()
            .filter_map(|s| s["code"].as_str())
            .find(|c| c.starts_with("PowerState/"))
    }

    fn mde_state(&self) -> Option<&str> {
        self.mde.as_ref()?["properties"]["provisioningState"].as_str()
    }

    /// The failed extension's message: a VM's `statuses`, an Arc machine's one `status`.
    fn failure_message(&self) -> Option<&str> {
        let view = &self.mde.as_ref()?["properties"]["instanceView"];
        let status = if self.arc {
            &view["status"]
        } else {
            view["statuses"].as_array()?.iter().find(|s| s["level"] == "Error")?
        };
        (status["level"] == "Error").then(|| status["message"].as_str()).flatten()
    }

    fn tag(&self, key: &str) -> Option<&str> {
        self.resource["tags"][key].as_str()
    }
}

/// Every VM and Arc machine of the demo tenant, as the ARM API lists them.
fn served_machines() -> Vec<Served> {
    let mut azure = FakeAzure::from_scenario_json(DEMO, open()).unwrap_or_else(|e| panic!("the demo tenant: {e}"));
    let (subscriptions, _) = collect_pages(&mut azure, &url("/subscriptions", api::RESOURCES), None);
    let mut machines = Vec::new();
    for sub in subscriptions {
        let id = sub["subscriptionId"].as_str().unwrap().to_string();
        for (arc, provider, version) in [
            (false, "Microsoft.Compute/virtualMachines", api::COMPUTE),
            (true, "Microsoft.HybridCompute/machines", api::HYBRID_COMPUTE),
        ] {
            let (list, _) =
                collect_pages(&mut azure, &url(&format!("/subscriptions/{id}/providers/{provider}"), version), None);
            for listed in list {
                let machine_id = listed["id"].as_str().unwrap().to_string();
                // A VM's power state is in its instance view, which ARM shows only when asked.
                let resource = if arc {
                    listed
                } else {
                    body(&get(&mut azure, &format!("{}&$expand=instanceView", url(&machine_id, version))))
                };
                let extensions = body(&get(
                    &mut azure,
                    &format!("{}&$expand=instanceView", url(&format!("{machine_id}/extensions"), version)),
                ));
                let mde = extensions["value"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|e| matches!(e["properties"]["type"].as_str(), Some("MDE.Windows" | "MDE.Linux")))
                    .cloned();
                machines.push(Served { arc, subscription: id.clone(), resource, mde });
            }
        }
    }
    machines
}

fn names<'m>(machines: impl Iterator<Item = &'m Served>) -> Vec<&'m str> {
    machines.map(Served::name).collect()
}

#[test]
fn the_demo_tenant_serves_about_sixty_machines_of_both_kinds_and_both_families() {
    let machines = served_machines();
    let (arc, vms): (Vec<&Served>, Vec<&Served>) = machines.iter().partition(|m| m.arc);
    assert!((55..=70).contains(&machines.len()), "{} machines", machines.len());
    assert!(vms.len() >= 40 && arc.len() >= 15, "{} VMs, {} Arc machines", vms.len(), arc.len());
    for kind in [&vms, &arc] {
        assert!(kind.iter().any(|m| m.linux()) && kind.iter().any(|m| !m.linux()));
    }
    let subscriptions: std::collections::BTreeSet<&str> = machines.iter().map(|m| m.subscription.as_str()).collect();
    assert!(subscriptions.len() >= 10, "machines in {} subscriptions", subscriptions.len());
    // Linux images and Arc distributions of every family the readiness rules name.
    for offer in ["0001-com-ubuntu-server-jammy", "RHEL", "sles-15-sp5", "debian-12"] {
        assert!(vms.iter().any(|m| m.image_offer() == offer), "no VM from {offer}");
    }
    assert!(arc.iter().any(|m| m.arc_sku() == "Ubuntu 22.04.4 LTS"));
}

#[test]
fn the_demo_tenant_has_every_windows_version_the_readiness_rules_treat_apart() {
    let machines = served_machines();
    let vm_with = |offer: &str, sku: &str| {
        names(machines.iter().filter(|m| !m.arc && m.image_offer() == offer && m.image_sku() == sku))
    };
    assert!(!vm_with("Windows-10", "win10-22h2-ent").is_empty(), "a Windows 10 VM (unsupported)");
    assert!(!vm_with("windows-11", "win11-23h2-avd").is_empty(), "a Windows 11 multi-session VM");
    assert!(!vm_with("WindowsServer", "2012-R2-Datacenter").is_empty(), "a Windows Server 2012 R2 VM");
    assert!(!vm_with("WindowsServer", "2016-Datacenter").is_empty(), "a Windows Server 2016 VM");
    let arc_2012 = machines.iter().find(|m| m.arc && m.arc_sku() == "Windows Server 2012 R2 Standard").unwrap();
    assert_eq!(arc_2012.resource["properties"]["osVersion"], "6.3.9600");
    assert!(machines.iter().any(|m| m.arc && m.arc_sku() == "Windows 10 Enterprise"));
}

#[test]
fn the_demo_tenant_has_stopped_and_deallocated_vms_and_disconnected_and_expired_arc_machines() {
    let machines = served_machines();
    let vms_in = |state: &str| names(machines.iter().filter(|m| !m.arc && m.power_state() == Some(state)));
    assert!(vms_in("PowerState/stopped").len() >= 2, "stopped: {:?}", vms_in("PowerState/stopped"));
    assert!(vms_in("PowerState/deallocated").len() >= 2, "deallocated: {:?}", vms_in("PowerState/deallocated"));
    let arc_in = |status: &str| names(machines.iter().filter(|m| m.arc && m.arc_status() == status));
    assert!(arc_in("Disconnected").len() >= 2, "disconnected: {:?}", arc_in("Disconnected"));
    assert!(!arc_in("Expired").is_empty());
    // Most run: the odd ones stay the exception.
    let running =
        machines.iter().filter(|m| !m.arc && matches!(m.power_state(), None | Some("PowerState/running"))).count();
    assert!(running > machines.len() / 2, "{running} running VMs");
}

#[test]
fn failed_extensions_share_real_messages_so_grouping_by_message_shows_groups() {
    let machines = served_machines();
    let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for m in &machines {
        if m.mde_state() == Some("Failed") {
            let message = m.failure_message().unwrap_or_else(|| panic!("{} failed without a message", m.name()));
            groups.entry(message).or_default().push(m.name());
        }
    }
    let shared: Vec<(&&str, &Vec<&str>)> = groups.iter().filter(|(_, names)| names.len() >= 2).collect();
    assert!(shared.len() >= 3, "groups of two or more: {shared:#?}");
    // The groups mix VMs and Arc machines, and both extensions fail.
    let failed: Vec<&Served> = machines.iter().filter(|m| m.mde_state() == Some("Failed")).collect();
    assert!(failed.iter().any(|m| m.arc) && failed.iter().any(|m| !m.arc));
    assert!(failed.iter().any(|m| m.linux()) && failed.iter().any(|m| !m.linux()));
    // Windows 10 fails the way Defender for Cloud reports an unsupported OS.
    let win10 = failed.iter().find(|m| m.image_offer() == "Windows-10").expect("a failed Windows 10 VM");
    assert!(win10.failure_message().unwrap().contains("operating system is not supported"));
}

#[test]
fn extensions_in_progress_and_machines_in_creation_are_served() {
    let machines = served_machines();
    for state in ["Creating", "Updating"] {
        assert!(machines.iter().any(|m| m.mde_state() == Some(state)), "an MDE extension {state}");
    }
    assert!(machines.iter().any(|m| m.resource["properties"]["provisioningState"] == "Creating"), "a VM being created");
}

#[test]
fn linux_machines_with_and_without_the_auto_update_tag_and_one_with_thirty_other_tags() {
    let machines = served_machines();
    let linux: Vec<&Served> = machines.iter().filter(|m| m.linux()).collect();
    let tagged = names(linux.iter().copied().filter(|m| m.tag("ExcludeMdeAutoUpdate") == Some("true")));
    assert!(tagged.len() >= 3, "tagged: {tagged:?}");
    assert!(linux.iter().any(|m| m.arc && m.tag("ExcludeMdeAutoUpdate").is_some()));
    assert!(linux.iter().filter(|m| m.tag("ExcludeMdeAutoUpdate").is_none()).count() > tagged.len());
    let many = linux
        .iter()
        .find(|m| !m.arc && m.resource["tags"].as_object().is_some_and(|t| t.len() == 30))
        .expect("a Linux VM with 30 tags");
    assert_eq!(many.tag("ExcludeMdeAutoUpdate"), None, "the 30 are other tags");
}

#[test]
fn hostile_tag_values_are_served_byte_for_byte() {
    let machines = served_machines();
    let values: Vec<&str> = machines
        .iter()
        .flat_map(|m| m.resource["tags"].as_object().into_iter().flatten())
        .filter_map(|(_, v)| v.as_str())
        .collect();
    for hostile in ["<script>alert(1)</script>", "=HYPERLINK(\"http://x\")", "+31 20 555 0100", "-500", "@ops-bot"] {
        assert!(values.contains(&hostile), "no tag value {hostile}");
    }
}

#[test]
fn machines_without_the_extension_in_subscriptions_with_the_integration_on_and_off() {
    let mut azure = FakeAzure::from_scenario_json(DEMO, open()).unwrap();
    let (subscriptions, _) = collect_pages(&mut azure, &url("/subscriptions", api::RESOURCES), None);
    let name_of: BTreeMap<String, String> = subscriptions
        .iter()
        .map(|s| (s["subscriptionId"].as_str().unwrap().into(), s["displayName"].as_str().unwrap().into()))
        .collect();
    let machines = served_machines();
    let without = |subscription: &str| {
        names(machines.iter().filter(|m| name_of[&m.subscription] == subscription && m.mde.is_none()))
    };
    // On: the extension is expected soon; Off: nothing will deploy; no plan: nothing either.
    for subscription in ["Contoso Production", "Contoso Shared Services", "Contoso Data Platform", "Contoso Identity"] {
        assert!(!without(subscription).is_empty(), "{subscription}: every machine has the extension");
    }
}

/// The overview's insight counts Retail's Linux machines without MDE: the e2e tests read 6.
#[test]
fn retail_keeps_six_linux_machines_without_mde() {
    let machines = served_machines();
    let retail = "2217bead-dbc4-46cb-8e81-973e0becd7b0";
    let uncovered =
        machines.iter().filter(|m| m.subscription == retail && m.linux() && m.mde_state() != Some("Succeeded")).count();
    assert_eq!(uncovered, 6);
}

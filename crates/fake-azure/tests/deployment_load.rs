//! Loading every machine (`mde_core::deployment::load`) against the fake tenant in process:
//! Resource Graph's pages arrive one by one and become machines without duplicates; a failed
//! VM extension gets its reason from ARM's instance view; when Resource Graph stays throttled
//! the same machines come from ARM per subscription, and a subscription ARM refuses is reported
//! while the others load. Also the fake's side: a VM's instance view only when asked for.

mod common;

use std::cell::RefCell;
use std::collections::{BTreeSet, HashSet};

use common::*;
use fake_azure::{FakeAzure, Faults, Options};
use futures::executor::block_on;
use mde_core::api;
use mde_core::client::ArmClient;
use mde_core::deployment::load::{load, LoadEvent, Source};
use mde_core::deployment::{Machine, MachineKind, MachineState};
use mde_core::error::ArmFailure;
use mde_core::transport::{Request, Response, Transport, TransportError};
use serde_json::{json, Value};

const SUBS: [&str; 3] = [
    "a1111111-0000-0000-0000-000000000001",
    "b2222222-0000-0000-0000-000000000002",
    "c3333333-0000-0000-0000-000000000003",
];
const VM_FAILURE: &str = "Failed to configure Microsoft Defender for Endpoint: the onboarding package could not be downloaded (exit code 20).";
const ARC_FAILURE: &str =
    "Extension Message: MDE onboarding failed: the machine cannot reach winatp-gw-eus.microsoft.com.";

fn mde(machine_id: &str, os: &str, state: &str, message: Option<&str>, arc: bool) -> Value {
    let name = if os.eq_ignore_ascii_case("windows") { "MDE.Windows" } else { "MDE.Linux" };
    let mut extension = json!({
        "id": format!("{machine_id}/extensions/{name}"), "name": name,
        "properties": { "publisher": "Microsoft.Azure.AzureDefenderForServers", "type": name, "typeHandlerVersion": "1.0", "provisioningState": state },
    });
    if let Some(message) = message {
        // As the agents report it: a VM's list of statuses, an Arc machine's one status.
        extension["properties"]["instanceView"] = if arc {
            json!({ "name": name, "type": name, "status": { "code": "1", "level": "Error", "displayStatus": "Provisioning failed", "message": message } })
        } else {
            json!({ "name": name, "type": format!("Microsoft.Azure.AzureDefenderForServers.{name}"), "statuses": [
                { "code": "ProvisioningState/failed/-2147024894", "level": "Error", "displayStatus": "Provisioning failed", "message": message },
            ] })
        };
    }
    extension
}

/// A VM whose traits follow `i`: OS, image, power state, tags and MDE extension vary.
fn vm(sub: &str, name: &str, i: usize) -> Value {
    let id = format!("/subscriptions/{sub}/resourceGroups/RG-Apps/providers/Microsoft.Compute/virtualMachines/{name}");
    let windows = i.is_multiple_of(2);
    let (os, image) = if windows {
        (
            "Windows",
            json!({ "publisher": "MicrosoftWindowsServer", "offer": "WindowsServer", "sku": "2016-Datacenter", "version": "latest" }),
        )
    } else {
        (
            "Linux",
            json!({ "publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest" }),
        )
    };
    let mut resource = json!({
        "id": id, "name": name, "type": "Microsoft.Compute/virtualMachines", "location": "westeurope",
        "tags": if i % 4 == 1 { json!({ "ExcludeMdeAutoUpdate": "true", "env": "prod" }) } else { json!({ "env": "dev" }) },
        "properties": { "storageProfile": { "imageReference": image, "osDisk": { "osType": os } } },
    });
    let power = match i % 9 {
        3 => Some("PowerState/deallocated"),
        5 => Some("PowerState/stopped"),
        7 => Some("PowerState/starting"),
        _ => None,
    };
    if let Some(code) = power {
        resource["properties"]["instanceView"] =
            json!({ "statuses": [{ "code": "ProvisioningState/succeeded" }, { "code": code }] });
    }
    let extensions = match i % 6 {
        0 => json!([]),
        1 => json!([mde(&id, os, "Failed", Some(VM_FAILURE), false)]),
        2 => json!([mde(&id, os, "Creating", None, false)]),
        _ => json!([mde(&id, os, "Succeeded", None, false)]),
    };
    json!({ "resource": resource, "extensions": extensions })
}

fn arc(sub: &str, name: &str, i: usize) -> Value {
    let id = format!("/subscriptions/{sub}/resourceGroups/rg-onprem/providers/Microsoft.HybridCompute/machines/{name}");
    let (os, sku, version) = if i.is_multiple_of(2) {
        ("windows", "Windows Server 2012 R2 Standard", "6.3.9600")
    } else {
        ("linux", "Ubuntu 22.04.4 LTS", "22.04")
    };
    let status = ["Connected", "Disconnected", "Expired", "Error"][i % 4];
    let extensions = match i % 3 {
        0 => json!([mde(&id, os, "Failed", Some(ARC_FAILURE), true)]),
        1 => json!([mde(&id, os, "Succeeded", None, true)]),
        _ => json!([]),
    };
    json!({
        "resource": {
            "id": id, "name": name, "type": "Microsoft.HybridCompute/machines", "location": "eastus", "tags": null,
            "properties": { "status": status, "osType": os, "osSku": sku, "osVersion": version },
        },
        "extensions": extensions,
    })
}

/// Three subscriptions with `vms` VMs and `arcs` Arc machines each.
fn tenant(vms: usize, arcs: usize) -> Value {
    let subscriptions: Vec<Value> = SUBS
        .iter()
        .map(|sub| {
            json!({
                "subscription": { "subscriptionId": sub, "displayName": sub, "state": "Enabled", "tenantId": TENANT },
                "permissions": reader(),
                "virtualMachines": (0..vms).map(|i| vm(sub, &format!("vm-{i:04}"), i)).collect::<Vec<_>>(),
                "arcMachines": (0..arcs).map(|i| arc(sub, &format!("srv-{i:04}"), i)).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "tenants": [{ "tenantId": TENANT }], "subscriptions": subscriptions })
}

fn subscriptions() -> Vec<String> {
    SUBS.iter().map(|s| s.to_string()).collect()
}

/// The fake behind the core's `Transport`, whose clock `sleep` moves, or not (`stopped`): then
/// a throttled Resource Graph stays throttled through every retry of the client.
#[derive(Clone)]
struct Tenant {
    inner: InProcess,
    stopped: bool,
}

impl Transport for Tenant {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        self.inner.send(request).await
    }
    async fn sleep(&self, ms: u64) {
        if !self.stopped {
            self.inner.sleep(ms).await
        }
    }
    fn now_ms(&self) -> u64 {
        self.inner.now_ms()
    }
}

fn client(azure: FakeAzure, stopped: bool) -> ArmClient<Tenant> {
    ArmClient::new(Tenant { inner: InProcess::new(azure), stopped }, ARM)
}

fn run(client: &ArmClient<Tenant>, subscriptions: &[String]) -> Vec<LoadEvent> {
    let events = RefCell::new(Vec::new());
    block_on(load(client, subscriptions, 8, |event| events.borrow_mut().push(event)));
    events.into_inner()
}

/// The machines as the table ends up with them: in arrival order, each `Updated` machine in
/// place of the one sent before (asserting it was sent before).
fn machines(events: &[LoadEvent]) -> Vec<Machine> {
    let mut all: Vec<Machine> = Vec::new();
    for event in events {
        match event {
            LoadEvent::Machines(page) => all.extend(page.iter().cloned()),
            LoadEvent::Updated(again) => {
                for machine in again {
                    let at = all.iter().position(|m| m.id == machine.id).expect("an update of a machine sent before");
                    all[at] = machine.clone();
                }
            }
            _ => {}
        }
    }
    all
}

fn sent(client: &ArmClient<Tenant>, what: impl Fn(&str) -> bool) -> usize {
    client.transport().inner.sent.borrow().iter().filter(|s| what(s)).count()
}

/// Resource Graph's per-user quota (15 queries per 5 s) used up by something else of the user's,
/// with the fake enforcing ARM's budgets.
fn graph_exhausted(scenario: &Value) -> FakeAzure {
    let options = Options { faults: Faults { rate_limits: true, ..Faults::default() }, ..open() };
    let mut azure = FakeAzure::from_scenario_json(&scenario.to_string(), options).unwrap();
    let query = json!({ "subscriptions": SUBS, "query": "resources | project id", "options": {} });
    for _ in 0..15 {
        send(&mut azure, "POST", &format!("{ARM}{}", api::resource_graph()), Some(&query), None);
    }
    azure
}

fn by_id(mut machines: Vec<Machine>) -> Vec<Machine> {
    machines.sort_by(|a, b| a.id.cmp(&b.id));
    machines
}

#[test]
fn twenty_five_hundred_machines_arrive_in_three_pages_once_each() {
    // 1,000 VMs in the first subscription: its last (vm-0999, Linux, MDE.Linux succeeded) also
    // has a failed MDE.Windows (the other OS's extension), so its two rows straddle pages 1 and 2.
    let mut scenario = tenant(0, 0);
    let mut big: Vec<Value> = (0..1000).map(|i| vm(SUBS[0], &format!("vm-{i:04}"), i)).collect();
    let last_id = big[999]["resource"]["id"].as_str().unwrap().to_string();
    big[999]["extensions"].as_array_mut().unwrap().push(mde(&last_id, "Windows", "Failed", Some(VM_FAILURE), false));
    scenario["subscriptions"][0]["virtualMachines"] = json!(big);
    scenario["subscriptions"][1]["virtualMachines"] =
        json!((0..700).map(|i| vm(SUBS[1], &format!("vm-{i:04}"), i)).collect::<Vec<_>>());
    scenario["subscriptions"][2]["arcMachines"] =
        json!((0..800).map(|i| arc(SUBS[2], &format!("srv-{i:04}"), i)).collect::<Vec<_>>());
    let client = client(FakeAzure::from_scenario_json(&scenario.to_string(), open()).unwrap(), false);

    let events = run(&client, &subscriptions());

    let pages: Vec<usize> =
        events.iter().filter_map(|e| if let LoadEvent::Machines(m) = e { Some(m.len()) } else { None }).collect();
    assert_eq!(pages.len(), 3, "one batch per page of 1,000 rows: {pages:?}");
    assert_eq!(pages.iter().sum::<usize>(), 2500);
    assert_eq!(events.last(), Some(&LoadEvent::Done { source: Source::ResourceGraph }));
    assert_eq!(sent(&client, |s| s.starts_with("POST /providers/Microsoft.ResourceGraph")), 3);
    let all = machines(&events);
    let ids: HashSet<String> = all.iter().map(|m| m.id.to_ascii_lowercase()).collect();
    assert_eq!(ids.len(), 2500, "no machine twice");
    // The machine on both pages is one machine, showing its failed extension.
    let straddling = all.iter().find(|m| m.id == last_id).unwrap();
    let ext = straddling.extension.as_ref().unwrap();
    assert_eq!((ext.name.as_str(), ext.provisioning_state.as_str()), ("MDE.Windows", "Failed"));
    assert_eq!(ext.message.as_deref(), Some(VM_FAILURE));
    let per_sub = |s: &str| all.iter().filter(|m| m.subscription_id == s).count();
    assert_eq!((per_sub(SUBS[0]), per_sub(SUBS[1]), per_sub(SUBS[2])), (1000, 700, 800));
}

/// Resource Graph answers its first page, then is throttled for good (another tool of the
/// user's took the quota): the 429 is Resource Graph's, sent by the test in front of the fake.
struct ThrottledAfterOnePage {
    tenant: Tenant,
    queries: std::cell::Cell<usize>,
}

impl Transport for ThrottledAfterOnePage {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        if request.uri().path().contains("Microsoft.ResourceGraph") {
            self.queries.set(self.queries.get() + 1);
            if self.queries.get() > 1 {
                let body = json!({ "error": { "code": "RateLimiting", "message": "Please provide below info when asking for support: timestamp = 2024-06-01T00:00:00Z, correlationId = 1." } });
                let response = http::Response::builder().status(429).header("x-ms-user-quota-resets-after", "00:00:05");
                return Ok(response.body(serde_json::to_vec(&body).unwrap()).unwrap());
            }
        }
        self.tenant.send(request).await
    }
    async fn sleep(&self, _: u64) {}
    fn now_ms(&self) -> u64 {
        self.tenant.now_ms()
    }
}

#[test]
fn resource_graph_throttled_after_a_page_leaves_the_rest_to_arm_without_repeating_a_machine() {
    let mut scenario = tenant(0, 0);
    scenario["subscriptions"][0]["virtualMachines"] =
        json!((0..1200).map(|i| vm(SUBS[0], &format!("vm-{i:04}"), i)).collect::<Vec<_>>());
    scenario["subscriptions"][2]["arcMachines"] =
        json!((0..300).map(|i| arc(SUBS[2], &format!("srv-{i:04}"), i)).collect::<Vec<_>>());
    let azure = FakeAzure::from_scenario_json(&scenario.to_string(), open()).unwrap();
    let transport =
        ThrottledAfterOnePage { tenant: Tenant { inner: InProcess::new(azure), stopped: false }, queries: 0.into() };
    let client = ArmClient::new(transport, ARM);
    let events = RefCell::new(Vec::new());
    block_on(load(&client, &subscriptions(), 8, |e| events.borrow_mut().push(e)));
    let events = events.into_inner();

    // (Reasons of failed VM extensions follow their page as `Updated`; left out here.)
    let kinds: Vec<&str> = events
        .iter()
        .filter(|e| !matches!(e, LoadEvent::Updated(_)))
        .map(|e| match e {
            LoadEvent::Machines(_) => "machines",
            LoadEvent::FellBack { .. } => "fell back",
            LoadEvent::Done { source: Source::Arm } => "done from ARM",
            _ => "other",
        })
        .collect();
    // The first page (its last machine held back), then ARM's three subscriptions.
    assert_eq!(kinds, ["machines", "fell back", "machines", "machines", "done from ARM"]);
    let Some(LoadEvent::FellBack { why }) = events.iter().find(|e| matches!(e, LoadEvent::FellBack { .. })) else {
        unreachable!()
    };
    assert_eq!((why.status(), why.code()), (Some(429), "RateLimiting"));
    let all = machines(&events);
    let ids: HashSet<String> = all.iter().map(|m| m.id.to_ascii_lowercase()).collect();
    assert_eq!((all.len(), ids.len()), (1500, 1500), "every machine once");
    assert_eq!(all[..999].iter().filter(|m| m.subscription_id == SUBS[0]).count(), 999, "page one came first");
}

#[test]
fn resource_graph_rows_read_as_the_table_shows_them_and_failed_vm_extensions_get_their_reason() {
    let client = client(FakeAzure::from_scenario_json(&tenant(12, 8).to_string(), open()).unwrap(), false);
    let events = run(&client, &subscriptions());
    // The page shows before its failed VM extensions' reasons are read; they follow.
    let first_sent = |event: &LoadEvent| match event {
        LoadEvent::Machines(page) => page.iter().find(|m| m.name == "vm-0001").map(|m| ("page", m.clone())),
        LoadEvent::Updated(again) => again.iter().find(|m| m.name == "vm-0001").map(|m| ("update", m.clone())),
        _ => None,
    };
    let sightings: Vec<(&str, Option<String>)> = events
        .iter()
        .filter_map(first_sent)
        .filter(|(_, m)| m.subscription_id == SUBS[0])
        .map(|(how, m)| (how, m.extension.and_then(|e| e.message)))
        .collect();
    assert_eq!(sightings, [("page", None), ("update", Some(VM_FAILURE.to_string()))]);
    let all = machines(&events);
    assert_eq!(all.len(), 60);
    let find = |sub: usize, name: &str| all.iter().find(|m| m.subscription_id == SUBS[sub] && m.name == name).unwrap();

    let web = find(0, "vm-0001");
    assert_eq!((web.kind, web.os_detail.as_str()), (MachineKind::Vm, "Canonical ubuntu-24_04-lts server"));
    assert_eq!((web.state.clone(), web.location.as_str()), (MachineState::Running, "westeurope"));
    assert_eq!(web.tags.get("ExcludeMdeAutoUpdate").map(String::as_str), Some("true"));
    // Resource Graph has no VM extension messages: ARM's instance view gave it.
    assert_eq!(web.extension.as_ref().unwrap().message.as_deref(), Some(VM_FAILURE));
    let failed_vms = all
        .iter()
        .filter(|m| m.kind == MachineKind::Vm && m.extension.as_ref().is_some_and(|e| e.provisioning_state == "Failed"))
        .count();
    assert_eq!(failed_vms, 6, "vm-0001 and vm-0007 of each subscription");
    let reads = sent(&client, |s| s.starts_with("GET ") && s.contains("/extensions/MDE."));
    assert_eq!(reads, failed_vms, "only the failed VM extensions are read through ARM");

    assert_eq!(find(0, "vm-0003").state, MachineState::Deallocated);
    assert_eq!(find(0, "vm-0005").state, MachineState::Stopped);
    assert_eq!(find(0, "vm-0007").state, MachineState::Other("PowerState/starting".into()));
    assert_eq!(find(0, "vm-0000").extension, None);
    assert_eq!(find(0, "vm-0002").extension.as_ref().unwrap().provisioning_state, "Creating");

    let srv = find(1, "srv-0000");
    assert_eq!((srv.kind, srv.state.clone()), (MachineKind::Arc, MachineState::Connected));
    assert_eq!(srv.os_detail, "Windows Server 2012 R2 Standard 6.3.9600");
    assert_eq!(srv.extension.as_ref().unwrap().message.as_deref(), Some(ARC_FAILURE), "Arc's message comes in ARG");
    assert_eq!(find(1, "srv-0001").state, MachineState::Disconnected);
    assert_eq!(find(1, "srv-0002").state, MachineState::Expired);
    assert_eq!(find(1, "srv-0003").state, MachineState::Disconnected, "Error reads as disconnected");
}

#[test]
fn throttled_resource_graph_falls_back_to_arm_with_the_same_machines() {
    let scenario = tenant(12, 8);
    let from_graph = machines(&run(
        &client(FakeAzure::from_scenario_json(&scenario.to_string(), open()).unwrap(), false),
        &subscriptions(),
    ));

    let client = client(graph_exhausted(&scenario), true);
    let events = run(&client, &subscriptions());

    let LoadEvent::FellBack { why } = &events[0] else { panic!("first event: {:?}", events[0]) };
    assert_eq!(why.status(), Some(429), "{why}");
    assert_eq!(events.last(), Some(&LoadEvent::Done { source: Source::Arm }));
    let batches = events.iter().filter(|e| matches!(e, LoadEvent::Machines(_))).count();
    assert_eq!(batches, 3, "one batch per subscription");
    assert_eq!(sent(&client, |s| s.starts_with("POST ")), 5, "one query, tried five times");

    // ARG lower-cases resource groups; ARM's ids keep their case. Nothing else differs.
    let from_arm = by_id(machines(&events));
    let mut from_graph = by_id(from_graph);
    assert_eq!(from_graph.len(), 60);
    for (graph, arm) in from_graph.iter_mut().zip(&from_arm) {
        assert!(graph.resource_group.eq_ignore_ascii_case(&arm.resource_group), "{} / {}", graph.id, arm.id);
        graph.resource_group = arm.resource_group.clone();
    }
    assert_eq!(from_graph, from_arm);
    assert!(from_arm.iter().any(|m| m.state == MachineState::Deallocated));
    assert!(from_arm.iter().any(|m| m.extension.as_ref().is_some_and(|e| e.message.as_deref() == Some(VM_FAILURE))));
}

#[test]
fn a_subscription_arm_refuses_on_the_fallback_is_reported_and_the_others_load() {
    let mut scenario = tenant(5, 3);
    // Security Reader-like: no right to read machines in the second subscription.
    scenario["subscriptions"][1]["permissions"] =
        json!([{ "actions": ["Microsoft.Security/*/read"], "notActions": [] }]);
    // The third never registered Microsoft.HybridCompute: no Arc machines, not a failure.
    scenario["subscriptions"][2]["arcMachines"] = json!([]);
    scenario["subscriptions"][2]["unregisteredProviders"] = json!(["Microsoft.HybridCompute"]);
    let client = client(graph_exhausted(&scenario), true);

    let events = run(&client, &subscriptions());

    let failed: Vec<(&str, Option<u16>, &str)> = events
        .iter()
        .filter_map(|e| match e {
            LoadEvent::SubscriptionFailed { subscription_id, why } => {
                Some((subscription_id.as_str(), why.status(), why.code()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(failed, [(SUBS[1], Some(403), "AuthorizationFailed")]);
    let loaded: BTreeSet<(String, usize)> = machines(&events)
        .into_iter()
        .fold(std::collections::BTreeMap::new(), |mut counts, m| {
            *counts.entry(m.subscription_id).or_insert(0) += 1;
            counts
        })
        .into_iter()
        .collect();
    assert_eq!(loaded, BTreeSet::from([(SUBS[0].to_string(), 8), (SUBS[2].to_string(), 5)]));
    assert_eq!(events.last(), Some(&LoadEvent::Done { source: Source::Arm }));
}

#[test]
fn nothing_loads_when_every_subscription_is_refused_or_the_sign_in_ended() {
    let mut scenario = tenant(2, 0);
    for sub in scenario["subscriptions"].as_array_mut().unwrap() {
        sub["permissions"] = json!([{ "actions": ["Microsoft.Security/*/read"], "notActions": [] }]);
    }
    let events = run(&client(graph_exhausted(&scenario), true), &subscriptions());
    assert_eq!(events.iter().filter(|e| matches!(e, LoadEvent::SubscriptionFailed { .. })).count(), 3);
    assert!(matches!(events.last(), Some(LoadEvent::Failed(why)) if why.status() == Some(403)), "{:?}", events.last());

    // A session that ended: ARM would refuse the same token, so no fallback.
    let ended = ArmClient::new(Ended, ARM);
    let events = RefCell::new(Vec::new());
    block_on(load(&ended, &subscriptions(), 8, |e| events.borrow_mut().push(e)));
    assert!(
        matches!(events.borrow().as_slice(), [LoadEvent::Failed(ArmFailure::SignInAgain(_))]),
        "{:?}",
        events.borrow()
    );
}

/// A transport whose session has ended.
struct Ended;

impl Transport for Ended {
    async fn send(&self, _: Request) -> Result<Response, TransportError> {
        Err(TransportError::SignInAgain("the refresh token was revoked".into()))
    }
    async fn sleep(&self, _: u64) {}
    fn now_ms(&self) -> u64 {
        NOW
    }
}

#[test]
fn no_subscriptions_means_no_query() {
    let client = client(FakeAzure::from_scenario_json(&tenant(1, 1).to_string(), open()).unwrap(), false);
    assert_eq!(run(&client, &[]), [LoadEvent::Done { source: Source::ResourceGraph }]);
    assert_eq!(sent(&client, |_| true), 0, "an empty list would ask ARG for every subscription");
}

// ---- the fake: a VM's instance view only when asked ------------------------------------------

#[test]
fn the_fake_shows_a_vms_instance_view_only_when_asked() {
    let mut azure =
        FakeAzure::from_scenario_json(&tenant(12, 0).to_string(), Options { page_size: 5, ..open() }).unwrap();
    let vm = format!(
        "/subscriptions/{}/resourceGroups/RG-Apps/providers/Microsoft.Compute/virtualMachines/vm-0003",
        SUBS[0]
    );
    let plain = body(&get(&mut azure, &url(&vm, api::COMPUTE)));
    assert!(plain["properties"].get("instanceView").is_none(), "{plain}");
    let expanded = body(&get(&mut azure, &format!("{}&$expand=instanceView", url(&vm, api::COMPUTE))));
    assert_eq!(expanded["properties"]["instanceView"]["statuses"][1]["code"], "PowerState/deallocated");
    let view = body(&get(&mut azure, &url(&format!("{vm}/instanceView"), api::COMPUTE)));
    assert_eq!(view["statuses"][1]["code"], "PowerState/deallocated");
    // A VM the scenario says nothing about runs.
    let running = format!(
        "/subscriptions/{}/resourceGroups/RG-Apps/providers/Microsoft.Compute/virtualMachines/vm-0001",
        SUBS[0]
    );
    let view = body(&get(&mut azure, &url(&format!("{running}/instanceView"), api::COMPUTE)));
    assert_eq!(view["statuses"][1]["code"], "PowerState/running");
    assert_eq!(view["extensions"][0]["statuses"][0]["message"], VM_FAILURE, "the extension's own report");

    // statusOnly=true lists carry it on every page: the nextLink keeps the option.
    let list = format!(
        "{}&statusOnly=true",
        url(&format!("/subscriptions/{}/providers/Microsoft.Compute/virtualMachines", SUBS[0]), api::COMPUTE)
    );
    let (vms, pages) = collect_pages(&mut azure, &list, None);
    assert_eq!((vms.len(), pages), (12, 3));
    assert!(vms.iter().all(|v| v["properties"]["instanceView"]["statuses"].is_array()));
    let (plain, _) = collect_pages(
        &mut azure,
        &url(&format!("/subscriptions/{}/providers/Microsoft.Compute/virtualMachines", SUBS[0]), api::COMPUTE),
        None,
    );
    assert!(plain.iter().all(|v| v["properties"].get("instanceView").is_none()));

    // A VM extension's instance view: only with $expand, on the list and on one extension.
    let ext = format!("{running}/extensions/MDE.Linux");
    assert!(body(&get(&mut azure, &url(&ext, api::COMPUTE)))["properties"].get("instanceView").is_none());
    let expanded = body(&get(&mut azure, &format!("{}&$expand=instanceView", url(&ext, api::COMPUTE))));
    assert_eq!(expanded["properties"]["instanceView"]["statuses"][0]["level"], "Error");
    let listed = body(&get(&mut azure, &url(&format!("{running}/extensions"), api::COMPUTE)));
    assert!(listed["value"][0]["properties"].get("instanceView").is_none());
    // Arc machines have no instance-view route.
    let arc = format!(
        "/subscriptions/{}/resourceGroups/rg/providers/Microsoft.HybridCompute/machines/srv/instanceView",
        SUBS[0]
    );
    assert_eq!(get(&mut azure, &url(&arc, api::HYBRID_COMPUTE)).status(), 404);
}

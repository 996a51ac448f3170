//! Actions on machines (`mde_core::deployment::actions`) against the fake, in process: the Linux
//! auto-update tag set and cleared on machines with 30 other tags, a Windows machine skipped,
//! the extension's removal followed through its long-running operation (to success, and to the
//! operation's failure), a throttled PATCH retried, and a hostile machine name addressed by an
//! encoded URL. The witness is what ARM answers, read back through the fake.

mod common;

use std::cell::RefCell;
use std::collections::BTreeMap;

use common::{owner, setting, InProcess, ARM, SUB};
use fake_azure::{FakeAzure, Faults, Options};
use futures::executor::block_on;
use mde_core::audit::{AuditEntry, Context};
use mde_core::client::ArmClient;
use mde_core::deployment::actions::run::{MachineChanges, MachineFinished, ReadBack};
use mde_core::deployment::actions::{self, MachineAction, SkipKind};
use mde_core::deployment::readiness::SubscriptionFacts;
use mde_core::deployment::{Machine, MachineKind, MachineState, MdeExtension, OsFamily};
use mde_core::lro::Limits;
use mde_core::run::{self, Control, Event, Failure, Kind, Record, Row};
use mde_core::status::{IntegrationParts, ServersPlan};
use mde_core::transport::{Request, Response, Transport, TransportError};
use serde_json::{json, Value};

/// A name ARM would not accept, which a scenario (or a future ARM) may still hold: quotes,
/// markup, a shell substitution. (A `/` cannot be in a name: it would split the id.)
const HOSTILE: &str = "web\"'<script>alert(1)<\\script>$(x)";
const FAILURE_CODE: &str = "VMExtensionProvisioningError";
const FAILURE_MESSAGE: &str =
    "VM has reported a failure when processing extension 'MDE.Linux'. Error message: \"Uninstall failed: mdatp is in use\".";

fn vm_id(name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/{name}")
}

fn arc_id(name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg-onprem/providers/Microsoft.HybridCompute/machines/{name}")
}

/// Thirty tags a machine already carries, none of them ours.
fn thirty_tags() -> BTreeMap<String, String> {
    (1..=30).map(|i| (format!("team-{i:02}"), format!("value {i}: <b>&'\""))).collect()
}

fn extension(machine_id: &str, name: &str) -> Value {
    json!({ "id": format!("{machine_id}/extensions/{name}"), "name": name,
            "properties": { "publisher": "Microsoft.Azure.AzureDefenderForServers", "type": name, "provisioningState": "Succeeded" } })
}

/// A machine as the deployment table has it, and the same machine as the fake's scenario holds it.
fn machine(kind: MachineKind, name: &str, os: OsFamily, tags: BTreeMap<String, String>) -> (Machine, Value) {
    let ext = if os == OsFamily::Windows { "MDE.Windows" } else { "MDE.Linux" };
    let (id, resource) = match kind {
        MachineKind::Vm => {
            let id = vm_id(name);
            let os_type = if os == OsFamily::Windows { "Windows" } else { "Linux" };
            let resource = json!({ "id": id, "name": name, "type": "Microsoft.Compute/virtualMachines", "location": "westeurope",
                                   "tags": tags, "properties": { "storageProfile": { "osDisk": { "osType": os_type } } } });
            (id, resource)
        }
        MachineKind::Arc => {
            let id = arc_id(name);
            let os_type = if os == OsFamily::Windows { "windows" } else { "linux" };
            let resource = json!({ "id": id, "name": name, "type": "Microsoft.HybridCompute/machines", "location": "eastus",
                                   "tags": tags, "properties": { "status": "Connected", "osType": os_type } });
            (id, resource)
        }
    };
    let scenario = json!({ "resource": resource, "extensions": [extension(&id, ext)] });
    let machine = Machine {
        id: id.clone(),
        name: name.into(),
        kind,
        os,
        os_detail: String::new(),
        state: if kind == MachineKind::Vm { MachineState::Running } else { MachineState::Connected },
        subscription_id: SUB.into(),
        resource_group: if kind == MachineKind::Vm { "rg-web" } else { "rg-onprem" }.into(),
        location: "westeurope".into(),
        extension: Some(MdeExtension { name: ext.into(), provisioning_state: "Succeeded".into(), message: None }),
        tags,
    };
    (machine, scenario)
}

struct Estate {
    linux_vm: Machine,
    linux_arc: Machine,
    windows_vm: Machine,
    hostile: Machine,
    removable: Machine,
    failing: Machine,
}

/// One subscription with the integration on: a Linux VM and a Linux Arc machine with 30 tags
/// each, a Windows VM, a Linux VM with a hostile name, and two Linux VMs to remove MDE from (the
/// second's removal fails once, as the scenario's `failedDeletions` says).
fn estate(options: Options) -> (Estate, InProcess) {
    let (linux_vm, a) = machine(MachineKind::Vm, "lin-vm-01", OsFamily::Linux, thirty_tags());
    let (linux_arc, b) = machine(MachineKind::Arc, "lin-arc-01", OsFamily::Linux, thirty_tags());
    let (windows_vm, c) = machine(MachineKind::Vm, "win-vm-01", OsFamily::Windows, thirty_tags());
    let (hostile, d) = machine(MachineKind::Vm, HOSTILE, OsFamily::Linux, BTreeMap::new());
    let (removable, e) = machine(MachineKind::Vm, "rm-ok-01", OsFamily::Linux, BTreeMap::new());
    let (failing, mut f) = machine(MachineKind::Vm, "rm-fail-01", OsFamily::Linux, BTreeMap::new());
    f["failedDeletions"] = json!([{ "code": FAILURE_CODE, "message": FAILURE_MESSAGE }]);
    let scenario = json!({
        "subscriptions": [{
            "subscription": { "subscriptionId": SUB, "displayName": "Prod", "state": "Enabled" },
            "settings": [ setting(SUB, "WDATP", true) ],
            "pricings": [ { "id": format!("/subscriptions/{SUB}/providers/Microsoft.Security/pricings/VirtualMachines"),
                            "name": "VirtualMachines", "properties": { "pricingTier": "Standard", "subPlan": "P2" } } ],
            "permissions": owner(),
            "virtualMachines": [a, c, d, e, f],
            "arcMachines": [b],
        }],
    });
    let azure = FakeAzure::from_scenario_json(&scenario.to_string(), options).unwrap();
    (Estate { linux_vm, linux_arc, windows_vm, hostile, removable, failing }, InProcess::new(azure))
}

fn open() -> Options {
    Options { require_auth: false, ..Options::default() }
}

fn integration_on(_: &str) -> Option<SubscriptionFacts> {
    Some(SubscriptionFacts {
        plan: Some(ServersPlan::P2),
        parts: Some(IntegrationParts { integration: true, linux: true, unified: true }),
    })
}

/// The fake behind the core, recording each answer as `METHOD path -> status [operation status]`.
#[derive(Clone)]
struct Recording {
    inner: InProcess,
    log: std::rc::Rc<RefCell<Vec<String>>>,
}

impl Transport for Recording {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        let line = format!("{} {}", request.method(), request.uri().path());
        let answer = self.inner.send(request).await?;
        let status = serde_json::from_slice::<Value>(answer.body())
            .ok()
            .and_then(|b| b["status"].as_str().map(|s| format!(" {s}")))
            .unwrap_or_default();
        self.log.borrow_mut().push(format!("{line} -> {}{status}", answer.status().as_u16()));
        Ok(answer)
    }
    async fn sleep(&self, ms: u64) {
        self.inner.sleep(ms).await
    }
    fn now_ms(&self) -> u64 {
        self.inner.now_ms()
    }
}

fn client(inner: &InProcess) -> (ArmClient<Recording>, std::rc::Rc<RefCell<Vec<String>>>) {
    let log = std::rc::Rc::default();
    (ArmClient::new(Recording { inner: inner.clone(), log: std::rc::Rc::clone(&log) }, ARM), log)
}

type MachineRecord = Record<MachineChanges>;

/// What the page reads of a row and a record.
trait Shown {
    fn label(&self) -> &'static str;
    fn failure(&self) -> Option<&Failure>;
    fn read_back(&self) -> Option<&ReadBack>;
}

impl Shown for Row<MachineFinished> {
    fn label(&self) -> &'static str {
        MachineRecord::label(self)
    }
    fn failure(&self) -> Option<&Failure> {
        self.finished().and_then(MachineChanges::failure)
    }
    fn read_back(&self) -> Option<&ReadBack> {
        self.finished().and_then(|f| f.read_back.as_ref())
    }
}

/// The audit entry of a machine's write, as the page logs it.
fn audit(record: &MachineRecord, machine_id: &str, at: &Context<'_>) -> Option<AuditEntry> {
    let item = record.item(machine_id)?;
    let finished = record.rows.iter().find(|r| r.target == machine_id)?.finished()?;
    MachineChanges::audited(item, finished).first().map(|a| a.entry(at))
}

/// Runs `work` of `record`'s plan and takes every event in; returns the events.
fn apply(
    client: &ArmClient<Recording>,
    record: &mut MachineRecord,
    work: Vec<run::Work<actions::MachineItem>>,
) -> Vec<Event<MachineFinished>> {
    let events = RefCell::new(Vec::new());
    let kind = MachineChanges { limits: Limits::default() };
    block_on(run::apply(&kind, client, &record.plan.clone(), work, 4, &Control::default(), |e| {
        events.borrow_mut().push(e)
    }));
    let events = events.into_inner();
    for event in &events {
        record.apply(event);
    }
    events
}

/// Plans `action` for `machines`, runs it, and returns the record with every event taken in.
fn run(client: &ArmClient<Recording>, action: MachineAction, machines: &[&Machine]) -> MachineRecord {
    let plan = actions::plan(action, machines, integration_on);
    let mut record = MachineRecord::new(plan);
    let work = record.work();
    let events = apply(client, &mut record, work);
    let started = events.iter().filter(|e| matches!(e, Event::Started(_))).count();
    let finished = events.iter().filter(|e| matches!(e, Event::Finished(..))).count();
    assert_eq!((started, finished), (record.plan.changing().count(), record.plan.changing().count()));
    record
}

fn row<'r>(record: &'r MachineRecord, machine: &Machine) -> &'r Row<MachineFinished> {
    record.rows.iter().find(|r| r.target == machine.id).unwrap()
}

fn tags_now(client: &ArmClient<Recording>, machine: &Machine) -> BTreeMap<String, String> {
    let answer: Value = block_on(client.get(&actions::tags_path(&machine.id))).unwrap();
    serde_json::from_value(answer["properties"]["tags"].clone()).unwrap()
}

fn at() -> Context<'static> {
    Context {
        time: "2024-06-01T00:00:00Z",
        tenant_id: "t1",
        user: "avery@contoso.example",
        subscription_name: "Prod",
        arm_url: ARM,
    }
}

#[test]
fn the_tag_is_set_and_cleared_on_linux_machines_keeping_their_30_other_tags() {
    let (estate, fake) = estate(open());
    let (client, log) = client(&fake);
    let machines = [&estate.linux_vm, &estate.linux_arc, &estate.windows_vm];

    let record = run(&client, MachineAction::ExcludeAutoUpdate, &machines);
    assert_eq!(record.progress().summary(), "2 done, 1 skipped");
    for machine in [&estate.linux_vm, &estate.linux_arc] {
        let row = row(&record, machine);
        assert_eq!(row.label(), "Done", "{:?}", row.state);
        let ReadBack::Tags(read_back) = row.read_back().unwrap() else { panic!("{:?}", row.state) };
        assert_eq!(read_back.get("ExcludeMdeAutoUpdate").map(String::as_str), Some("true"));
        assert_eq!(read_back.len(), 31, "30 tags kept, 1 added");
        // ARM itself, read apart from the run: every other tag as it was.
        let now = tags_now(&client, machine);
        assert!(thirty_tags().iter().all(|(k, v)| now.get(k) == Some(v)), "{now:?}");
        let entry = audit(&record, &machine.id, &at()).unwrap();
        assert_eq!((entry.before, entry.requested, entry.after, entry.status), (Some(false), true, Some(true), 200));
        assert!(entry
            .request
            .starts_with(&format!("PATCH {ARM}{}/providers/Microsoft.Resources/tags/default", machine.id)));
        assert!(entry.setting.starts_with("ExcludeMdeAutoUpdate tag on /subscriptions/"), "{}", entry.setting);
    }
    let skipped = row(&record, &estate.windows_vm);
    let skip = record.plan.items.iter().find(|i| i.machine_id == estate.windows_vm.id).unwrap().skip.clone().unwrap();
    assert_eq!((skipped.label(), skip.kind), ("Skipped", SkipKind::NotLinux));
    assert!(skip.reason.contains("read by the MDE.Linux extension only"), "{}", skip.reason);
    assert!(audit(&record, &estate.windows_vm.id, &at()).is_none());
    assert!(!log.borrow().iter().any(|l| l.contains("win-vm-01")), "nothing is sent for a skipped machine");

    // Clear it again (the machines now carry the tag, as the table would show after a refresh).
    let tagged = |m: &Machine| {
        let mut m = m.clone();
        m.tags.insert("ExcludeMdeAutoUpdate".into(), "true".into());
        m
    };
    let (vm, arc) = (tagged(&estate.linux_vm), tagged(&estate.linux_arc));
    let record = run(&client, MachineAction::IncludeAutoUpdate, &[&vm, &arc]);
    assert_eq!(record.progress().summary(), "2 done");
    for machine in [&vm, &arc] {
        assert_eq!(tags_now(&client, machine), thirty_tags(), "the tag gone, the 30 others kept");
        let entry = audit(&record, &machine.id, &at()).unwrap();
        assert_eq!((entry.before, entry.requested, entry.after), (Some(true), false, Some(false)));
    }
}

#[test]
fn a_throttled_patch_is_retried_by_the_client() {
    let (estate, fake) = estate(open());
    // One request to the subscription passes (the read before the write); the next, the PATCH,
    // is answered 429 with Retry-After: 2.
    fake.azure.borrow_mut().set_faults(Faults { after_429: Some(1), retry_after_s: 2, ..Faults::default() });
    let (client, log) = client(&fake);
    let record = run(&client, MachineAction::ExcludeAutoUpdate, &[&estate.linux_vm]);
    assert_eq!(record.progress().summary(), "1 done");
    let patches: Vec<String> = log.borrow().iter().filter(|l| l.starts_with("PATCH")).cloned().collect();
    assert_eq!(patches.len(), 2, "{patches:?}");
    assert!(patches[0].ends_with("-> 429") && patches[1].ends_with("-> 200"), "{patches:?}");
    assert!(fake.azure.borrow().injected().throttled >= 1);
    assert_eq!(audit(&record, &estate.linux_vm.id, &at()).unwrap().status, 200);
}

#[test]
fn removal_follows_the_operation_to_its_end_and_reads_back_404() {
    let (estate, fake) = estate(open());
    let (client, log) = client(&fake);
    let record = run(&client, MachineAction::RemoveExtension, &[&estate.removable]);
    // The integration is on: the plan warned, with the seed's steps.
    assert_eq!(record.plan.subscriptions_to_turn_off(), [SUB]);
    assert!(record.plan.steps[2].link.as_deref().unwrap().contains("offboard-machines"));

    let row = row(&record, &estate.removable);
    assert_eq!(row.label(), "Done", "{:?}", row.state);
    assert_eq!(row.read_back(), Some(&ReadBack::Extension(None)));
    assert_eq!(row.finished().unwrap().operation.as_deref(), Some("Succeeded"));
    let log = log.borrow();
    let ext = format!("{}/extensions/MDE.Linux", estate.removable.id);
    let delete = log.iter().position(|l| *l == format!("DELETE {ext} -> 202")).expect("the DELETE, answered 202");
    let polls: Vec<&str> =
        log[delete + 1..].iter().filter(|l| l.contains("/operations/")).map(|l| l.as_str()).collect();
    assert!(polls.len() >= 2, "{log:?}");
    assert!(polls[0].ends_with("-> 200 InProgress"), "{polls:?}");
    assert!(polls.last().unwrap().ends_with("-> 200 Succeeded"), "{polls:?}");
    assert_eq!(log.last().unwrap(), &format!("GET {ext} -> 404"));
    let entry = audit(&record, &estate.removable.id, &at()).unwrap();
    assert_eq!((entry.before, entry.requested, entry.after, entry.status), (Some(true), false, Some(false), 202));
    assert!(entry.request.starts_with(&format!("DELETE {ARM}{ext}?api-version=")));
}

#[test]
fn a_failed_removal_shows_the_operations_error_and_the_state_read_back_then_retry_succeeds() {
    let (estate, fake) = estate(open());
    let (client, _) = client(&fake);
    let mut record = run(&client, MachineAction::RemoveExtension, &[&estate.failing]);
    let failed = row(&record, &estate.failing);
    assert_eq!(failed.label(), "Failed");
    let failure = failed.failure().unwrap();
    assert_eq!((failure.code.as_str(), failure.message.as_str()), (FAILURE_CODE, FAILURE_MESSAGE));
    assert!(failure.advice.contains("the extension stays"), "{}", failure.advice);
    assert_eq!(failed.read_back(), Some(&ReadBack::Extension(Some("Failed".into()))));
    assert_eq!(failed.finished().unwrap().operation.as_deref(), Some("Failed"));
    let entry = audit(&record, &estate.failing.id, &at()).unwrap();
    assert_eq!((entry.status, entry.error_code.as_str(), entry.after), (202, FAILURE_CODE, Some(true)));
    assert!(record.to_csv().contains(FAILURE_CODE));

    // Retry all failed: the scenario failed it once, so the second removal goes through.
    let failed = record.failed();
    let again = record.requeue(&failed);
    assert_eq!(again.len(), 1);
    apply(&client, &mut record, again);
    assert_eq!(record.progress().summary(), "1 done");
    assert_eq!(row(&record, &estate.failing).read_back(), Some(&ReadBack::Extension(None)));
}

#[test]
fn a_hostile_machine_name_is_addressed_by_an_encoded_url() {
    let (estate, fake) = estate(open());
    let (client, log) = client(&fake);
    let record = run(&client, MachineAction::ExcludeAutoUpdate, &[&estate.hostile]);
    assert_eq!(record.progress().summary(), "1 done");
    let encoded = "web%22%27%3Cscript%3Ealert%281%29%3C%5Cscript%3E%24%28x%29";
    let patch = log.borrow().iter().find(|l| l.starts_with("PATCH")).cloned().unwrap();
    assert_eq!(
        patch,
        format!("PATCH /subscriptions/{SUB}/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/{encoded}/providers/Microsoft.Resources/tags/default -> 200")
    );
    // ARM (the fake) found that very machine by its decoded name and tagged it.
    assert_eq!(tags_now(&client, &estate.hostile).get("ExcludeMdeAutoUpdate").map(String::as_str), Some("true"));
}

#[test]
fn the_fake_fails_a_deletion_as_its_scenario_says_then_lets_the_next_one_through() {
    let (estate, fake) = estate(Options { lro_ms: 1000, ..open() });
    let mut azure = fake.azure.borrow_mut();
    let ext = format!("{ARM}{}/extensions/MDE.Linux?api-version=2024-07-01", estate.failing.id);
    let started = common::send(&mut azure, "DELETE", &ext, None, None);
    assert_eq!(started.status(), 202);
    let status_url = common::header(&started, "azure-asyncoperation").unwrap().to_string();
    let location = common::header(&started, "location").unwrap().to_string();
    let later = |azure: &mut FakeAzure, url: &str| {
        azure.handle(common::request("GET", url, None, None), common::NOW + 1500).response.unwrap()
    };
    let status = common::body(&later(&mut azure, &status_url));
    assert_eq!(status["status"], "Failed");
    assert_eq!(status["error"], json!({ "code": FAILURE_CODE, "message": FAILURE_MESSAGE }));
    // Location answers what a synchronous DELETE would have: ARM's error.
    let result = later(&mut azure, &location);
    assert_eq!((result.status().as_u16(), common::error_code(&result)), (409, FAILURE_CODE.to_string()));
    // The extension stays, Failed.
    assert_eq!(common::body(&later(&mut azure, &ext))["properties"]["provisioningState"], "Failed");
    // The scenario listed one failure: the next deletion succeeds.
    let again = azure.handle(common::request("DELETE", &ext, None, None), common::NOW + 2000).response.unwrap();
    let status_url = common::header(&again, "azure-asyncoperation").unwrap().to_string();
    let done = azure.handle(common::request("GET", &status_url, None, None), common::NOW + 3500).response.unwrap();
    assert_eq!(common::body(&done)["status"], "Succeeded");
}

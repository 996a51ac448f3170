//! Retries against the fake, through the core's client and its Run Command: a request is sent
//! again only when repeating it cannot change the outcome. Reads, idempotent writes and Resource
//! Graph's query are retried after a dropped request, a 5xx or a 429; a Run Command is sent
//! again only when ARM refused it (429, the transient 409), and when its answer is lost or is a
//! 5xx it is reported as one that may have run (the fake counts what each machine ran); a 409
//! whose code the app does not know is shown as ARM said it, after one request.

// The core's failure is large; a test returning it costs nothing.
#![allow(clippy::result_large_err)]

mod common;

use std::cell::RefCell;
use std::collections::VecDeque;

use common::*;
use fake_azure::{FakeAzure, Faults};
use futures::executor::block_on;
use mde_core::api;
use mde_core::arm::graph::{PlanRow, PLANS_QUERY};
use mde_core::arm::machines::OsFamily;
use mde_core::client::ArmClient;
use mde_core::deployment::{Machine, MachineKind, MachineState};
use mde_core::error::{ArmFailure, Remedy, MAY_HAVE_RUN};
use mde_core::transport::{Request, Response, Transport, TransportError};
use mde_core::verify::commands::{CommandFinished, RunCommands};
use mde_core::verify::run_command::{self, arc_name, Command, Purpose, RunOutput};
use serde_json::{json, Value};

/// The fake in process, with the faults of each request in turn (`stages`, then `then`), and a
/// log of `METHOD /path -> status` ("no answer" when the connection closed).
struct Staged {
    inner: InProcess,
    stages: RefCell<VecDeque<Faults>>,
    then: Faults,
    log: RefCell<Vec<String>>,
}

impl Transport for Staged {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        let faults = self.stages.borrow_mut().pop_front().unwrap_or_else(|| self.then.clone());
        self.inner.azure.borrow_mut().set_faults(faults);
        let line = format!("{} {}", request.method(), request.uri().path());
        let answer = self.inner.send(request).await;
        let status = answer.as_ref().map_or_else(|_| "no answer".to_string(), |r| r.status().as_u16().to_string());
        self.log.borrow_mut().push(format!("{line} -> {status}"));
        answer
    }

    async fn sleep(&self, ms: u64) {
        self.inner.sleep(ms).await
    }

    fn now_ms(&self) -> u64 {
        self.inner.now_ms()
    }
}

const WEB_01: &str = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-01";
const SQL_01: &str = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-data/providers/Microsoft.Compute/virtualMachines/sql-01";
const SRV_01: &str = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-onprem/providers/Microsoft.HybridCompute/machines/srv-01";

/// The common tenant, where `sql-01` is deallocated and the subscription's next
/// `conflicting_writes` writes meet another writer (409 "Another update operation is in progress").
fn scenario(conflicting_writes: u64) -> FakeAzure {
    let mut tenant = tenant();
    let sub = &mut tenant["subscriptions"][0];
    sub["virtualMachines"][2]["resource"]["properties"]["instanceView"] =
        json!({ "statuses": [{ "code": "PowerState/deallocated", "level": "Info" }] });
    sub["conflictingWrites"] = json!(conflicting_writes);
    FakeAzure::from_scenario_json(&tenant.to_string(), open()).unwrap()
}

fn client_of(azure: FakeAzure, stages: Vec<Faults>, then: Faults) -> ArmClient<Staged> {
    let staged =
        Staged { inner: InProcess::new(azure), stages: RefCell::new(stages.into()), then, log: RefCell::default() };
    ArmClient::new(staged, ARM)
}

fn log(client: &ArmClient<Staged>) -> Vec<String> {
    client.transport().log.borrow().clone()
}

fn commands_run(client: &ArmClient<Staged>, machine_id: &str) -> u64 {
    client.transport().inner.azure.borrow().commands_run(machine_id)
}

fn machine(id: &str, kind: MachineKind, os: OsFamily) -> Machine {
    Machine {
        id: id.into(),
        name: id.rsplit('/').next().unwrap().into(),
        kind,
        os,
        os_detail: String::new(),
        state: if kind == MachineKind::Vm { MachineState::Running } else { MachineState::Connected },
        subscription_id: SUB.into(),
        resource_group: id.split('/').nth(4).unwrap().into(),
        location: "westeurope".into(),
        extension: None,
        tags: Default::default(),
    }
}

/// Sends the test alert's command to `machine` through the core's Run Command and waits for
/// its end.
fn test_alert(client: &ArmClient<Staged>, machine: &Machine) -> Result<RunOutput, ArmFailure> {
    let command = Command::new(machine, Purpose::TestAlert).unwrap();
    let name = arc_name(Purpose::TestAlert, client.transport().now_ms());
    block_on(run_command::run(client, &command, &name, &run_command::limits()))
}

fn web_01() -> Machine {
    machine(WEB_01, MachineKind::Vm, OsFamily::Linux)
}

fn wdatp() -> String {
    api::setting(SUB, "WDATP")
}

fn posts(log: &[String]) -> Vec<&String> {
    log.iter().filter(|l| l.starts_with("POST ")).collect()
}

#[test]
fn a_read_is_retried_after_a_5xx_a_drop_and_a_429_as_long_as_asked() {
    let stages = vec![
        Faults { rate_5xx: 1.0, retry_after_s: 7, ..Faults::default() },
        Faults { drop_rate: 1.0, ..Faults::default() },
        Faults { rate_429: 1.0, retry_after_s: 4, ..Faults::default() },
    ];
    let client = client_of(scenario(0), stages, Faults::default());
    let started = client.transport().now_ms();
    let setting: Value = block_on(client.get(&wdatp())).unwrap();
    assert_eq!(setting["properties"]["enabled"], true);
    let path = wdatp().split('?').next().unwrap().to_string();
    assert_eq!(
        log(&client),
        [
            format!("GET {path} -> 503"),
            format!("GET {path} -> no answer"),
            format!("GET {path} -> 429"),
            format!("GET {path} -> 200")
        ]
    );
    // The 503's and the 429's Retry-After (7 s, 4 s), and a backoff of 1 to 1.5 s for the drop (the second attempt).
    let waited = client.transport().now_ms() - started;
    assert!((12_000..=12_500).contains(&waited), "waited {waited} ms");
}

#[test]
fn a_put_is_retried_after_a_drop_and_after_its_answer_was_lost() {
    let stages =
        vec![Faults { drop_rate: 1.0, ..Faults::default() }, Faults { lost_answer_rate: 1.0, ..Faults::default() }];
    let client = client_of(scenario(0), stages, Faults::default());
    let body = json!({ "kind": "DataExportSettings", "properties": { "enabled": false } });
    let written = block_on(client.write(http::Method::PUT, &wdatp(), &body)).unwrap();
    assert_eq!(written.status, 200);
    let answers: Vec<String> = log(&client).iter().map(|l| l.rsplit(" -> ").next().unwrap().to_string()).collect();
    assert_eq!(answers, ["no answer", "no answer", "200"]);
    let setting: Value = block_on(client.get(&wdatp())).unwrap();
    assert_eq!(setting["properties"]["enabled"], false, "written once or twice, the same setting");
}

#[test]
fn a_run_command_whose_answer_is_lost_is_not_sent_again_and_may_have_run() {
    let client = client_of(scenario(0), vec![], Faults { lose_run_answers: 1, retry_after_s: 1, ..Faults::default() });
    let result = test_alert(&client, &web_01());
    assert_eq!(commands_run(&client, WEB_01), 1, "the fake ran it once: {:?}", log(&client));
    let failure = result.unwrap_err();
    assert!(failure.may_have_run(), "{failure}");
    assert_eq!((failure.code(), failure.remedy()), (MAY_HAVE_RUN, Remedy::ReadRunState));
    assert!(failure.advice().contains("may have run"), "{}", failure.advice());
    assert_eq!(log(&client), [format!("POST {WEB_01}/runCommand -> no answer")]);
    assert_eq!(client.transport().inner.azure.borrow().injected().lost_answers, 1);
}

#[test]
fn a_run_command_answered_504_after_it_ran_is_not_sent_again_and_may_have_run() {
    let client = client_of(scenario(0), vec![], Faults { fail_run_answers: 1, ..Faults::default() });
    let result = test_alert(&client, &web_01());
    assert_eq!(commands_run(&client, WEB_01), 1, "the fake ran it once: {:?}", log(&client));
    let failure = result.unwrap_err();
    assert!(failure.may_have_run(), "{failure}");
    assert_eq!((failure.status(), failure.code()), (Some(504), MAY_HAVE_RUN));
    assert!(failure.to_string().contains("GatewayTimeout"), "{failure}");
    assert_eq!(log(&client), [format!("POST {WEB_01}/runCommand -> 504")]);
}

#[test]
fn an_arc_run_command_whose_answer_is_lost_is_not_put_again() {
    let client = client_of(scenario(0), vec![], Faults { lose_run_answers: 1, ..Faults::default() });
    let result = test_alert(&client, &machine(SRV_01, MachineKind::Arc, OsFamily::Windows));
    let log = log(&client);
    assert_eq!(commands_run(&client, SRV_01), 1, "the fake ran it once: {log:?}");
    assert!(result.unwrap_err().may_have_run());
    assert_eq!(log.len(), 1, "{log:?}");
    assert!(log[0].starts_with(&format!("PUT {SRV_01}/runCommands/mde-console-test-alert-")), "{log:?}");
}

#[test]
fn a_run_command_that_ran_but_cannot_be_followed_may_have_run() {
    // The POST is answered; every later request (the polls) is dropped.
    let stages = vec![Faults::default()];
    let client = client_of(scenario(0), stages, Faults { drop_rate: 1.0, ..Faults::default() });
    let failure = test_alert(&client, &web_01()).unwrap_err();
    assert!(failure.may_have_run(), "{failure}");
    let log = log(&client);
    assert_eq!(log[0], format!("POST {WEB_01}/runCommand -> 202"));
    assert!(log[1..].iter().all(|l| l.starts_with("GET ") && l.ends_with("no answer")), "{log:?}");
    assert_eq!(commands_run(&client, WEB_01), 1);
}

#[test]
fn a_run_command_refused_by_a_429_or_another_writer_is_sent_again_and_runs_once() {
    let stages = vec![Faults { rate_429: 1.0, retry_after_s: 2, ..Faults::default() }];
    let client = client_of(scenario(1), stages, Faults::default());
    let out = test_alert(&client, &web_01()).unwrap();
    assert!(out.succeeded, "{out:?}");
    assert_eq!(
        posts(&log(&client)),
        [
            &format!("POST {WEB_01}/runCommand -> 429"),
            &format!("POST {WEB_01}/runCommand -> 409"),
            &format!("POST {WEB_01}/runCommand -> 202"),
        ]
    );
    assert_eq!(commands_run(&client, WEB_01), 1);
}

#[test]
fn a_resource_graph_query_is_retried_after_a_5xx() {
    let stages = vec![Faults { rate_5xx: 1.0, ..Faults::default() }, Faults { drop_rate: 1.0, ..Faults::default() }];
    let client = client_of(scenario(0), stages, Faults::default());
    let rows: Vec<PlanRow> = block_on(client.query(PLANS_QUERY, &[SUB.to_string()])).unwrap();
    assert_eq!(rows.len(), 1, "the subscription's plan");
    let log = log(&client);
    assert_eq!(log.len(), 3, "{log:?}");
    assert!(log.iter().all(|l| l.starts_with("POST /providers/Microsoft.ResourceGraph/resources")), "{log:?}");
    assert!(log[2].ends_with("200"), "{log:?}");
}

#[test]
fn a_conflict_the_app_does_not_know_is_sent_once_and_shown_as_arm_said_it() {
    // A deallocated VM: Compute's 409 OperationNotAllowed.
    let client = client_of(scenario(0), vec![], Faults::default());
    let failure = test_alert(&client, &machine(SQL_01, MachineKind::Vm, OsFamily::Windows)).unwrap_err();
    assert_eq!(
        failure.to_string(),
        "HTTP 409 OperationNotAllowed: The operation requires the VM to be running (or set to run)."
    );
    assert_eq!((failure.remedy(), failure.may_have_run()), (Remedy::Report, false));
    assert!(failure.advice().contains("(OperationNotAllowed)"), "{}", failure.advice());
    assert_eq!(log(&client), [format!("POST {SQL_01}/runCommand -> 409")]);
    assert_eq!(commands_run(&client, SQL_01), 0);

    // A VM busy with another command: ARM's `Conflict`, but not "another update in progress".
    let client = client_of(scenario(0), vec![], Faults::default());
    let command = Command::new(&web_01(), Purpose::SensorCheck).unwrap();
    let body = json!({ "commandId": command.command_id(), "script": command.lines });
    let path = run_command::vm_path(WEB_01);
    let url = client.url(&path);
    let first = block_on(client.send_as(
        mde_core::client::Effect::SideEffects,
        http::Method::POST,
        url,
        Some(body.to_string().into_bytes()),
    ));
    assert_eq!(first.unwrap().status(), 202);
    let busy = test_alert(&client, &web_01()).unwrap_err();
    assert_eq!((busy.code(), busy.remedy()), ("Conflict", Remedy::Report));
    assert!(busy.to_string().contains("Run command extension execution is in progress."), "{busy}");
    assert_eq!(posts(&log(&client)).len(), 2, "the busy answer was not retried");
    assert_eq!(commands_run(&client, WEB_01), 1, "the test alert did not run");
}

#[test]
fn a_write_meeting_another_writer_is_retried() {
    let client = client_of(scenario(2), vec![], Faults::default());
    let body = json!({ "kind": "DataExportSettings", "properties": { "enabled": false } });
    block_on(client.write(http::Method::PUT, &wdatp(), &body)).unwrap();
    let answers: Vec<String> = log(&client).iter().map(|l| l.rsplit(" -> ").next().unwrap().to_string()).collect();
    assert_eq!(answers, ["409", "409", "200"]);
    assert_eq!(client.transport().inner.azure.borrow().injected().conflicts, 2);
}

/// The Run Command kind of the run pipeline: the first send loses its answer (may have run);
/// Retry reads the machine's run state and takes the result from there, never sending again.
fn retry_reads_the_run_state(machine: &Machine) -> (CommandFinished, CommandFinished, Vec<String>, u64) {
    use mde_core::run::{self, Control, Record};
    let client = client_of(scenario(0), vec![], Faults { lose_run_answers: 1, ..Faults::default() });
    let command = Command::new(machine, Purpose::TestAlert).unwrap().confirmed(client.transport().now_ms());
    let kind = RunCommands { limits: run_command::limits() };
    let plan = vec![command];
    let mut record = Record::<RunCommands>::new(plan.clone());
    let send = |record: &mut Record<RunCommands>, work| {
        block_on(run::apply(&kind, &client, &plan, work, 1, &Control::default(), |e| {
            record.apply(&e);
        }));
        record.rows[0].finished().cloned().unwrap()
    };
    let work = record.work();
    let first = send(&mut record, work);
    let failed = record.failed();
    let again = record.requeue(&failed);
    let retried = send(&mut record, again);
    (first, retried, log(&client), commands_run(&client, &machine.id))
}

#[test]
fn a_retried_run_command_that_may_have_run_reads_its_run_state_and_is_not_sent_again() {
    for machine in [web_01(), machine(SRV_01, MachineKind::Arc, OsFamily::Windows)] {
        let (first, retried, log, ran) = retry_reads_the_run_state(&machine);
        assert!(first.may_have_run(), "{first:?}");
        assert_eq!(ran, 1, "{} ran once: {log:?}", machine.name);
        assert_eq!(retried.sent, None, "not sent again: {log:?}");
        let output = retried.output.expect("the result read from the run state");
        assert!(output.succeeded && retried.failure.is_none(), "{output:?}");
        let reads = log.iter().filter(|l| l.starts_with("GET ")).count();
        assert!(reads >= 1, "the run state was read: {log:?}");
    }
}

#[test]
fn a_retried_run_command_that_did_not_run_is_sent_again_once() {
    use mde_core::run::{self, Control, Record};
    // ARM refused it after its own retries (another writer each time): nothing ran.
    let client = client_of(scenario(0), vec![], Faults::default());
    let vm = web_01();
    let command = Command::new(&vm, Purpose::SensorCheck).unwrap().confirmed(client.transport().now_ms());
    // Asked again with nothing run: the instance view has no run since, so it is sent once.
    let kind = RunCommands { limits: run_command::limits() };
    let plan = vec![command];
    let mut record = Record::<RunCommands>::new(plan.clone());
    let again = record.requeue(&[WEB_01.to_string()]);
    block_on(run::apply(&kind, &client, &plan, again, 1, &Control::default(), |e| {
        record.apply(&e);
    }));
    let finished = record.rows[0].finished().unwrap();
    assert!(finished.sent.is_some() && finished.failure.is_none(), "{finished:?}");
    assert_eq!(commands_run(&client, WEB_01), 1);
    assert_eq!(posts(&log(&client)).len(), 1);
}

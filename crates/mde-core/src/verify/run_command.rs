//! Sending a script to a machine through Run Command and reading what it printed.
//!
//! VMs: `POST .../runCommand`, a long-running operation followed with [`crate::lro`]; its
//! result (the statuses with StdOut and StdErr) is then read from the operation's `Location`,
//! or from the status JSON's `properties.output`. Arc machines: a `runCommands` child resource
//! is PUT, then read until its `instanceView.executionState` ends.

use http::{Method, StatusCode};
use serde::Deserialize;

use super::test_alert;
use crate::api::{self, ResourceId};
use crate::arm::machines::OsFamily;
use crate::arm::run_command::{
    ArcRunCommand, ArcRunCommandProperties, ArcRunCommandSource, VmRunCommandInput, VmRunCommandResult,
};
use crate::client::{ArmClient, Effect};
use crate::deployment::{Machine, MachineKind};
use crate::error::ArmFailure;
use crate::lro::{self, Limits, Outcome, AZURE_ASYNC_OPERATION};
use crate::transport::{Response, Transport};

/// Why a script is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Purpose {
    TestAlert,
    SensorCheck,
}

impl Purpose {
    pub fn label(self) -> &'static str {
        match self {
            Purpose::TestAlert => "test alert",
            Purpose::SensorCheck => "sensor check",
        }
    }
}

/// One script for one machine: what the confirmation shows and what is sent.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Command {
    pub machine_id: String,
    pub machine_name: String,
    pub subscription_id: String,
    pub kind: MachineKind,
    pub os: OsFamily,
    pub location: String,
    pub purpose: Purpose,
    pub lines: Vec<String>,
    /// When it was confirmed (ms since the epoch), and the name it is sent under (an Arc
    /// child's): a Retry reads whether this very command ran.
    #[serde(default)]
    pub at_ms: u64,
    #[serde(default)]
    pub name: String,
}

impl Command {
    /// The script of `purpose` for `machine`; `None` when its OS is unknown.
    pub fn new(machine: &Machine, purpose: Purpose) -> Option<Command> {
        let lines = match purpose {
            Purpose::TestAlert => test_alert::script(machine.os)?,
            Purpose::SensorCheck => super::sensor::script(machine.os)?,
        };
        Some(Command {
            machine_id: machine.id.clone(),
            machine_name: machine.name.clone(),
            subscription_id: machine.subscription_id.clone(),
            kind: machine.kind,
            os: machine.os,
            location: machine.location.clone(),
            purpose,
            lines,
            at_ms: 0,
            name: String::new(),
        })
    }

    /// The command as confirmed at `now_ms`: its name and time are fixed from here on.
    pub fn confirmed(mut self, now_ms: u64) -> Command {
        self.at_ms = now_ms;
        self.name = arc_name(self.purpose, now_ms);
        self
    }

    /// The script as the machine gets it.
    pub fn script(&self) -> String {
        self.lines.join("\n")
    }

    /// `RunPowerShellScript` or `RunShellScript`.
    pub fn command_id(&self) -> &'static str {
        match self.os {
            OsFamily::Windows => "RunPowerShellScript",
            _ => "RunShellScript",
        }
    }

    /// The ARM path the command is sent to. Arc: `name` names the child resource.
    pub fn path(&self, name: &str) -> String {
        match self.kind {
            MachineKind::Vm => vm_path(&self.machine_id),
            MachineKind::Arc => arc_path(&self.machine_id, name),
        }
    }

    pub fn method(&self) -> Method {
        match self.kind {
            MachineKind::Vm => Method::POST,
            MachineKind::Arc => Method::PUT,
        }
    }
}

/// `POST {vm}/runCommand`.
pub fn vm_path(vm_id: &str) -> String {
    api::vm_run_command(&ResourceId::of(vm_id))
}

/// `PUT|GET {machine}/runCommands/{name}`.
pub fn arc_path(machine_id: &str, name: &str) -> String {
    api::arc_run_command(&ResourceId::of(machine_id), name)
}

/// An Arc run command's name: its purpose and when it was sent (a new child each time, so
/// an earlier one's result is never read for this one).
pub fn arc_name(purpose: Purpose, now_ms: u64) -> String {
    let what = match purpose {
        Purpose::TestAlert => "test-alert",
        Purpose::SensorCheck => "sensor-check",
    };
    format!("mde-console-{what}-{now_ms}")
}

/// What came back once the command ended.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct RunOutput {
    /// Azure reports the script ran to its end (and, on Arc, exited 0).
    pub succeeded: bool,
    pub stdout: String,
    pub stderr: String,
    pub exit_code: Option<i64>,
    /// Why it failed, in Azure's words, when it did.
    pub message: String,
}

/// How long to wait for a command: Azure ends a VM's after 90 minutes.
pub fn limits() -> Limits {
    Limits { time_limit_ms: 90 * 60_000, first_wait_ms: 2_000, max_wait_ms: 15_000 }
}

/// Sends `command` (Arc: as the child `name`) and waits for its end. `Err`: ARM refused it
/// (a 409 when one is already running, a 403 without the role), or it may have run though the
/// app does not know its end ([`ArmFailure::MayHaveRun`]: no answer or a 5xx to the request,
/// or a failure to follow it once accepted); it is never sent twice.
pub async fn run<T: Transport>(
    client: &ArmClient<T>,
    command: &Command,
    name: &str,
    limits: &Limits,
) -> Result<RunOutput, ArmFailure> {
    match command.kind {
        MachineKind::Vm => run_on_vm(client, command, limits).await,
        MachineKind::Arc => run_on_arc(client, command, name, limits).await,
    }
}

async fn run_on_vm<T: Transport>(
    client: &ArmClient<T>,
    command: &Command,
    limits: &Limits,
) -> Result<RunOutput, ArmFailure> {
    let body = VmRunCommandInput { command_id: command.command_id().into(), script: command.lines.clone() };
    let body = serde_json::to_vec(&body).map_err(|e| ArmFailure::Unreadable(e.to_string()))?;
    let url = client.url(&vm_path(&command.machine_id));
    let accepted = client.send_as(Effect::SideEffects, Method::POST, url, Some(body)).await?;
    // Accepted: from here on, a failure to follow it leaves a command that runs.
    follow_vm(client, command, accepted, limits).await.map_err(ArmFailure::may_have_run_after)
}

async fn follow_vm<T: Transport>(
    client: &ArmClient<T>,
    command: &Command,
    accepted: Response,
    limits: &Limits,
) -> Result<RunOutput, ArmFailure> {
    if accepted.status() != StatusCode::ACCEPTED {
        return Ok(vm_output(&parse::<VmRunCommandResult>(&accepted)?));
    }
    let location = header(&accepted, &http::header::LOCATION);
    let status_url = header(&accepted, &AZURE_ASYNC_OPERATION);
    if location.is_none() && status_url.is_none() {
        // Without them the result cannot be found: the VM itself never says.
        return Err(ArmFailure::Unreadable(
            "ARM accepted the command but the browser could not read where its result is (Location)".into(),
        ));
    }
    let vm = api::machine(&ResourceId::of(&command.machine_id));
    let followed = lro::follow_delete(client, &accepted, &vm, limits).await?;
    match followed.outcome {
        Outcome::Succeeded => {}
        Outcome::Failed { status, error } => {
            let message = error.map_or(status, |e| format!("{}: {}", e.code, e.message));
            return Ok(RunOutput { message, ..Default::default() });
        }
        Outcome::TimedOut { waited_ms } => {
            let message = format!("Still running after {} minutes; Azure stops it at 90.", waited_ms / 60_000);
            return Ok(RunOutput { message, ..Default::default() });
        }
    }
    if let Some(url) = location {
        let answer = client.send(Method::GET, client.same_host(absolute(client, url))?, None).await?;
        return Ok(vm_output(&parse::<VmRunCommandResult>(&answer)?));
    }
    /// The status JSON of a finished Run Command carries its result.
    #[derive(Deserialize)]
    struct Status {
        #[serde(default)]
        properties: Option<StatusProperties>,
    }
    #[derive(Deserialize)]
    struct StatusProperties {
        #[serde(default)]
        output: Option<VmRunCommandResult>,
    }
    let url = status_url.unwrap_or_default();
    let answer = client.send(Method::GET, client.same_host(absolute(client, url))?, None).await?;
    let status: Status = parse(&answer)?;
    Ok(vm_output(&status.properties.and_then(|p| p.output).unwrap_or_default()))
}

fn absolute<T: Transport>(client: &ArmClient<T>, url: &str) -> String {
    if url.starts_with('/') {
        client.url(url)
    } else {
        url.to_string()
    }
}

fn header<'r>(response: &'r Response, name: &http::HeaderName) -> Option<&'r str> {
    response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty())
}

fn parse<D: serde::de::DeserializeOwned>(response: &Response) -> Result<D, ArmFailure> {
    serde_json::from_slice(response.body()).map_err(|e| ArmFailure::Unreadable(format!("Run Command result: {e}")))
}

/// Reads the statuses: Windows gives StdOut and StdErr apart; Linux one message with
/// `[stdout]` and `[stderr]` sections. A code ending `/failed` is a failed script.
pub fn vm_output(result: &VmRunCommandResult) -> RunOutput {
    let mut out = RunOutput { succeeded: true, ..Default::default() };
    for status in &result.value {
        let code = status.code.as_deref().unwrap_or_default();
        let message = status.message.as_deref().unwrap_or_default();
        if code.to_ascii_lowercase().ends_with("/failed") {
            out.succeeded = false;
            out.message = status.display_status.clone().unwrap_or_else(|| code.to_string());
        }
        if code.contains("StdErr") {
            out.stderr.push_str(message);
        } else if code.contains("StdOut") {
            out.stdout.push_str(message);
        } else if let Some((_, rest)) = message.split_once("[stdout]") {
            let (stdout, stderr) = rest.split_once("[stderr]").unwrap_or((rest, ""));
            out.stdout.push_str(stdout.trim_matches('\n'));
            out.stderr.push_str(stderr.trim_matches('\n'));
        } else {
            out.stdout.push_str(message);
        }
    }
    out
}

async fn run_on_arc<T: Transport>(
    client: &ArmClient<T>,
    command: &Command,
    name: &str,
    limits: &Limits,
) -> Result<RunOutput, ArmFailure> {
    let path = arc_path(&command.machine_id, name);
    let body = ArcRunCommand {
        location: command.location.clone(),
        properties: ArcRunCommandProperties {
            source: ArcRunCommandSource { script: Some(command.script()) },
            ..Default::default()
        },
        ..Default::default()
    };
    let body = serde_json::to_vec(&body).map_err(|e| ArmFailure::Unreadable(e.to_string()))?;
    // Each PUT of a run command runs its script again: never repeated blindly.
    let created = client.send_as(Effect::SideEffects, Method::PUT, client.url(&path), Some(body)).await?;
    // Created: from here on, a failure to read it leaves a command that runs.
    follow_arc(client, &path, &created, limits).await.map_err(ArmFailure::may_have_run_after)
}

pub(super) async fn follow_arc<T: Transport>(
    client: &ArmClient<T>,
    path: &str,
    created: &Response,
    limits: &Limits,
) -> Result<RunOutput, ArmFailure> {
    let mut latest: ArcRunCommand = parse(created)?;
    let started = client.transport().now_ms();
    let mut wait = limits.first_wait_ms;
    loop {
        if let Some(view) = latest.properties.instance_view.as_ref().filter(|v| v.is_done()) {
            let succeeded = view.execution_state.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("Succeeded"))
                && view.exit_code.unwrap_or(0) == 0;
            let message = if succeeded {
                String::new()
            } else {
                let state = view.execution_state.clone().unwrap_or_default();
                match view.execution_message.as_deref().filter(|m| !m.is_empty()) {
                    Some(m) => format!("{state}: {m}"),
                    None => state,
                }
            };
            return Ok(RunOutput {
                succeeded,
                stdout: view.output.clone().unwrap_or_default(),
                stderr: view.error.clone().unwrap_or_default(),
                exit_code: view.exit_code,
                message,
            });
        }
        if latest.properties.provisioning_state.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("Failed")) {
            return Ok(RunOutput {
                message: "Azure could not create the run command (Failed).".into(),
                ..Default::default()
            });
        }
        let waited = client.transport().now_ms().saturating_sub(started);
        if waited >= limits.time_limit_ms {
            let message = format!("Still running after {} minutes.", waited / 60_000);
            return Ok(RunOutput { message, ..Default::default() });
        }
        client.transport().sleep(wait).await;
        wait = (wait * 2).min(limits.max_wait_ms);
        latest = client.get(path).await?;
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;
    use crate::deployment::MachineState;
    use crate::transport::{Request, TransportError};

    /// Answers from a script, in order; records `METHOD url` of what was sent.
    #[derive(Default)]
    struct Script {
        answers: RefCell<Vec<Response>>,
        sent: RefCell<Vec<String>>,
        now: RefCell<u64>,
    }

    impl Transport for Script {
        async fn send(&self, request: Request) -> Result<Response, TransportError> {
            self.sent.borrow_mut().push(format!("{} {}", request.method(), request.uri()));
            Ok(self.answers.borrow_mut().remove(0))
        }
        async fn sleep(&self, ms: u64) {
            *self.now.borrow_mut() += ms;
        }
        fn now_ms(&self) -> u64 {
            *self.now.borrow()
        }
    }

    fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> Response {
        let mut builder = http::Response::builder().status(status);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(body.as_bytes().to_vec()).unwrap()
    }

    fn machine(kind: MachineKind, os: OsFamily) -> Machine {
        let id = match kind {
            MachineKind::Vm => "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1",
            MachineKind::Arc => "/subscriptions/s/resourceGroups/rg/providers/Microsoft.HybridCompute/machines/m1",
        };
        Machine {
            id: id.into(),
            name: "vm1".into(),
            kind,
            os,
            os_detail: String::new(),
            state: MachineState::Running,
            subscription_id: "s".into(),
            resource_group: "rg".into(),
            location: "westeurope".into(),
            extension: None,
            tags: Default::default(),
        }
    }

    const ARM: &str = "https://management.azure.com";

    #[test]
    fn a_vm_command_is_followed_to_its_output() {
        let status = format!("{ARM}/subscriptions/s/providers/Microsoft.Compute/locations/westeurope/operations/op1?api-version=2024-07-01");
        let result = format!("{status}&monitor=true");
        let client = ArmClient::new(Script::default(), ARM);
        *client.transport().answers.borrow_mut() = vec![
            answer(202, &[("azure-asyncoperation", &status), ("location", &result)], ""),
            answer(200, &[], r#"{"status":"InProgress"}"#),
            answer(200, &[], r#"{"status":"Succeeded"}"#),
            answer(
                200,
                &[],
                r#"{"value":[{"code":"ComponentStatus/StdOut/succeeded","message":"Test alert command started."},{"code":"ComponentStatus/StdErr/succeeded","message":""}]}"#,
            ),
        ];
        let command = Command::new(&machine(MachineKind::Vm, OsFamily::Windows), Purpose::TestAlert).unwrap();
        let out = futures::executor::block_on(run(&client, &command, "", &limits())).unwrap();
        assert!(out.succeeded);
        assert_eq!(out.stdout, "Test alert command started.");
        let sent = client.transport().sent.borrow().clone();
        assert_eq!(
            sent[0],
            format!("POST {ARM}/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1/runCommand?api-version=2024-07-01")
        );
        assert_eq!(sent.last().unwrap(), &format!("GET {result}"));
    }

    #[test]
    fn a_failed_operation_and_a_busy_vm() {
        let status = format!("{ARM}/subscriptions/s/providers/Microsoft.Compute/locations/westeurope/operations/op1?api-version=2024-07-01");
        let client = ArmClient::new(Script::default(), ARM);
        *client.transport().answers.borrow_mut() = vec![
            answer(202, &[("azure-asyncoperation", &status)], ""),
            answer(
                200,
                &[],
                r#"{"status":"Failed","error":{"code":"VMAgentStatusCommunicationError","message":"VM has reported a failure when processing extension."}}"#,
            ),
        ];
        let command = Command::new(&machine(MachineKind::Vm, OsFamily::Linux), Purpose::SensorCheck).unwrap();
        let out = futures::executor::block_on(run(&client, &command, "", &limits())).unwrap();
        assert!(!out.succeeded);
        assert!(out.message.starts_with("VMAgentStatusCommunicationError: VM has reported"), "{}", out.message);

        let busy = r#"{"error":{"code":"Conflict","message":"Run command extension execution is in progress. Please wait for completion before invoking a run command."}}"#;
        // A VM busy with another command refuses this one: not the subscription's transient
        // 409, so ARM's words are shown and it is not sent again.
        *client.transport().answers.borrow_mut() = vec![answer(409, &[], busy)];
        client.transport().sent.borrow_mut().clear();
        let refused = futures::executor::block_on(run(&client, &command, "", &limits())).unwrap_err();
        assert_eq!((refused.status(), refused.code(), refused.may_have_run()), (Some(409), "Conflict", false));
        assert!(refused.to_string().contains("Run command extension execution is in progress"), "{refused}");
        assert_eq!(client.transport().sent.borrow().len(), 1);
    }

    #[test]
    fn an_arc_command_is_read_until_it_ends() {
        let client = ArmClient::new(Script::default(), ARM);
        *client.transport().answers.borrow_mut() = vec![
            answer(201, &[], r#"{"location":"westeurope","properties":{"provisioningState":"Creating"}}"#),
            answer(200, &[], r#"{"location":"westeurope","properties":{"instanceView":{"executionState":"Running"}}}"#),
            answer(
                200,
                &[],
                r#"{"location":"westeurope","properties":{"instanceView":{"executionState":"Failed","exitCode":1,"output":"","error":"mdatp: command not found"}}}"#,
            ),
        ];
        let command = Command::new(&machine(MachineKind::Arc, OsFamily::Linux), Purpose::SensorCheck).unwrap();
        let name = arc_name(Purpose::SensorCheck, 5);
        let out = futures::executor::block_on(run(&client, &command, &name, &limits())).unwrap();
        assert_eq!((out.succeeded, out.exit_code, out.stderr.as_str()), (false, Some(1), "mdatp: command not found"));
        let sent = client.transport().sent.borrow().clone();
        assert!(sent[0].starts_with("PUT https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.HybridCompute/machines/m1/runCommands/mde-console-sensor-check-5?api-version=2024-07-10"));
        assert!(sent[1..].iter().all(|s| s.starts_with("GET ")));
    }
}

//! Run Command as a kind of the one run pipeline ([`crate::run`]): a confirmed command on one
//! machine, sent once. When its answer was lost (ARM may have run it), Retry first reads the
//! machine's run state — an Arc machine's run command by its name, a VM's Run Command
//! extension in its instance view — and sends it again only when it did not run.

use http::Method;
use serde::{Deserialize, Serialize};

use super::run_command::{self, arc_path, follow_arc, Command, Purpose, RunOutput};
use super::sensor;
use super::watch::parse_iso_ms;
use crate::api::{self, ResourceId};
use crate::arm::machines::{InstanceViewStatus, VmInstanceView};
use crate::arm::run_command::VmRunCommandResult;
use crate::client::ArmClient;
use crate::deployment::MachineKind;
use crate::error::ArmFailure;
use crate::lro::Limits;
use crate::run::{Audited, Failure, Kind, Row, Sent};
use crate::transport::Transport;

/// How one command ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommandFinished {
    /// The command as ARM answered it; `None` when it was not sent again (it had run).
    pub sent: Option<Sent>,
    /// What it printed, once Azure said it ended.
    pub output: Option<RunOutput>,
    /// Why it is not done: refused, failed on the machine, or may have run (answer lost).
    pub failure: Option<Failure>,
}

impl CommandFinished {
    /// ARM took it but its answer was lost: it may have run.
    pub fn may_have_run(&self) -> bool {
        self.failure.as_ref().is_some_and(|f| f.code == crate::error::MAY_HAVE_RUN)
    }
}

/// Commands to machines: the test alert and the sensor check.
pub struct RunCommands {
    pub limits: Limits,
}

impl Kind for RunCommands {
    type Plan = Vec<Command>;
    type Item = Command;
    type Finished = CommandFinished;

    const NAME: &'static str = "commands";
    const CSV_TARGET: &'static [&'static str] = &["machineId", "machineName", "subscriptionId"];
    const CSV_DETAIL: &'static [&'static str] = &["exitCode", "stdout", "stderr"];

    fn items(plan: &Vec<Command>) -> &[Command] {
        plan
    }

    fn target(item: &Command) -> &str {
        &item.machine_id
    }

    fn name(item: &Command) -> &str {
        &item.machine_name
    }

    fn subscription(item: &Command) -> &str {
        &item.subscription_id
    }

    /// A machine runs one command at a time (Azure answers 409 to a second).
    fn lane(item: &Command) -> &str {
        &item.machine_id
    }

    fn skip(_: &Command) -> Option<String> {
        None
    }

    async fn send<T: Transport>(
        &self,
        client: &ArmClient<T>,
        _: &Vec<Command>,
        command: &Command,
        again: bool,
    ) -> CommandFinished {
        if again {
            match ran_already(client, command, &self.limits).await {
                Ok(Some(output)) => return finished(None, Ok(output)),
                Ok(None) => {}
                // Unknown whether it ran: never send it blind.
                Err(failure) => return finished(None, Err(failure)),
            }
        }
        let answer = run_command::run(client, command, &command.name, &self.limits).await;
        // A command that ended was taken (200); the client keeps no ids of its several requests.
        let sent = match &answer {
            Ok(_) => Sent { status: 200, error: None, request_id: None, correlation_id: None },
            Err(failure) => Sent::refused(failure),
        };
        finished(Some(sent), answer)
    }

    fn failure(finished: &CommandFinished) -> Option<&Failure> {
        finished.failure.as_ref()
    }

    /// One line per command sent, with how it ended in words (the sensor's health).
    fn audited(command: &Command, finished: &CommandFinished) -> Vec<Audited> {
        let Some(sent) = &finished.sent else { return Vec::new() };
        let summary = match (&finished.output, command.purpose) {
            (Some(out), Purpose::SensorCheck) if out.succeeded => sensor::parse(command.os, &text(out)).summary(),
            (Some(out), Purpose::TestAlert) if out.succeeded => "ran; watching for the alert".into(),
            (Some(_), _) => "failed".into(),
            (None, _) if finished.may_have_run() => "may have run".into(),
            (None, _) => "refused".into(),
        };
        vec![Audited {
            subscription_id: command.subscription_id.clone(),
            setting: format!("Run Command ({}) on {}: {summary}", command.purpose.label(), command.machine_name),
            before: None,
            requested: true,
            after: finished.output.as_ref().map(|out| out.succeeded),
            method: command.method(),
            path: command.path(&command.name),
            sent: sent.clone(),
            failure: finished.failure.clone(),
        }]
    }

    fn csv_target(row: &Row<CommandFinished>) -> Vec<String> {
        vec![row.target.clone(), row.name.clone(), row.subscription_id.clone()]
    }

    fn csv_detail(finished: Option<&CommandFinished>) -> Vec<String> {
        let out = finished.and_then(|f| f.output.as_ref());
        vec![
            out.and_then(|o| o.exit_code).map(|c| c.to_string()).unwrap_or_default(),
            out.map(|o| o.stdout.clone()).unwrap_or_default(),
            out.map(|o| o.stderr.clone()).unwrap_or_default(),
        ]
    }
}

/// The output as one text (what the sensor check parses, and the raw view shows).
pub fn text(out: &RunOutput) -> String {
    match out.stderr.trim().is_empty() {
        true => out.stdout.clone(),
        false => format!("{}\n{}", out.stdout, out.stderr),
    }
}

fn finished(sent: Option<Sent>, answer: Result<RunOutput, ArmFailure>) -> CommandFinished {
    match answer {
        Ok(output) => {
            let failure = (!output.succeeded).then(|| {
                Failure::verdict(
                    "CommandFailed",
                    if output.message.is_empty() {
                        "The script failed on the machine.".into()
                    } else {
                        output.message.clone()
                    },
                    "Read its output below; fix what it says on the machine, then run it again.",
                )
            });
            CommandFinished { sent, output: Some(output), failure }
        }
        Err(failure) => CommandFinished { sent, output: None, failure: Some(Failure::from(&failure)) },
    }
}

/// Whether `command` ran already, and how it ended: an Arc machine's run command of that
/// name (followed to its end), or a VM's Run Command extension reporting a run since the
/// command was confirmed. `Ok(None)`: it did not run.
pub async fn ran_already<T: Transport>(
    client: &ArmClient<T>,
    command: &Command,
    limits: &Limits,
) -> Result<Option<RunOutput>, ArmFailure> {
    match command.kind {
        MachineKind::Arc => {
            let path = arc_path(&command.machine_id, &command.name);
            match client.send(Method::GET, client.url(&path), None).await {
                Ok(found) => follow_arc(client, &path, &found, limits).await.map(Some),
                Err(failure) if failure.status() == Some(404) => Ok(None),
                Err(failure) => Err(failure),
            }
        }
        MachineKind::Vm => {
            let view: VmInstanceView = client.get(&api::vm_instance_view(&ResourceId::of(&command.machine_id))).await?;
            Ok(run_since(&view, command.at_ms))
        }
    }
}

/// The Run Command extension's last report in a VM's instance view, when it is from
/// `since_ms` or later (a second of clock skew allowed).
fn run_since(view: &VmInstanceView, since_ms: u64) -> Option<RunOutput> {
    let extension = view.extension("RunCommandWindows").or_else(|| view.extension("RunCommandLinux"))?;
    let recent = |s: &&InstanceViewStatus| {
        s.time.as_deref().and_then(parse_iso_ms).is_some_and(|at| at >= since_ms.saturating_sub(1_000))
    };
    let status = extension.statuses.iter().find(recent)?;
    Some(run_command::vm_output(&VmRunCommandResult { value: vec![status.clone()] }))
}

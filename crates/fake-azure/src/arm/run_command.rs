//! Run Command on the fake's machines, and the test alerts it sets off.
//!
//! VMs: `POST .../runCommand` answers 202 with `Azure-AsyncOperation` and `Location`; after the
//! run's time (`lro_ms`) the status JSON says `Succeeded` (its `properties.output` and the
//! `Location` answer hold `value[]`: StdOut/StdErr on Windows, one `[stdout]`/`[stderr]`
//! message on Linux) or `Failed` with the scenario's error. A VM that is not running, or that
//! runs a command already, gets 409 as in Azure. Arc: `PUT .../runCommands/{name}` creates the
//! child (a PUT again runs the script again); `GET` shows `instanceView.executionState`
//! `Running`, then how it ended. Every command that starts is counted per machine
//! (`FakeAzure::commands_run`), so a test can tell a command that ran twice.
//!
//! A script holding the seed's test command (`http://127.0.0.1/1.exe` on Windows,
//! `mde_linux_edr_diy` on Linux) makes the seed's alert for that machine appear in
//! `Microsoft.Security/alerts` after the machine's `alertDelaySeconds`. A script holding
//! `mdatp health` or `Get-MpComputerStatus` answers with the sensor's health. A machine's
//! scenario key `runCommand` changes all this (see the README).

use std::collections::HashMap;

use http::{Method, Response};
use serde_json::{json, Value};

use super::routes::Route;
use super::{errors, Call};
use crate::clock::iso8601;
use crate::scenario::{bad, Kind, Machine, ScenarioError, Subscription};
use crate::wire;

/// How long after the test command its alert appears, unless the scenario says.
const ALERT_DELAY_MS: u64 = 5_000;

/// A machine's scenario key `runCommand`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Behaviour {
    /// `alertDelaySeconds`.
    alert_delay_ms: Option<u64>,
    /// `alert: false`: the test's alert never comes.
    no_alert: bool,
    /// `failure: {code, message}`: every command ends `Failed` with it.
    failure: Option<Value>,
    /// `sensor`: `healthy` (default), `unhealthy` or `missing`.
    sensor: Sensor,
    /// `output`: what every command prints instead.
    output: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
enum Sensor {
    #[default]
    Healthy,
    Unhealthy,
    Missing,
}

/// Reads `runCommand` of a machine entry (absent: the defaults).
pub(crate) fn from_scenario(item: &mut Value, here: &str) -> Result<Behaviour, ScenarioError> {
    let path = format!("{here}.runCommand");
    let entry = match item.get_mut("runCommand").map(Value::take) {
        None | Some(Value::Null) => return Ok(Behaviour::default()),
        Some(Value::Object(entry)) => entry,
        Some(_) => return Err(bad(&path, "expected an object like {\"alertDelaySeconds\": 5}")),
    };
    let mut behaviour = Behaviour::default();
    for (key, value) in entry {
        let here = format!("{path}.{key}");
        match key.as_str() {
            "alertDelaySeconds" => {
                let seconds =
                    value.as_f64().filter(|s| *s >= 0.0).ok_or_else(|| bad(&here, "expected seconds, like 5"))?;
                behaviour.alert_delay_ms = Some((seconds * 1000.0) as u64);
            }
            "alert" => behaviour.no_alert = !value.as_bool().ok_or_else(|| bad(&here, "expected true or false"))?,
            "failure" => {
                for field in ["code", "message"] {
                    crate::scenario::string(&value, field, &here)?;
                }
                behaviour.failure = Some(value);
            }
            "sensor" => {
                behaviour.sensor = match value.as_str() {
                    Some("healthy") => Sensor::Healthy,
                    Some("unhealthy") => Sensor::Unhealthy,
                    Some("missing") => Sensor::Missing,
                    _ => return Err(bad(&here, "expected \"healthy\", \"unhealthy\" or \"missing\"")),
                }
            }
            "output" => behaviour.output = Some(value.as_str().ok_or_else(|| bad(&here, "expected text"))?.to_string()),
            _ => return Err(bad(&here, "unknown key (alertDelaySeconds, alert, failure, sensor, output)")),
        }
    }
    Ok(behaviour)
}

/// The run commands of one subscription, and the alerts they will raise.
#[derive(Debug, Default)]
pub(crate) struct RunCommands {
    runs: Vec<Run>,
    /// (due, alert): shown once the time has come.
    alerts: Vec<(u64, Value)>,
    /// How many commands each machine (by lowercase id) ran, Arc runs PUT again included.
    ran: HashMap<String, u64>,
}

impl RunCommands {
    /// How many commands the machine `machine_id` ran.
    pub(crate) fn ran_on(&self, machine_id: &str) -> u64 {
        self.ran.get(&machine_id.to_ascii_lowercase()).copied().unwrap_or_default()
    }
}

/// The provider that runs a request's command when it is a Run Command (a VM's `runCommand`
/// POST, an Arc `runCommands` PUT), for the fault layer.
pub(crate) fn runs_a_command(route: &Route, method: &Method) -> Option<&'static str> {
    match route {
        Route::RunCommand(..) if method == Method::POST => Some("Microsoft.Compute"),
        Route::ArcRunCommand(..) if method == Method::PUT => Some("Microsoft.HybridCompute"),
        _ => None,
    }
}

/// ARM's 504 when the provider did not answer in time (it may still be running the command).
pub(crate) fn gateway_timeout(provider: &str) -> Response<Vec<u8>> {
    errors::arm(
        504,
        "GatewayTimeout",
        format!("The gateway did not receive a response from '{provider}' within the specified time period."),
    )
}

#[derive(Debug)]
struct Run {
    /// The operation id (VM) or the child's name (Arc).
    id: String,
    kind: Kind,
    machine: usize,
    /// The Arc child as PUT (with `id`, `name`, `type`).
    resource: Value,
    started_ms: u64,
    done_ms: u64,
    windows: bool,
    stdout: String,
    stderr: String,
    failure: Option<Value>,
}

impl Run {
    fn done(&self, now_ms: u64) -> bool {
        now_ms >= self.done_ms
    }

    /// The VM action's result: StdOut and StdErr apart on Windows; one message on Linux.
    fn vm_value(&self) -> Value {
        let status = |code: &str, message: &str| json!({ "code": code, "level": "Info", "displayStatus": "Provisioning succeeded", "message": message });
        if self.windows {
            json!({ "value": [
                status("ComponentStatus/StdOut/succeeded", &self.stdout),
                status("ComponentStatus/StdErr/succeeded", &self.stderr),
            ]})
        } else {
            let message = format!("Enable succeeded: \n[stdout]\n{}\n[stderr]\n{}", self.stdout, self.stderr);
            json!({ "value": [status("ProvisioningState/succeeded", &message)] })
        }
    }
}

/// What a script prints on a machine of this behaviour; whether it is the seed's test.
fn outcome(script: &str, behaviour: &Behaviour) -> (String, String, bool) {
    let test = script.contains("http://127.0.0.1/1.exe") || script.contains("mde_linux_edr_diy");
    let (stdout, stderr) = if script.contains("mdatp health") {
        match behaviour.sensor {
            Sensor::Healthy => (mdatp(true), String::new()),
            Sensor::Unhealthy => (mdatp(false), String::new()),
            Sensor::Missing => {
                (String::new(), "/var/lib/waagent/run-command/download/0/script.sh: 1: mdatp: not found".into())
            }
        }
    } else if script.contains("Get-MpComputerStatus") {
        (defender_status(behaviour.sensor), String::new())
    } else {
        // `Write-Output '...'` and `echo ...` lines print their text; anything else prints nothing.
        let printed: Vec<&str> = script
            .lines()
            .filter_map(|l| {
                let l = l.trim();
                l.strip_prefix("Write-Output '").map(|t| t.trim_end_matches('\'')).or_else(|| l.strip_prefix("echo "))
            })
            .collect();
        (printed.join("\n"), String::new())
    };
    (behaviour.output.clone().unwrap_or(stdout), stderr, test)
}

fn mdatp(healthy: bool) -> String {
    format!(
        "healthy                                     : {healthy}\nlicensed                                    : true\n"
    )
}

fn defender_status(sensor: Sensor) -> String {
    if sensor == Sensor::Missing {
        return "[SC] EnumQueryServicesStatus:OpenService FAILED 1060:\r\n\r\nThe specified service does not exist as an installed service.\r\n".into();
    }
    let state = if sensor == Sensor::Healthy { "4  RUNNING" } else { "1  STOPPED" };
    format!(
        "\r\nAMServiceEnabled          : True\r\nAntivirusEnabled          : True\r\nRealTimeProtectionEnabled : True\r\n\
         AMRunningMode             : Normal\r\nAMProductVersion          : 4.18.24090.11\r\n\r\n\r\n\
         SERVICE_NAME: sense \r\n        TYPE               : 10  WIN32_OWN_PROCESS  \r\n        STATE              : {state} \r\n\
         \x20                               (STOPPABLE, NOT_PAUSABLE, IGNORES_SHUTDOWN)\r\n        WIN32_EXIT_CODE    : 0  (0x0)\r\n"
    )
}

fn is_windows(machine: &Machine, kind: Kind) -> bool {
    let os = match kind {
        Kind::Vm => machine.resource.pointer("/properties/storageProfile/osDisk/osType"),
        Kind::Arc => machine.resource.pointer("/properties/osType"),
    };
    os.and_then(Value::as_str).is_some_and(|o| o.eq_ignore_ascii_case("windows"))
}

fn location(machine: &Machine) -> String {
    machine.resource.get("location").and_then(Value::as_str).unwrap_or("westeurope").to_string()
}

/// The seed's alert for `machine`, generated at `at_ms`.
fn test_alert(sub: &str, machine: &Machine, windows: bool, at_ms: u64, system_id: &str) -> Value {
    let (alert_type, name, severity) = if windows {
        ("SuspiciousPowerShellCommandLine", "Suspicious PowerShell CommandLine", "Informational")
    } else {
        ("EnumerationOfFilesWithSensitiveData", "Enumeration of files with sensitive data", "Low")
    };
    let at = iso8601(at_ms);
    let region = location(machine);
    let group = &machine.resource_group;
    json!({
        "id": format!("/subscriptions/{sub}/resourceGroups/{group}/providers/Microsoft.Security/locations/{region}/alerts/{system_id}"),
        "name": system_id,
        "type": "Microsoft.Security/Locations/alerts",
        "properties": {
            "version": "2022-01-01", "alertType": alert_type, "systemAlertId": system_id,
            "productComponentName": "Servers", "alertDisplayName": name,
            "description": "A test alert of Microsoft Defender for Endpoint (not a threat).",
            "severity": severity, "intent": "Execution", "startTimeUtc": at, "endTimeUtc": at,
            "resourceIdentifiers": [ { "azureResourceId": machine.id(), "type": "AzureResource" } ],
            "remediationSteps": ["No further action is needed: this was a test."], "vendorName": "Microsoft",
            "status": "Active", "extendedLinks": [],
            "alertUri": format!("https://portal.azure.com/#blade/Microsoft_Azure_Security/AlertBlade/alertId/{system_id}/subscriptionId/{sub}/resourceGroup/{group}/referencedFrom/alertDeepLink/location/{region}"),
            "timeGeneratedUtc": at, "productName": "Microsoft Defender for Endpoint", "processingEndTimeUtc": at,
            "entities": [], "isIncident": false, "correlationKey": system_id, "extendedProperties": {},
            "compromisedEntity": machine.name, "techniques": [], "subTechniques": [],
        },
    })
}

/// `POST .../virtualMachines/{vm}/runCommand`.
pub(crate) fn post_vm(s: &mut Subscription, group: &str, name: &str, call: &mut Call) -> Response<Vec<u8>> {
    let Some(index) = s.vms.find(group, name) else {
        return errors::resource_not_found("Microsoft.Compute/virtualMachines", name, group);
    };
    let body: Value = match serde_json::from_slice(call.req.body) {
        Ok(body) => body,
        Err(e) => return errors::invalid_content(e),
    };
    let (Some(command_id), Some(lines)) =
        (body.get("commandId").and_then(Value::as_str), body.get("script").and_then(Value::as_array))
    else {
        return errors::bad_request("InvalidParameter", "The value of parameter commandId (and script) is invalid.");
    };
    if !matches!(command_id, "RunPowerShellScript" | "RunShellScript") {
        return errors::bad_request("InvalidParameter", format!("The command '{command_id}' is not supported."));
    }
    let machine = &s.vms.list[index];
    if super::machines::power_state(machine).as_deref() != Some("PowerState/running") {
        return errors::arm(409, "OperationNotAllowed", "The operation requires the VM to be running (or set to run).");
    }
    let runs = &mut s.run_commands;
    if runs.runs.iter().any(|r| r.kind == Kind::Vm && r.machine == index && !r.done(call.now_ms)) {
        return errors::arm(
            409,
            "Conflict",
            "Run command extension execution is in progress. Please wait for completion before invoking a run command.",
        );
    }
    let script: Vec<&str> = lines.iter().filter_map(Value::as_str).collect();
    let id = call.ids.uuid();
    start(&s.id, machine, Kind::Vm, index, &script.join("\n"), id.clone(), Value::Null, call, &mut s.run_commands);
    let prefix = format!(
        "{}/subscriptions/{}/providers/Microsoft.Compute/locations/{}/operations/{id}",
        call.req.base,
        wire::encode(&s.id),
        wire::encode(&location(&s.vms.list[index]))
    );
    let version = wire::encode(call.api_version);
    let mut response = wire::empty(202);
    wire::set(&mut response, "azure-asyncoperation", &format!("{prefix}?api-version={version}"));
    wire::set(&mut response, "location", &format!("{prefix}?monitor=true&api-version={version}"));
    wire::set(&mut response, "retry-after", "1");
    response
}

/// Records a run and, for the seed's test, its alert to come.
#[allow(clippy::too_many_arguments)]
fn start(
    sub: &str,
    machine: &Machine,
    kind: Kind,
    index: usize,
    script: &str,
    id: String,
    resource: Value,
    call: &mut Call,
    runs: &mut RunCommands,
) -> usize {
    let behaviour = &machine.run_command;
    let windows = is_windows(machine, kind);
    let (stdout, stderr, test) = outcome(script, behaviour);
    *runs.ran.entry(machine.id().to_ascii_lowercase()).or_default() += 1;
    let done_ms = call.now_ms + call.lro_ms;
    if test && behaviour.failure.is_none() && !behaviour.no_alert {
        let at = done_ms + behaviour.alert_delay_ms.unwrap_or(ALERT_DELAY_MS);
        let system_id = format!("2517{:015}_{}", call.ids.below(1_000_000_000_000_000), call.ids.uuid());
        runs.alerts.push((at, test_alert(sub, machine, windows, at, &system_id)));
    }
    runs.runs.push(Run {
        id,
        kind,
        machine: index,
        resource,
        started_ms: call.now_ms,
        done_ms,
        windows,
        stdout,
        stderr,
        failure: behaviour.failure.clone(),
    });
    runs.runs.len() - 1
}

/// `PUT .../machines/{m}/runCommands/{name}`.
pub(crate) fn put_arc(
    s: &mut Subscription,
    group: &str,
    name: &str,
    child: &str,
    call: &mut Call,
) -> Response<Vec<u8>> {
    let Some(index) = s.arcs.find(group, name) else {
        return errors::resource_not_found("Microsoft.HybridCompute/machines", name, group);
    };
    let body: Value = match serde_json::from_slice(call.req.body) {
        Ok(body) => body,
        Err(e) => return errors::invalid_content(e),
    };
    let Some(script) = body.pointer("/properties/source/script").and_then(Value::as_str) else {
        return errors::bad_request("InvalidParameter", "properties.source.script is required.");
    };
    let machine = &s.arcs.list[index];
    // What was sent comes back, but never a password, nor protected parameters' values.
    let mut properties = json!({ "asyncExecution": false, "timeoutInSeconds": 3600 });
    if let (Some(shown), Some(sent)) = (properties.as_object_mut(), body["properties"].as_object()) {
        shown.extend(sent.iter().filter(|(k, _)| *k != "runAsPassword").map(|(k, v)| (k.clone(), v.clone())));
        shown.insert("protectedParameters".into(), json!([]));
        shown.remove("instanceView");
    }
    let mut resource = json!({
        "id": format!("{}/runcommands/{child}", machine.id()),
        "name": child,
        "type": "Microsoft.HybridCompute/machines/runcommands",
        "location": body.get("location").cloned().unwrap_or_else(|| json!(location(machine))),
        "properties": properties,
    });
    if let Some(tags) = body.get("tags").filter(|t| t.is_object()) {
        resource["tags"] = tags.clone();
    }
    let runs = &mut s.run_commands;
    runs.runs.retain(|r| !(r.kind == Kind::Arc && r.machine == index && r.id.eq_ignore_ascii_case(child)));
    let at = start(&s.id, machine, Kind::Arc, index, script, child.to_string(), resource, call, runs);
    wire::json(201, &runs.arc_view(at, call.now_ms))
}

/// `GET .../machines/{m}/runCommands/{name}`.
pub(crate) fn get_arc(s: &Subscription, group: &str, name: &str, child: &str, call: &Call) -> Response<Vec<u8>> {
    let found = s.arcs.find(group, name).and_then(|index| {
        s.run_commands
            .runs
            .iter()
            .position(|r| r.kind == Kind::Arc && r.machine == index && r.id.eq_ignore_ascii_case(child))
    });
    match found {
        Some(at) => wire::json(200, &s.run_commands.arc_view(at, call.now_ms)),
        None => errors::resource_not_found("Microsoft.HybridCompute/machines/runcommands", child, group),
    }
}

impl RunCommands {
    fn arc_view(&self, at: usize, now_ms: u64) -> Value {
        let run = &self.runs[at];
        let mut resource = run.resource.clone();
        let (state, exit, message) = match (run.done(now_ms), &run.failure) {
            (false, _) => ("Running", Value::Null, String::new()),
            (true, None) => ("Succeeded", json!(0), String::new()),
            (true, Some(error)) => ("Failed", json!(1), error["message"].as_str().unwrap_or_default().to_string()),
        };
        let mut view = json!({
            "executionState": state, "executionMessage": message, "exitCode": exit,
            "output": if run.done(now_ms) { run.stdout.as_str() } else { "" },
            "error": if run.done(now_ms) { run.stderr.as_str() } else { "" },
            "startTime": iso8601(run.started_ms),
        });
        if run.done(now_ms) {
            view["endTime"] = json!(iso8601(run.done_ms));
        }
        resource["properties"]["provisioningState"] = json!("Succeeded");
        resource["properties"]["instanceView"] = view;
        resource
    }

    /// The VM's Run Command extension as its instance view reports it after a run (Azure runs
    /// the action through the `RunCommandWindows` / `RunCommandLinux` extension): the last
    /// run's status, with the time it was reported.
    pub(crate) fn vm_extension_view(&self, machine: usize, now_ms: u64) -> Option<Value> {
        let run = self.runs.iter().rev().find(|r| r.kind == Kind::Vm && r.machine == machine)?;
        let (name, handler) = match run.windows {
            true => ("RunCommandWindows", "Microsoft.CPlat.Core.RunCommandWindows"),
            false => ("RunCommandLinux", "Microsoft.CPlat.Core.RunCommandLinux"),
        };
        let status = match (run.done(now_ms), &run.failure) {
            (false, _) => {
                json!({ "code": "ProvisioningState/transitioning", "level": "Info", "displayStatus": "Provisioning transitioning", "time": iso8601(run.started_ms) })
            }
            (true, Some(error)) => {
                json!({ "code": "ProvisioningState/failed", "level": "Error", "displayStatus": "Provisioning failed", "message": error["message"], "time": iso8601(run.done_ms) })
            }
            (true, None) => {
                let mut status = run.vm_value()["value"][0].clone();
                status["time"] = json!(iso8601(run.done_ms));
                status
            }
        };
        Some(json!({ "name": name, "type": handler, "typeHandlerVersion": "1.1.5", "statuses": [status] }))
    }

    /// Answers a poll of a VM run's operation, or `None` when `id` is not one.
    pub(crate) fn poll(&self, kind: Kind, id: &str, call: &Call) -> Option<Response<Vec<u8>>> {
        let run = self.runs.iter().find(|r| r.kind == Kind::Vm && kind == Kind::Vm && r.id.eq_ignore_ascii_case(id))?;
        let done = run.done(call.now_ms);
        if call.req.query("monitor") == Some("true") {
            return Some(match (done, &run.failure) {
                (false, _) => {
                    let mut response = wire::empty(202);
                    let again =
                        format!("{}{}?monitor=true&api-version={}", call.req.base, call.req.path, call.api_version);
                    wire::set(&mut response, "location", &again);
                    wire::set(&mut response, "retry-after", "1");
                    response
                }
                (true, Some(error)) => errors::arm_with(409, error.clone()),
                (true, None) => wire::json(200, &run.vm_value()),
            });
        }
        let mut status = json!({ "name": run.id, "startTime": iso8601(run.started_ms), "status": "InProgress" });
        if done {
            status["endTime"] = json!(iso8601(run.done_ms));
            match &run.failure {
                Some(error) => {
                    status["status"] = json!("Failed");
                    status["error"] = error.clone();
                }
                None => {
                    status["status"] = json!("Succeeded");
                    status["properties"] = json!({ "output": run.vm_value() });
                }
            }
        }
        Some(wire::json(200, &status))
    }

    /// Moves the alerts whose time has come into the subscription's alerts.
    pub(crate) fn settle(&mut self, alerts: &mut Vec<Value>, now_ms: u64) {
        let (due, later): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.alerts).into_iter().partition(|(at, _)| *at <= now_ms);
        self.alerts = later;
        // Newest first, as ARM lists them.
        for (_, alert) in due {
            alerts.insert(0, alert);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use crate::{FakeAzure, Options};

    const ARM: &str = "https://management.azure.com";
    const SUB: &str = "/subscriptions/s1";
    const VM: &str = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1";
    const ARC: &str = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.HybridCompute/machines/m1";
    const T0: u64 = 1_709_294_400_000;

    fn azure(vm: Value, arc: Value) -> FakeAzure {
        let scenario = json!({ "subscriptions": [{
            "subscription": { "subscriptionId": "s1", "displayName": "Prod", "state": "Enabled" },
            "permissions": [{ "actions": ["*"], "notActions": [] }],
            "virtualMachines": [vm], "arcMachines": [arc],
        }]});
        let options = Options { require_auth: false, lro_ms: 1000, ..Options::default() };
        FakeAzure::from_scenario_json(&scenario.to_string(), options).unwrap()
    }

    fn vm(os: &str, extra: Value) -> Value {
        let mut vm = json!({ "resource": { "id": VM, "name": "vm1", "location": "westeurope",
            "properties": { "storageProfile": { "osDisk": { "osType": os } } } } });
        vm.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        vm
    }

    fn arc(extra: Value) -> Value {
        let mut arc = json!({ "resource": { "id": ARC, "name": "m1", "location": "westeurope",
            "properties": { "osType": "linux", "status": "Connected" } } });
        arc.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        arc
    }

    fn call(azure: &mut FakeAzure, method: &str, url: &str, body: Option<Value>, now: u64) -> http::Response<Vec<u8>> {
        let url = if url.starts_with("http") { url.to_string() } else { format!("{ARM}{url}") };
        let body = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        let request = http::Request::builder().method(method).uri(url).body(body).unwrap();
        azure.handle(request, now).response.unwrap()
    }

    fn json_of(response: &http::Response<Vec<u8>>) -> Value {
        serde_json::from_slice(response.body()).unwrap()
    }

    fn header(response: &http::Response<Vec<u8>>, name: &str) -> String {
        response.headers()[name].to_str().unwrap().to_string()
    }

    fn alerts(azure: &mut FakeAzure, now: u64) -> Vec<Value> {
        let page =
            call(azure, "GET", &format!("{SUB}/providers/Microsoft.Security/alerts?api-version=2022-01-01"), None, now);
        json_of(&page)["value"].as_array().unwrap().clone()
    }

    fn run_vm(azure: &mut FakeAzure, command_id: &str, script: &[&str], now: u64) -> http::Response<Vec<u8>> {
        let body = json!({ "commandId": command_id, "script": script });
        call(azure, "POST", &format!("{VM}/runCommand?api-version=2024-07-01"), Some(body), now)
    }

    const WINDOWS_TEST: &str = "Start-Process -FilePath powershell.exe -ArgumentList '-NoExit (New-Object System.Net.WebClient).DownloadFile(''http://127.0.0.1/1.exe'', ''C:\\\\test-MDATP-test\\\\invoice.exe'')'";

    #[test]
    fn the_windows_test_runs_then_its_alert_arrives_after_the_delay() {
        let mut azure = azure(vm("Windows", json!({ "runCommand": { "alertDelaySeconds": 2 } })), arc(json!({})));
        let accepted = run_vm(&mut azure, "RunPowerShellScript", &[WINDOWS_TEST, "Write-Output 'started'"], T0);
        assert_eq!(accepted.status(), 202);
        let status_url = header(&accepted, "azure-asyncoperation");
        let result_url = header(&accepted, "location");
        // One at a time per VM, as in Azure.
        let busy = run_vm(&mut azure, "RunPowerShellScript", &["Write-Output 'again'"], T0 + 10);
        assert_eq!((busy.status().as_u16(), json_of(&busy)["error"]["code"].as_str()), (409, Some("Conflict")));
        assert_eq!(json_of(&call(&mut azure, "GET", &status_url, None, T0 + 500))["status"], "InProgress");
        assert_eq!(call(&mut azure, "GET", &result_url, None, T0 + 500).status(), 202);
        let done = json_of(&call(&mut azure, "GET", &status_url, None, T0 + 1000));
        assert_eq!(done["status"], "Succeeded");
        let result = json_of(&call(&mut azure, "GET", &result_url, None, T0 + 1000));
        assert_eq!(result["value"][0]["code"], "ComponentStatus/StdOut/succeeded");
        assert_eq!(result["value"][0]["message"], "started");
        assert!(alerts(&mut azure, T0 + 2_999).is_empty(), "not before the delay");
        let arrived = alerts(&mut azure, T0 + 3_000);
        assert_eq!(arrived.len(), 1);
        let p = &arrived[0]["properties"];
        assert_eq!(
            (p["alertDisplayName"].as_str(), p["severity"].as_str()),
            (Some("Suspicious PowerShell CommandLine"), Some("Informational"))
        );
        assert_eq!(p["resourceIdentifiers"][0]["azureResourceId"], VM);
        assert_eq!(p["compromisedEntity"], "vm1");
        assert!(p["alertUri"]
            .as_str()
            .unwrap()
            .starts_with("https://portal.azure.com/#blade/Microsoft_Azure_Security/AlertBlade/"));
    }

    #[test]
    fn a_stopped_vm_is_refused_and_a_failing_run_fails_its_operation_without_an_alert() {
        let stopped = json!({ "statuses": [{ "code": "PowerState/deallocated" }] });
        let mut v = vm("Linux", json!({}));
        v["resource"]["properties"]["instanceView"] = stopped;
        let mut azure_stopped = azure(v, arc(json!({})));
        let refused = run_vm(&mut azure_stopped, "RunShellScript", &["./mde_linux_edr_diy"], T0);
        assert_eq!(
            (refused.status().as_u16(), json_of(&refused)["error"]["code"].as_str()),
            (409, Some("OperationNotAllowed"))
        );

        let failure = json!({ "code": "VMAgentStatusCommunicationError", "message": "VM has reported a failure when processing extension 'RunCommandLinux'." });
        let mut azure = azure(vm("Linux", json!({ "runCommand": { "failure": failure } })), arc(json!({})));
        let accepted = run_vm(&mut azure, "RunShellScript", &["./mde_linux_edr_diy"], T0);
        let status = json_of(&call(&mut azure, "GET", &header(&accepted, "azure-asyncoperation"), None, T0 + 1000));
        assert_eq!(status["status"], "Failed");
        assert_eq!(status["error"]["code"], "VMAgentStatusCommunicationError");
        assert!(alerts(&mut azure, T0 + 3_600_000).is_empty());
    }

    #[test]
    fn an_alert_that_never_comes_and_the_sensor_checks() {
        let mut azure =
            azure(vm("Linux", json!({ "runCommand": { "alert": false, "sensor": "unhealthy" } })), arc(json!({})));
        run_vm(&mut azure, "RunShellScript", &["./mde_linux_edr_diy"], T0);
        assert!(alerts(&mut azure, T0 + 3_600_000).is_empty());
        let accepted =
            run_vm(&mut azure, "RunShellScript", &["mdatp health --field healthy --field licensed"], T0 + 5_000);
        let result = json_of(&call(&mut azure, "GET", &header(&accepted, "location"), None, T0 + 6_000));
        let message = result["value"][0]["message"].as_str().unwrap();
        assert!(message.starts_with("Enable succeeded: \n[stdout]\nhealthy"), "{message}");
        assert!(message.contains(": false\n"), "{message}");
    }

    #[test]
    fn an_arc_run_command_is_created_then_read_until_it_ends() {
        let mut azure = azure(vm("Linux", json!({})), arc(json!({})));
        let path = format!("{ARC}/runCommands/check?api-version=2024-07-10");
        let body = json!({ "location": "westeurope", "properties": { "source": { "script": "mdatp health --field healthy --field licensed" } } });
        let created = call(&mut azure, "PUT", &path, Some(body), T0);
        assert_eq!(created.status(), 201);
        assert_eq!(json_of(&created)["properties"]["instanceView"]["executionState"], "Running");
        let done = json_of(&call(&mut azure, "GET", &path, None, T0 + 1000));
        let view = &done["properties"]["instanceView"];
        assert_eq!((view["executionState"].as_str(), view["exitCode"].as_i64()), (Some("Succeeded"), Some(0)));
        assert!(view["output"].as_str().unwrap().contains("healthy                                     : true"));
        let test = json!({ "location": "westeurope", "properties": { "source": { "script": "./mde_linux_edr_diy" } } });
        call(&mut azure, "PUT", &format!("{ARC}/runCommands/test?api-version=2024-07-10"), Some(test), T0);
        let arrived = alerts(&mut azure, T0 + 6_000);
        assert_eq!(arrived[0]["properties"]["alertDisplayName"], "Enumeration of files with sensitive data");
        assert_eq!(arrived[0]["properties"]["severity"], "Low");
    }

    #[test]
    fn bad_scenario_keys_are_named() {
        let scenario = json!({ "subscriptions": [{ "subscription": { "subscriptionId": "s1" },
            "virtualMachines": [{ "resource": { "id": VM }, "runCommand": { "sensor": "sick" } }] }]});
        let err = FakeAzure::from_scenario_json(&scenario.to_string(), Options::default()).unwrap_err();
        assert!(err.to_string().contains("virtualMachines[0].runCommand.sensor"), "{err}");
    }
}

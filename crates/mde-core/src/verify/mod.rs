//! Proving a rollout on one machine (the seed's "verify" step): the test alert for its OS, sent
//! through Run Command with the user's consent, the watch for that alert in
//! `Microsoft.Security/alerts`, and the sensor health check.

pub mod commands;
pub mod run_command;
pub mod sensor;
pub mod test_alert;
pub mod watch;

use crate::arm::permissions::{allows, Permission};
use crate::deployment::{Machine, MachineKind, MachineState};

/// The RBAC action Run Command needs on a VM.
pub const VM_RUN_COMMAND_ACTION: &str = "Microsoft.Compute/virtualMachines/runCommand/action";
/// The RBAC action Run Command needs on an Arc machine (creating its `runCommands` child).
pub const ARC_RUN_COMMAND_ACTION: &str = "Microsoft.HybridCompute/machines/runCommands/write";

pub fn run_command_action(kind: MachineKind) -> &'static str {
    match kind {
        MachineKind::Vm => VM_RUN_COMMAND_ACTION,
        MachineKind::Arc => ARC_RUN_COMMAND_ACTION,
    }
}

/// Why a command cannot be sent to a machine now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The signed-in user lacks the action on the machine's subscription.
    NoPermission { action: &'static str },
    /// A VM that is not running: the agent that runs the script is down with it.
    NotRunning { state: String },
    /// An Arc machine whose agent is not connected: nothing would pick the command up.
    NotConnected { state: String },
    /// The OS is unknown, so neither script applies.
    UnknownOs,
}

impl Refusal {
    /// Why, for the disabled button.
    pub fn reason(&self) -> String {
        match self {
            Refusal::NoPermission { action } => format!(
                "You lack {action} on this machine's subscription (Virtual Machine Contributor, Azure Connected \
                 Machine Resource Administrator, Contributor or Owner have it). Ask for one, or run the steps \
                 on the machine yourself."
            ),
            Refusal::NotRunning { state } => {
                format!("The VM is {}: Run Command needs it running. Start it first.", state.to_lowercase())
            }
            Refusal::NotConnected { state } => format!(
                "The Arc machine is {}: its agent must be Connected to pick up a command. Reconnect it first.",
                state.to_lowercase()
            ),
            Refusal::UnknownOs => "ARM does not say which OS this machine runs, so no script fits it.".into(),
        }
    }
}

/// Whether Run Command may be offered for `machine`, with the subscription's `permissions`
/// (`None`: not read, e.g. refused: the button says so rather than guessing).
pub fn refusal(machine: &Machine, permissions: &[Permission]) -> Option<Refusal> {
    if machine.os == crate::arm::machines::OsFamily::Unknown {
        return Some(Refusal::UnknownOs);
    }
    let state = crate::deployment::table::state_label(&machine.state).to_string();
    match (machine.kind, &machine.state) {
        (MachineKind::Vm, MachineState::Running) | (MachineKind::Arc, MachineState::Connected) => {}
        (MachineKind::Vm, _) => return Some(Refusal::NotRunning { state }),
        (MachineKind::Arc, _) => return Some(Refusal::NotConnected { state }),
    }
    let action = run_command_action(machine.kind);
    (!allows(permissions, action)).then_some(Refusal::NoPermission { action })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arm::machines::OsFamily;

    fn machine(kind: MachineKind, state: MachineState) -> Machine {
        Machine {
            id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1".into(),
            name: "vm1".into(),
            kind,
            os: OsFamily::Linux,
            os_detail: String::new(),
            state,
            subscription_id: "s".into(),
            resource_group: "rg".into(),
            location: "westeurope".into(),
            extension: None,
            tags: Default::default(),
        }
    }

    fn perm(actions: &[&str], not_actions: &[&str]) -> Permission {
        Permission {
            actions: actions.iter().map(|s| s.to_string()).collect(),
            not_actions: not_actions.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn a_running_vm_with_contributor_may_run() {
        assert_eq!(refusal(&machine(MachineKind::Vm, MachineState::Running), &[perm(&["*"], &[])]), None);
        let vm_contributor = perm(&["Microsoft.Compute/virtualMachines/*"], &[]);
        assert_eq!(refusal(&machine(MachineKind::Vm, MachineState::Running), &[vm_contributor]), None);
    }

    #[test]
    fn readers_and_security_admins_are_refused_with_the_action() {
        let reader = perm(&["*/read"], &[]);
        let security_admin = perm(&["Microsoft.Security/*", "*/read"], &[]);
        for role in [reader, security_admin] {
            let why = refusal(&machine(MachineKind::Vm, MachineState::Running), &[role]).unwrap();
            assert_eq!(why, Refusal::NoPermission { action: VM_RUN_COMMAND_ACTION });
            assert!(why.reason().contains("virtualMachines/runCommand/action"));
        }
        let no_arc = perm(&["*"], &["Microsoft.HybridCompute/machines/runCommands/*"]);
        let why = refusal(&machine(MachineKind::Arc, MachineState::Connected), &[no_arc]).unwrap();
        assert_eq!(why, Refusal::NoPermission { action: ARC_RUN_COMMAND_ACTION });
    }

    #[test]
    fn stopped_vms_and_disconnected_arc_machines_cannot_be_chosen() {
        let owner = [perm(&["*"], &[])];
        for state in [MachineState::Stopped, MachineState::Deallocated, MachineState::Unknown] {
            let why = refusal(&machine(MachineKind::Vm, state), &owner).unwrap();
            assert!(matches!(why, Refusal::NotRunning { .. }), "{why:?}");
            assert!(why.reason().contains("Start it"));
        }
        for state in [MachineState::Disconnected, MachineState::Expired] {
            let why = refusal(&machine(MachineKind::Arc, state), &owner).unwrap();
            assert!(matches!(why, Refusal::NotConnected { .. }), "{why:?}");
        }
        let mut unknown = machine(MachineKind::Vm, MachineState::Running);
        unknown.os = OsFamily::Unknown;
        assert_eq!(refusal(&unknown, &owner), Some(Refusal::UnknownOs));
    }
}

/// The real examples of `Azure/azure-rest-api-specs` (tests/fixtures/arm) through this module.
#[cfg(test)]
mod examples {
    use serde_json::Value;

    use super::run_command::vm_output;
    use super::watch::{arrival, find, parse_iso_ms, Target};
    use crate::arm::alerts::Alert;
    use crate::arm::run_command::{ArcRunCommand, VmRunCommandResult};
    use crate::arm::Page;

    fn body(file: &str, status: &str) -> Value {
        let path = format!("{}/../../tests/fixtures/arm/{file}", env!("CARGO_MANIFEST_DIR"));
        let example: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        example["responses"][status]["body"].clone()
    }

    const VM1: &str = "/subscriptions/20ff7fc3-e762-44dd-bd96-b71116dcdc23/resourceGroups/myRg1/providers/Microsoft.Compute/virtualMachines/vm1";

    fn target(started: &str) -> Target {
        Target {
            subscription_id: "20ff7fc3-e762-44dd-bd96-b71116dcdc23".into(),
            machine_id: VM1.into(),
            machine_name: "vm1".into(),
            expected_name: "Suspicious PowerShell CommandLine".into(),
            started_ms: parse_iso_ms(started).unwrap(),
        }
    }

    #[test]
    fn the_alerts_example_names_vm1_and_keeps_older_alerts_out() {
        let page: Page<Alert> =
            serde_json::from_value(body("security-alerts/GetAlertsSubscription_example.json", "200")).unwrap();
        // Started a minute before the 2020 alert: it is the one (the 2019 one is older).
        let found = find(&page.value, &target("2020-02-23T13:47:00Z")).unwrap();
        let seen = arrival(found, &target("2020-02-23T13:47:00Z"), 0);
        assert_eq!(seen.name, "Azure Security Center test alert (not a threat)");
        assert_eq!(seen.severity, "High");
        assert_eq!(seen.took_ms, 58_000);
        assert!(seen
            .alert_uri
            .unwrap()
            .starts_with("https://portal.azure.com/#blade/Microsoft_Azure_Security/AlertBlade/"));
        // Started after both: none is the test's.
        assert!(find(&page.value, &target("2020-02-23T14:00:00Z")).is_none());
        // Another machine: none.
        let mut other = target("2019-01-01T00:00:00Z");
        other.machine_id = other.machine_id.replace("vm1", "vm9");
        other.machine_name = "vm9".into();
        assert!(find(&page.value, &other).is_none());
    }

    #[test]
    fn the_vm_run_command_example_gives_stdout_and_stderr() {
        let result: VmRunCommandResult =
            serde_json::from_value(body("vm-run-command/VirtualMachineRunCommand.json", "200")).unwrap();
        let out = vm_output(&result);
        assert!(out.succeeded);
        assert_eq!(out.stdout, "This is a sample script with parameters value1 value2");
        assert_eq!(out.stderr, "");
    }

    #[test]
    fn linux_run_command_messages_split_into_stdout_and_stderr() {
        let result: VmRunCommandResult = serde_json::from_value(serde_json::json!({"value":[{
            "code":"ProvisioningState/succeeded","level":"Info","displayStatus":"Provisioning succeeded",
            "message":"Enable succeeded: \n[stdout]\nhealthy : true\nlicensed : true\n\n[stderr]\n"}]}))
        .unwrap();
        let out = vm_output(&result);
        assert_eq!(out.stdout, "healthy : true\nlicensed : true");
        assert!(out.succeeded);
    }

    #[test]
    fn the_arc_run_command_examples_read_as_running_then_done() {
        let created: ArcRunCommand =
            serde_json::from_value(body("arc-run-commands/RunCommands_CreateOrUpdate.json", "201")).unwrap();
        assert!(created.properties.instance_view.is_none());
        assert_eq!(created.properties.provisioning_state.as_deref(), Some("Creating"));
        let got: ArcRunCommand = serde_json::from_value(body("arc-run-commands/RunCommands_Get.json", "200")).unwrap();
        let view = got.properties.instance_view.unwrap();
        assert!(view.is_done());
        assert_eq!((view.exit_code, view.output.as_deref()), (Some(0), Some("Hello World")));
        assert_eq!(got.properties.source.script.as_deref(), Some("Write-Host Hello World!"));
    }
}

//! Run Command: the VM action (`POST .../virtualMachines/{vm}/runCommand`, a long-running
//! operation whose result is a list of statuses) and the Arc child resource
//! (`.../machines/{m}/runCommands/{name}`, whose `instanceView` carries the outcome).

use serde::{Deserialize, Serialize};

use super::common::null_as_default;
use super::machines::InstanceViewStatus;

/// The body of a VM's `runCommand` action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VmRunCommandInput {
    /// `RunPowerShellScript` or `RunShellScript`.
    pub command_id: String,
    pub script: Vec<String>,
}

/// The VM action's result: `ComponentStatus/StdOut/succeeded` and `.../StdErr/...` on Windows;
/// one `ProvisioningState/...` whose message holds `[stdout]` and `[stderr]` on Linux.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct VmRunCommandResult {
    #[serde(default, deserialize_with = "null_as_default")]
    pub value: Vec<InstanceViewStatus>,
}

/// An Arc machine's run command, as sent (PUT) and read back (GET).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ArcRunCommand {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub location: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub properties: ArcRunCommandProperties,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArcRunCommandProperties {
    #[serde(default, deserialize_with = "null_as_default")]
    pub source: ArcRunCommandSource,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_view: Option<ArcRunCommandInstanceView>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ArcRunCommandSource {
    /// The script, lines joined with newlines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script: Option<String>,
}

/// How the script ran: `executionState` is `Pending`, `Running`, `Succeeded`, `Failed`,
/// `TimedOut`, `Canceled` or `Unknown`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArcRunCommandInstanceView {
    #[serde(default)]
    pub execution_state: Option<String>,
    #[serde(default)]
    pub execution_message: Option<String>,
    #[serde(default)]
    pub exit_code: Option<i64>,
    #[serde(default)]
    pub output: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub start_time: Option<String>,
    #[serde(default)]
    pub end_time: Option<String>,
}

impl ArcRunCommandInstanceView {
    /// Whether the script has ended (any way).
    pub fn is_done(&self) -> bool {
        let state = self.execution_state.as_deref().unwrap_or_default();
        ["Succeeded", "Failed", "TimedOut", "Canceled"].iter().any(|s| s.eq_ignore_ascii_case(state))
    }
}

//! Deployment status: every Azure VM and Arc machine of the tenant, its MDE extension and
//! whether MDE can reach it (seed: "Track MDE deployment status"), plus what can be done to
//! machines (the Linux auto-update tag, removing the extension).
//!
//! [`Machine`] is the one row shape every source turns into: a Resource Graph row
//! ([`load`]), or the ARM fallback's VM / Arc machine with its extensions. Everything after
//! that (readiness, filters, charts, CSV) reads only [`Machine`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use crate::arm::machines::OsFamily;

pub mod actions;
pub mod load;
pub mod rows;

pub mod charts;
pub mod csv;
pub mod readiness;
pub mod table;

/// An Azure VM or an Azure Arc machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MachineKind {
    Vm,
    Arc,
}

impl MachineKind {
    pub fn label(self) -> &'static str {
        match self {
            MachineKind::Vm => "VM",
            MachineKind::Arc => "Arc",
        }
    }

    /// From an ARM resource type (any case): `microsoft.compute/virtualmachines` or
    /// `microsoft.hybridcompute/machines`.
    pub fn from_type(resource_type: &str) -> Option<MachineKind> {
        let t = resource_type.trim();
        if t.eq_ignore_ascii_case("microsoft.compute/virtualmachines") {
            Some(MachineKind::Vm)
        } else if t.eq_ignore_ascii_case("microsoft.hybridcompute/machines") {
            Some(MachineKind::Arc)
        } else {
            None
        }
    }
}

/// Whether the machine runs: a VM's power state, an Arc machine's connection status.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MachineState {
    /// VM `PowerState/running`.
    Running,
    /// VM `PowerState/stopped` (still billed) or `stopping`.
    Stopped,
    /// VM `PowerState/deallocated` or `deallocating`.
    Deallocated,
    /// Arc `Connected`.
    Connected,
    /// Arc `Disconnected`, or `Error`.
    Disconnected,
    /// Arc `Expired`: the agent has been away too long and must be reconnected.
    Expired,
    /// Something else ARM said (e.g. `PowerState/starting`), as it said it.
    Other(String),
    /// ARM did not say.
    Unknown,
}

/// The MDE extension on a machine (`MDE.Windows` or `MDE.Linux`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MdeExtension {
    /// The extension's name as ARM gives it (usually `MDE.Windows` / `MDE.Linux`).
    pub name: String,
    /// `Succeeded`, `Failed`, `Creating`, `Deleting`... as ARM gives it; empty when unknown.
    pub provisioning_state: String,
    /// Why it failed, from the extension's instance view, when known.
    pub message: Option<String>,
}

/// One VM or Arc machine, as the deployment-status table shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    /// The ARM id, as ARM gives it (case kept: it is used to address the machine).
    pub id: String,
    pub name: String,
    pub kind: MachineKind,
    pub os: OsFamily,
    /// What the OS is, for people and for the readiness rules: a VM's image
    /// (`MicrosoftWindowsServer WindowsServer 2016-Datacenter`), an Arc machine's `osSku`
    /// and `osVersion` (`Windows Server 2016 Datacenter 10.0.14393`). Empty when unknown.
    pub os_detail: String,
    pub state: MachineState,
    pub subscription_id: String,
    pub resource_group: String,
    pub location: String,
    pub extension: Option<MdeExtension>,
    pub tags: BTreeMap<String, String>,
}

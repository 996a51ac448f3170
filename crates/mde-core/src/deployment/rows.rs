//! From what Azure answers to [`Machine`]: a Resource Graph row of
//! [`DEPLOYMENT_QUERY`](crate::arm::graph::DEPLOYMENT_QUERY), or ARM's VM / Arc machine with
//! its extensions. Both paths go through the same small rules (state, OS detail, message), so
//! that a machine reads the same whichever way it was loaded.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Machine, MachineKind, MachineState, MdeExtension, OsFamily};
use crate::arm::machines::{
    name_from_id, ArcExtension, ArcMachine, InstanceViewStatus, MachineExtension, VirtualMachine, VmExtension,
    VmExtensionInstanceView,
};

/// A row of [`DEPLOYMENT_QUERY`](crate::arm::graph::DEPLOYMENT_QUERY): one VM or Arc machine
/// joined with one of its MDE extensions (or none). Every column is optional, as in any
/// Resource Graph answer; the computed ones are `tostring()`s, so "" when Azure has nothing.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentRow {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub subscription_id: Option<String>,
    #[serde(default)]
    pub resource_group: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// `microsoft.compute/virtualmachines` or `microsoft.hybridcompute/machines`.
    #[serde(default, rename = "type")]
    pub resource_type: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub tags: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub os_type: Option<String>,
    /// A VM's image (`properties.storageProfile.imageReference`).
    #[serde(default)]
    pub image_publisher: Option<String>,
    #[serde(default)]
    pub image_offer: Option<String>,
    #[serde(default)]
    pub image_sku: Option<String>,
    /// An Arc machine's OS as its agent reports it.
    #[serde(default)]
    pub os_sku: Option<String>,
    #[serde(default)]
    pub os_version: Option<String>,
    /// A VM's `PowerState/...` code (ARG's `properties.extended.instanceView.powerState.code`).
    #[serde(default)]
    pub power_state: Option<String>,
    /// An Arc machine's `Connected` / `Disconnected` / `Expired` / `Error`.
    #[serde(default)]
    pub status: Option<String>,
    /// The joined MDE extension's name; empty or null when the machine has none.
    #[serde(default)]
    pub extension_name: Option<String>,
    #[serde(default)]
    pub provisioning_state: Option<String>,
    /// Arc extensions only: Resource Graph holds no instance view of VM extensions.
    #[serde(default)]
    pub extension_message: Option<String>,
}

/// `Some` non-blank text.
fn text(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl DeploymentRow {
    /// The machine of this row; `None` for a row that is not a VM or an Arc machine, or has no id.
    pub fn machine(&self) -> Option<Machine> {
        let kind = MachineKind::from_type(text(&self.resource_type)?)?;
        let id = text(&self.id)?.to_string();
        let (state, os_detail) = match kind {
            MachineKind::Vm => (
                vm_state(text(&self.power_state)),
                join_known(&[text(&self.image_publisher), text(&self.image_offer), text(&self.image_sku)]),
            ),
            MachineKind::Arc => {
                (arc_state(text(&self.status)), join_known(&[text(&self.os_sku), text(&self.os_version)]))
            }
        };
        let extension = text(&self.extension_name).map(|name| {
            let provisioning_state = text(&self.provisioning_state).unwrap_or_default().to_string();
            let message = failure_only(&provisioning_state, text(&self.extension_message).map(str::to_string));
            MdeExtension { name: name.to_string(), provisioning_state, message }
        });
        Some(Machine {
            name: text(&self.name).unwrap_or_else(|| name_from_id(&id)).to_string(),
            subscription_id: text(&self.subscription_id).map_or_else(|| id_part(&id, "subscriptions"), str::to_string),
            resource_group: text(&self.resource_group).map_or_else(|| id_part(&id, "resourceGroups"), str::to_string),
            location: text(&self.location).unwrap_or_default().to_string(),
            tags: self.tags.clone().unwrap_or_default(),
            os: OsFamily::from_os_type(text(&self.os_type)),
            kind,
            os_detail,
            state,
            extension,
            id,
        })
    }
}

/// The segment after `name` in an ARM id (`subscriptions`, `resourceGroups`), ignoring case.
pub fn id_part(id: &str, name: &str) -> String {
    let mut segments = id.split('/');
    segments.by_ref().find(|s| s.eq_ignore_ascii_case(name));
    segments.next().unwrap_or_default().to_string()
}

fn join_known(parts: &[Option<&str>]) -> String {
    parts.iter().flatten().copied().collect::<Vec<_>>().join(" ")
}

/// A VM's state from its `PowerState/...` code.
pub fn vm_state(code: Option<&str>) -> MachineState {
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
        return MachineState::Unknown;
    };
    let state = code.split_once('/').filter(|(k, _)| k.eq_ignore_ascii_case("PowerState")).map_or(code, |(_, s)| s);
    match state.to_ascii_lowercase().as_str() {
        "running" => MachineState::Running,
        "stopped" | "stopping" => MachineState::Stopped,
        "deallocated" | "deallocating" => MachineState::Deallocated,
        _ => MachineState::Other(code.to_string()),
    }
}

/// An Arc machine's state from its `status`.
pub fn arc_state(status: Option<&str>) -> MachineState {
    let Some(status) = status.map(str::trim).filter(|s| !s.is_empty()) else {
        return MachineState::Unknown;
    };
    match status.to_ascii_lowercase().as_str() {
        "connected" => MachineState::Connected,
        "disconnected" | "error" => MachineState::Disconnected,
        "expired" => MachineState::Expired,
        _ => MachineState::Other(status.to_string()),
    }
}

/// The `PowerState/...` code among a VM's instance-view statuses.
pub fn power_state_code(statuses: &[InstanceViewStatus]) -> Option<&str> {
    statuses
        .iter()
        .filter_map(|s| s.code.as_deref())
        .find(|code| code.split_once('/').is_some_and(|(kind, _)| kind.eq_ignore_ascii_case("PowerState")))
}

/// A message is kept only for a failed extension: it says why. A healthy extension's
/// ("Enable succeeded", "Finished executing command") would only be noise in an error column.
fn failure_only(provisioning_state: &str, message: Option<String>) -> Option<String> {
    message.filter(|m| !m.trim().is_empty() && provisioning_state.eq_ignore_ascii_case("Failed"))
}

/// What the VM agent said about an extension: the first Error-level message (statuses, then
/// substatuses, where MDE.Windows puts its details), else the first message at all.
pub fn vm_extension_message(view: &VmExtensionInstanceView) -> Option<String> {
    let all = || view.statuses.iter().chain(&view.substatuses);
    let said = |s: &&InstanceViewStatus| s.message.as_deref().is_some_and(|m| !m.trim().is_empty());
    let error = all().filter(said).find(|s| s.level.as_deref().is_some_and(|l| l.eq_ignore_ascii_case("Error")));
    error.or_else(|| all().find(said)).and_then(|s| s.message.clone())
}

/// An MDE extension of a VM, as listed with `$expand=instanceView`.
pub fn vm_extension(extension: &VmExtension) -> MdeExtension {
    let provisioning_state = extension.provisioning_state().unwrap_or_default().to_string();
    let message = extension.properties.instance_view.as_ref().and_then(vm_extension_message);
    MdeExtension {
        name: extension.name().to_string(),
        message: failure_only(&provisioning_state, message),
        provisioning_state,
    }
}

/// An MDE extension of an Arc machine (its instance view always comes with it).
pub fn arc_extension(extension: &ArcExtension) -> MdeExtension {
    let provisioning_state = extension.provisioning_state().unwrap_or_default().to_string();
    let message = extension.properties.instance_view.as_ref().and_then(|v| v.status.as_ref()?.message.clone());
    MdeExtension {
        name: extension.name().to_string(),
        message: failure_only(&provisioning_state, message),
        provisioning_state,
    }
}

/// A VM as ARM lists it (with `statusOnly=true`, for its power state).
pub fn vm_machine(vm: &VirtualMachine, subscription_id: &str, extension: Option<MdeExtension>) -> Machine {
    let image = vm.properties.storage_profile.image_reference.as_ref();
    let part = |f: fn(&crate::arm::machines::ImageReference) -> &Option<String>| image.and_then(|i| text(f(i)));
    let statuses = vm.properties.instance_view.as_ref().map_or(&[][..], |v| &v.statuses[..]);
    Machine {
        id: vm.id.clone(),
        name: vm.display_name().to_string(),
        kind: MachineKind::Vm,
        os: vm.os_family(),
        os_detail: join_known(&[part(|i| &i.publisher), part(|i| &i.offer), part(|i| &i.sku)]),
        state: vm_state(power_state_code(statuses)),
        subscription_id: subscription_id.to_string(),
        resource_group: id_part(&vm.id, "resourceGroups"),
        location: vm.location.clone().unwrap_or_default(),
        extension,
        tags: vm.tags.clone(),
    }
}

/// An Arc machine as ARM lists it.
pub fn arc_machine(arc: &ArcMachine, subscription_id: &str, extension: Option<MdeExtension>) -> Machine {
    let p = &arc.properties;
    Machine {
        id: arc.id.clone(),
        name: arc.display_name().to_string(),
        kind: MachineKind::Arc,
        os: arc.os_family(),
        os_detail: join_known(&[text(&p.os_sku), text(&p.os_version)]),
        state: arc_state(text(&p.status)),
        subscription_id: subscription_id.to_string(),
        resource_group: id_part(&arc.id, "resourceGroups"),
        location: arc.location.clone().unwrap_or_default(),
        extension,
        tags: arc.tags.clone(),
    }
}

/// How much an extension's state says: a failure most, then one under way (`Creating`,
/// `Deleting`...), then success, then nothing known.
fn gravity(extension: &MdeExtension) -> (u8, bool) {
    let state = extension.provisioning_state.trim();
    let rank = if state.eq_ignore_ascii_case("Failed") {
        3
    } else if state.eq_ignore_ascii_case("Succeeded") {
        1
    } else if state.is_empty() {
        0
    } else {
        2
    };
    (rank, extension.message.is_some())
}

/// Of two MDE extensions on one machine (rare: usually a failed install of the other OS's
/// extension), the one to show: the worst state, then the one with a message, else the first.
pub fn keep_worse(kept: Option<MdeExtension>, other: Option<MdeExtension>) -> Option<MdeExtension> {
    match (kept, other) {
        (Some(kept), Some(other)) if gravity(&other) > gravity(&kept) => Some(other),
        (Some(kept), _) => Some(kept),
        (None, other) => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ext(state: &str, message: Option<&str>) -> MdeExtension {
        MdeExtension { name: "MDE.Linux".into(), provisioning_state: state.into(), message: message.map(Into::into) }
    }

    #[test]
    fn power_states_and_arc_statuses_read_as_states() {
        assert_eq!(vm_state(Some("PowerState/running")), MachineState::Running);
        assert_eq!(vm_state(Some("PowerState/stopping")), MachineState::Stopped);
        assert_eq!(vm_state(Some("PowerState/Deallocated")), MachineState::Deallocated);
        assert_eq!(vm_state(Some("PowerState/starting")), MachineState::Other("PowerState/starting".into()));
        assert_eq!(vm_state(Some("")), MachineState::Unknown);
        assert_eq!(arc_state(Some("Connected")), MachineState::Connected);
        assert_eq!(arc_state(Some("Error")), MachineState::Disconnected);
        assert_eq!(arc_state(Some("Expired")), MachineState::Expired);
        assert_eq!(arc_state(None), MachineState::Unknown);
    }

    #[test]
    fn the_worse_extension_is_kept() {
        let failed = Some(ext("Failed", None));
        assert_eq!(keep_worse(Some(ext("Succeeded", None)), failed.clone()), failed);
        assert_eq!(keep_worse(failed.clone(), Some(ext("Creating", None))), failed);
        let said = Some(ext("Failed", Some("why")));
        assert_eq!(keep_worse(failed.clone(), said.clone()), said);
        assert_eq!(keep_worse(None, failed.clone()), failed);
    }

    #[test]
    fn ids_give_their_parts() {
        let id = "/subscriptions/S1/resourcegroups/RG-Web/providers/Microsoft.Compute/virtualMachines/vm";
        assert_eq!((id_part(id, "subscriptions"), id_part(id, "resourceGroups")), ("S1".into(), "RG-Web".into()));
        assert_eq!(id_part("/x/y", "resourceGroups"), "");
    }
}

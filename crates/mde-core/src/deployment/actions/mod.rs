//! What can be done to machines: the Linux auto-update tag (seed: "Manage automatic updates
//! configuration for Linux") and removing the MDE extension (seed: "Remove Defender for Endpoint
//! from a machine"), with the bulk change's pattern: select, plan (the exact write per machine,
//! or why it is skipped), run ([`run`]: progress, then a read-back), audit ([`record`]).
//!
//! The plan is data, serialisable like the bulk plan, so that a run survives a reload.

pub mod export;
pub mod run;

use std::collections::BTreeMap;

use http::Method;
use serde::{Deserialize, Serialize};

use super::readiness::{os_class, readiness, OsClass, Readiness, SubscriptionFacts};
use super::{Machine, MachineKind, MachineState};
use crate::api::{self, ResourceId};
use crate::arm::tags::{TagsOperation, TagsPatch, EXCLUDE_MDE_AUTO_UPDATE};

/// Where the Defender for Endpoint documentation says how to offboard a device.
pub const OFFBOARDING_URL: &str = "https://learn.microsoft.com/defender-endpoint/offboard-machines";

/// What to do to every selected machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MachineAction {
    /// Set `ExcludeMdeAutoUpdate=true`: MDE on this Linux machine is updated by hand.
    ExcludeAutoUpdate,
    /// Clear it: Defender for Cloud updates MDE again.
    IncludeAutoUpdate,
    /// Delete the `MDE.Windows` / `MDE.Linux` extension.
    RemoveExtension,
}

impl MachineAction {
    pub const ALL: [MachineAction; 3] =
        [MachineAction::ExcludeAutoUpdate, MachineAction::IncludeAutoUpdate, MachineAction::RemoveExtension];

    pub fn label(self) -> &'static str {
        match self {
            MachineAction::ExcludeAutoUpdate => "Exclude from MDE automatic updates (ExcludeMdeAutoUpdate=true)",
            MachineAction::IncludeAutoUpdate => "Include in MDE automatic updates again (clear ExcludeMdeAutoUpdate)",
            MachineAction::RemoveExtension => "Remove the MDE extension",
        }
    }

    /// A stable word for URLs and file names.
    pub fn key(self) -> &'static str {
        match self {
            MachineAction::ExcludeAutoUpdate => "exclude-auto-update",
            MachineAction::IncludeAutoUpdate => "include-auto-update",
            MachineAction::RemoveExtension => "remove-extension",
        }
    }

    pub fn from_key(key: &str) -> Option<MachineAction> {
        MachineAction::ALL.into_iter().find(|a| a.key() == key)
    }

    /// The tag applies to Linux machines only.
    pub fn linux_only(self) -> bool {
        self != MachineAction::RemoveExtension
    }

    /// What the user must know before choosing it.
    pub fn caveat(self) -> &'static str {
        match self {
            MachineAction::ExcludeAutoUpdate | MachineAction::IncludeAutoUpdate => {
                "The tag is Azure metadata on the machine: the other tags are kept (the write merges, or deletes this one tag). MDE.Linux reads it before updating Defender for Endpoint; Windows machines update through knowledge base updates instead."
            }
            MachineAction::RemoveExtension => {
                "Removing the extension does not offboard the device from Defender for Endpoint: it keeps reporting until it is offboarded. While the subscription's integration is on, Defender for Cloud installs the extension again."
            }
        }
    }
}

/// One step of the seed's removal procedure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovalStep {
    pub text: String,
    pub link: Option<String>,
}

/// The seed's removal procedure, in its order.
pub fn removal_steps() -> Vec<RemovalStep> {
    let step = |text: &str, link: Option<&str>| RemovalStep { text: text.into(), link: link.map(Into::into) };
    vec![
        step(
            "Turn the integration off for the subscription (bulk change: Turn the integration off), or Defender for Cloud installs the extension again.",
            None,
        ),
        step("Delete the MDE.Windows / MDE.Linux extension from the machine.", None),
        step(
            "Offboard the device in the Microsoft Defender portal: removing the extension does NOT offboard it.",
            Some(OFFBOARDING_URL),
        ),
    ]
}

/// `PATCH|GET` the machine's tags.
pub fn tags_path(machine_id: &str) -> String {
    api::tags(&ResourceId::of(machine_id))
}

/// One write of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MachineWrite {
    /// A tags PATCH (`Merge` to set, `Delete` to clear): never `Replace`.
    Tags { machine_id: String, patch: TagsPatch },
    /// DELETE of the MDE extension: a long-running operation.
    DeleteExtension { machine_id: String, kind: MachineKind, extension: String },
}

impl MachineWrite {
    pub fn machine_id(&self) -> &str {
        match self {
            MachineWrite::Tags { machine_id, .. } | MachineWrite::DeleteExtension { machine_id, .. } => machine_id,
        }
    }

    pub fn method(&self) -> Method {
        match self {
            MachineWrite::Tags { .. } => Method::PATCH,
            MachineWrite::DeleteExtension { .. } => Method::DELETE,
        }
    }

    /// The ARM path (with api-version) written to, and read back.
    pub fn path(&self) -> String {
        match self {
            MachineWrite::Tags { machine_id, .. } => tags_path(machine_id),
            MachineWrite::DeleteExtension { machine_id, extension, .. } => {
                api::machine_extension(&ResourceId::of(machine_id), extension)
            }
        }
    }

    pub fn body(&self) -> Option<serde_json::Value> {
        match self {
            MachineWrite::Tags { patch, .. } => serde_json::to_value(patch).ok(),
            MachineWrite::DeleteExtension { .. } => None,
        }
    }

    /// Whether the write sets the tag (`true`), clears it, or removes the extension (`false`:
    /// the extension present is the value the audit log follows).
    pub fn requested(&self) -> bool {
        matches!(self, MachineWrite::Tags { patch, .. } if patch.operation == TagsOperation::Merge)
    }

    /// What the write changes, for the audit log's "setting" column: the tag or the extension,
    /// and the machine's id.
    pub fn target(&self) -> String {
        match self {
            MachineWrite::Tags { machine_id, .. } => format!("{EXCLUDE_MDE_AUTO_UPDATE} tag on {machine_id}"),
            MachineWrite::DeleteExtension { machine_id, extension, .. } => {
                format!("{extension} extension on {machine_id}")
            }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            MachineWrite::Tags { patch, .. } if patch.operation == TagsOperation::Merge => {
                format!(
                    "Set the tag {EXCLUDE_MDE_AUTO_UPDATE}=true (tags PATCH, operation Merge: the other tags are kept)"
                )
            }
            MachineWrite::Tags { .. } => {
                format!(
                    "Clear the tag {EXCLUDE_MDE_AUTO_UPDATE} (tags PATCH, operation Delete: the other tags are kept)"
                )
            }
            MachineWrite::DeleteExtension { extension, .. } => {
                format!("Delete the {extension} extension (a long-running operation, followed until it ends)")
            }
        }
    }
}

/// Why a machine is left out of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SkipKind {
    /// A Windows machine, for the Linux tag.
    NotLinux,
    OsUnknown,
    AlreadySet,
    NotSet,
    NoExtension,
    AlreadyDeleting,
    /// A stopped VM, or an Arc machine away: a removal can't complete.
    NotRunning,
}

impl SkipKind {
    pub const ALL: [SkipKind; 7] = [
        SkipKind::NotLinux,
        SkipKind::OsUnknown,
        SkipKind::AlreadySet,
        SkipKind::NotSet,
        SkipKind::NoExtension,
        SkipKind::AlreadyDeleting,
        SkipKind::NotRunning,
    ];

    pub fn label(self) -> &'static str {
        match self {
            SkipKind::NotLinux => "Windows: the tag is for Linux",
            SkipKind::OsUnknown => "OS unknown",
            SkipKind::AlreadySet => "tag already set",
            SkipKind::NotSet => "tag not set",
            SkipKind::NoExtension => "no MDE extension",
            SkipKind::AlreadyDeleting => "extension already being deleted",
            SkipKind::NotRunning => "machine not running",
        }
    }
}

/// A machine left out, and why in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skip {
    pub kind: SkipKind,
    pub reason: String,
}

impl Skip {
    fn new(kind: SkipKind, reason: impl Into<String>) -> Self {
        Skip { kind, reason: reason.into() }
    }
}

/// One machine in a plan: its write, or why it is skipped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MachineItem {
    pub machine_id: String,
    pub name: String,
    pub subscription_id: String,
    pub kind: MachineKind,
    pub write: Option<MachineWrite>,
    pub skip: Option<Skip>,
}

/// A subscription whose integration would put the removed extension back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemovalWarning {
    pub subscription_id: String,
    /// The machines of the plan that would get the extension again (names).
    pub machines: Vec<String>,
    /// `false`: the subscription's plan or settings are not known, so it may or may not.
    pub known: bool,
    pub reason: String,
}

/// The whole plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MachinePlan {
    pub action: MachineAction,
    pub items: Vec<MachineItem>,
    /// Removal only: subscriptions whose integration is still on (one each).
    pub warnings: Vec<RemovalWarning>,
    /// Removal only: the seed's procedure, in order.
    pub steps: Vec<RemovalStep>,
}

/// What a plan adds up to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub machines: usize,
    pub writes: usize,
    /// Skipped, by reason (in [`SkipKind::ALL`] order, zeros left out).
    pub skipped: Vec<(SkipKind, usize)>,
}

impl MachinePlan {
    pub fn totals(&self) -> Totals {
        let skipped = SkipKind::ALL
            .into_iter()
            .map(|kind| (kind, self.items.iter().filter(|i| i.skip.as_ref().is_some_and(|s| s.kind == kind)).count()))
            .filter(|(_, n)| *n > 0)
            .collect();
        Totals { machines: self.items.len(), writes: self.changing().count(), skipped }
    }

    /// The items that write something.
    pub fn changing(&self) -> impl Iterator<Item = &MachineItem> {
        self.items.iter().filter(|i| i.write.is_some())
    }

    /// The subscriptions to turn the integration off for first (the bulk flow's Off).
    pub fn subscriptions_to_turn_off(&self) -> Vec<String> {
        self.warnings.iter().map(|w| w.subscription_id.clone()).collect()
    }
}

/// Plans `action` for `machines`, with what is known of each machine's subscription.
pub fn plan(
    action: MachineAction,
    machines: &[&Machine],
    facts: impl Fn(&str) -> Option<SubscriptionFacts>,
) -> MachinePlan {
    let items: Vec<MachineItem> = machines.iter().map(|m| plan_one(action, m)).collect();
    let (warnings, steps) = match action {
        MachineAction::RemoveExtension => (removal_warnings(machines, &items, facts), removal_steps()),
        _ => (Vec::new(), Vec::new()),
    };
    MachinePlan { action, items, warnings, steps }
}

/// One machine's write, or its skip.
pub fn plan_one(action: MachineAction, machine: &Machine) -> MachineItem {
    let (write, skip) = match action {
        MachineAction::ExcludeAutoUpdate | MachineAction::IncludeAutoUpdate => {
            split(plan_tag(action == MachineAction::ExcludeAutoUpdate, machine))
        }
        MachineAction::RemoveExtension => split(plan_removal(machine)),
    };
    MachineItem {
        machine_id: machine.id.clone(),
        name: machine.name.clone(),
        subscription_id: machine.subscription_id.clone(),
        kind: machine.kind,
        write,
        skip,
    }
}

fn split(planned: Result<MachineWrite, Skip>) -> (Option<MachineWrite>, Option<Skip>) {
    match planned {
        Ok(write) => (Some(write), None),
        Err(skip) => (None, Some(skip)),
    }
}

/// The tag `ExcludeMdeAutoUpdate` as the machine carries it (any case), with its value.
pub fn exclude_tag(tags: &BTreeMap<String, String>) -> Option<(&str, &str)> {
    tags.iter().find(|(k, _)| k.eq_ignore_ascii_case(EXCLUDE_MDE_AUTO_UPDATE)).map(|(k, v)| (k.as_str(), v.as_str()))
}

fn plan_tag(exclude: bool, machine: &Machine) -> Result<MachineWrite, Skip> {
    match os_class(machine.os, &machine.os_detail) {
        OsClass::Linux => {}
        OsClass::Unknown => {
            return Err(Skip::new(
                SkipKind::OsUnknown,
                "Azure does not say which OS this machine runs: the tag applies to Linux machines only.",
            ))
        }
        _ => {
            return Err(Skip::new(
                SkipKind::NotLinux,
                "A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.",
            ))
        }
    }
    let set = crate::arm::tags::excludes_mde_auto_update(&machine.tags);
    let machine_id = machine.id.clone();
    match (exclude, set) {
        (true, true) => Err(Skip::new(SkipKind::AlreadySet, "The tag ExcludeMdeAutoUpdate=true is already set.")),
        (true, false) => Ok(MachineWrite::Tags { machine_id, patch: TagsPatch::exclude_mde_auto_update(true) }),
        (false, false) => Err(Skip::new(SkipKind::NotSet, "The tag ExcludeMdeAutoUpdate=true is not set.")),
        // Delete names the tag as the machine spells it, with its value: a Delete with another
        // value (`True`) would leave it in place.
        (false, true) => {
            let (name, value) = exclude_tag(&machine.tags).unwrap_or((EXCLUDE_MDE_AUTO_UPDATE, "true"));
            Ok(MachineWrite::Tags { machine_id, patch: TagsPatch::one(TagsOperation::Delete, name, value) })
        }
    }
}

fn plan_removal(machine: &Machine) -> Result<MachineWrite, Skip> {
    let Some(extension) = &machine.extension else {
        return Err(Skip::new(SkipKind::NoExtension, "No MDE extension on this machine: nothing to remove."));
    };
    if extension.provisioning_state.trim().eq_ignore_ascii_case("Deleting") {
        return Err(Skip::new(
            SkipKind::AlreadyDeleting,
            format!("The {} extension is already being deleted.", extension.name),
        ));
    }
    let away = match (&machine.kind, &machine.state) {
        (MachineKind::Vm, MachineState::Stopped | MachineState::Deallocated) => Some(
            "The VM is stopped: Azure can't remove an extension until the VM runs (its agent does the removal). Start the VM, then remove it.",
        ),
        (MachineKind::Arc, MachineState::Disconnected) => Some(
            "The Arc machine is disconnected: the removal can't complete until its agent connects again. Reconnect it, then remove it.",
        ),
        (MachineKind::Arc, MachineState::Expired) => Some(
            "The Arc machine's agent has been away too long (Expired): the removal can't complete until it is reconnected (azcmagent connect).",
        ),
        _ => None,
    };
    if let Some(reason) = away {
        return Err(Skip::new(SkipKind::NotRunning, reason));
    }
    Ok(MachineWrite::DeleteExtension {
        machine_id: machine.id.clone(),
        kind: machine.kind,
        extension: extension.name.clone(),
    })
}

/// Whether Defender for Cloud would install the extension again once removed (`None`: the
/// subscription is not known well enough to say). The readiness rules decide, as for a
/// machine without the extension.
fn comes_back(machine: &Machine, facts: Option<&SubscriptionFacts>) -> Option<bool> {
    let without = Machine { extension: None, ..machine.clone() };
    match readiness(&without, facts) {
        Readiness::Expected | Readiness::NotRunning(_) | Readiness::OsUnknown => Some(true),
        Readiness::SubscriptionUnknown => None,
        _ => Some(false),
    }
}

/// One warning per subscription whose integration would put a removed extension back.
fn removal_warnings(
    machines: &[&Machine],
    items: &[MachineItem],
    facts: impl Fn(&str) -> Option<SubscriptionFacts>,
) -> Vec<RemovalWarning> {
    let mut by_subscription: BTreeMap<&str, (Vec<String>, bool)> = BTreeMap::new();
    for (machine, _) in machines.iter().zip(items).filter(|(_, item)| item.write.is_some()) {
        let known = match comes_back(machine, facts(&machine.subscription_id).as_ref()) {
            Some(false) => continue,
            Some(true) => true,
            None => false,
        };
        let entry = by_subscription.entry(&machine.subscription_id).or_insert((Vec::new(), true));
        entry.0.push(machine.name.clone());
        entry.1 &= known;
    }
    by_subscription
        .into_iter()
        .map(|(subscription_id, (machines, known))| {
            let reason = if known {
                format!(
                    "The integration is on for this subscription (Defender for Servers and WDATP on): Defender for Cloud will install MDE again on {}. Turn the integration off for the subscription first.",
                    count(machines.len())
                )
            } else {
                format!(
                    "The integration of this subscription could not be read: if it is on, Defender for Cloud will install MDE again on {}. Check it, and turn it off first if it is on.",
                    count(machines.len())
                )
            };
            RemovalWarning { subscription_id: subscription_id.to_string(), machines, known, reason }
        })
        .collect()
}

fn count(machines: usize) -> String {
    if machines == 1 {
        "this machine".into()
    } else {
        format!("these {machines} machines")
    }
}

#[cfg(test)]
mod tests;

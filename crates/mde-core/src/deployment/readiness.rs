//! Machine readiness (seed: Availability): whether MDE is, or will be, on a machine, and if
//! not, why, in the admin's words.
//!
//! The rules, first match wins:
//! 1. The MDE extension is there: `Succeeded` is covered; `Failed` / `Canceled` failed (with
//!    ARM's message); any other state (`Creating`, `Updating`, `Deleting`...) in progress. What
//!    the extension says beats every prediction below.
//! 2. Windows 10/11 that is not multi-session: unsupported. Nothing on the subscription changes
//!    that, so it comes before the subscription's switches.
//! 3. The subscription's switches, each only when it is known: the plan is off (nothing
//!    deploys, whatever the integration says); the integration is off; a Linux machine with
//!    Linux excluded; Windows Server 2012 R2 / 2016 without the unified solution.
//! 4. A stopped / deallocated VM or a disconnected / expired Arc machine: the extension can't
//!    install until it runs. It comes after the switches: starting the machine would not help
//!    when the subscription stops the deployment.
//! 5. What is not known: the subscription's plan or settings, then the OS.
//! 6. Otherwise MDE is on its way.

use serde::{Deserialize, Serialize};

use super::{Machine, MachineKind, MachineState, OsFamily};
use crate::status::{IntegrationParts, ServersPlan};

/// What is known of a machine's subscription; `None` fields are not known (not read yet, or
/// unreadable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SubscriptionFacts {
    pub plan: Option<ServersPlan>,
    pub parts: Option<IntegrationParts>,
}

/// Whether MDE is (or will be) on a machine, and if not why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Readiness {
    /// The MDE extension is provisioned.
    Covered,
    /// The extension failed (or its operation was canceled); ARM's message when it gave one.
    Failed { message: Option<String> },
    /// The extension is being created, updated or deleted: `state` as ARM gives it.
    InProgress { state: String },
    /// Windows 10 or 11 that is not Enterprise multi-session.
    UnsupportedOs,
    /// The subscription's Defender for Servers plan is off.
    NoPlan,
    /// The subscription's integration (`WDATP`) is off.
    IntegrationOff,
    /// A Linux machine on a subscription that excludes Linux.
    LinuxExcluded,
    /// Windows Server 2012 R2 / 2016 on a subscription without the unified solution.
    NeedsUnified,
    /// The VM is stopped or deallocated, or the Arc machine disconnected or expired.
    NotRunning(MachineState),
    /// The subscription's plan or integration settings are not known.
    SubscriptionUnknown,
    /// Everything known is set, but ARM did not say which OS the machine runs.
    OsUnknown,
    /// Everything is set and no extension yet: Defender for Cloud deploys it on its own.
    Expected,
}

impl Readiness {
    /// Every variant's key, in rule order (for filter dropdowns and CSS).
    pub const KEYS: [&'static str; 12] = [
        "covered",
        "failed",
        "in-progress",
        "unsupported-os",
        "no-plan",
        "integration-off",
        "linux-excluded",
        "needs-unified",
        "not-running",
        "subscription-unknown",
        "os-unknown",
        "expected",
    ];

    /// A stable word for URLs and CSS classes.
    pub fn key(&self) -> &'static str {
        Self::KEYS[self.order()]
    }

    /// The rule order, 0 = covered.
    fn order(&self) -> usize {
        match self {
            Readiness::Covered => 0,
            Readiness::Failed { .. } => 1,
            Readiness::InProgress { .. } => 2,
            Readiness::UnsupportedOs => 3,
            Readiness::NoPlan => 4,
            Readiness::IntegrationOff => 5,
            Readiness::LinuxExcluded => 6,
            Readiness::NeedsUnified => 7,
            Readiness::NotRunning(_) => 8,
            Readiness::SubscriptionUnknown => 9,
            Readiness::OsUnknown => 10,
            Readiness::Expected => 11,
        }
    }

    /// A short label for the table.
    pub fn label(&self) -> &'static str {
        match self {
            Readiness::Covered => "Covered",
            Readiness::Failed { .. } => "Failed",
            Readiness::InProgress { .. } => "In progress",
            Readiness::UnsupportedOs => "Unsupported OS",
            Readiness::NoPlan => "Plan off",
            Readiness::IntegrationOff => "Integration off",
            Readiness::LinuxExcluded => "Linux excluded",
            Readiness::NeedsUnified => "Needs unified solution",
            Readiness::NotRunning(_) => "Not running",
            Readiness::SubscriptionUnknown => "Subscription unknown",
            Readiness::OsUnknown => "OS unknown",
            Readiness::Expected => "Expected soon",
        }
    }

    /// One or two sentences: what this means and what to do.
    pub fn advice(&self) -> String {
        match self {
            Readiness::Covered => "The MDE extension is installed: Defender for Endpoint runs on this machine.".into(),
            Readiness::Failed { message } => {
                let why = match message.as_deref().map(str::trim) {
                    Some(m) if !m.is_empty() => format!("The MDE extension failed: {m}"),
                    _ => "The MDE extension failed, and ARM gave no reason.".into(),
                };
                format!(
                    "{why} Fix the cause on the machine, then remove the extension: while the integration is on, \
                     Defender for Cloud installs it again."
                )
            }
            Readiness::InProgress { state } if state.eq_ignore_ascii_case("Deleting") => {
                "The MDE extension is being removed.".into()
            }
            Readiness::InProgress { state } if state.trim().is_empty() => {
                "The MDE extension is there, but ARM did not say its state yet.".into()
            }
            Readiness::InProgress { state } => {
                format!("The MDE extension is being installed or updated ({state}); look again in a few minutes.")
            }
            Readiness::UnsupportedOs => "Windows 10 and 11 are not supported, except Windows 10/11 Enterprise \
                 multi-session: Defender for Cloud does not deploy MDE to this machine. Onboard it to \
                 Defender for Endpoint directly."
                .into(),
            Readiness::NoPlan => format!(
                "Defender for Servers is off on this subscription: nothing deploys until Plan 1 or Plan 2 is \
                 turned on. {}",
                who_enables()
            ),
            Readiness::IntegrationOff => format!(
                "The Defender for Endpoint integration is off on this subscription: turn it on and Defender for \
                 Cloud deploys MDE to its machines. {}",
                who_enables()
            ),
            Readiness::LinuxExcluded => format!(
                "This subscription excludes Linux machines from the integration \
                 (WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW): turn Linux on to deploy MDE here. {}",
                who_enables()
            ),
            Readiness::NeedsUnified => format!(
                "Windows Server 2012 R2 and 2016 need the unified solution, which is off on this subscription \
                 (WDATP_UNIFIED_SOLUTION): turn it on to deploy MDE here. {}",
                who_enables()
            ),
            Readiness::NotRunning(state) => not_running_advice(state),
            Readiness::SubscriptionUnknown => "The subscription's plan or integration settings are not known yet (or \
                 your role cannot read them): readiness follows once they are read."
                .into(),
            Readiness::OsUnknown => "The subscription is set, but ARM does not say which OS this machine runs: MDE \
                 deploys to it unless it is Windows 10/11 (not multi-session)."
                .into(),
            Readiness::Expected => "Everything is set: Defender for Cloud deploys MDE on its own, which can take up \
                 to 12 hours after the integration is turned on (an hour for new machines)."
                .into(),
        }
    }

    /// The coarse class of the coverage chart.
    pub fn coverage(&self) -> Coverage {
        match self {
            Readiness::Covered => Coverage::Covered,
            Readiness::Failed { .. } => Coverage::Failed,
            Readiness::UnsupportedOs => Coverage::NotApplicable,
            _ => Coverage::Missing,
        }
    }
}

/// Who may make the subscription-level change a readiness rule asks for (the seed's roles).
fn who_enables() -> String {
    format!("It takes a {} of the subscription.", crate::tenancy::ENABLE_ROLES)
}

fn not_running_advice(state: &MachineState) -> String {
    match state {
        MachineState::Stopped => "The VM is stopped: the extension can't install until it runs. Start it and \
             Defender for Cloud deploys MDE."
            .into(),
        MachineState::Deallocated => "The VM is deallocated: the extension can't install until it runs. Start it \
             and Defender for Cloud deploys MDE."
            .into(),
        MachineState::Expired => "The Arc machine has expired (its agent was away too long): connect it again \
             with azcmagent before MDE can install."
            .into(),
        _ => "The Arc machine is disconnected: the extension can't install until its agent is connected again.".into(),
    }
}

/// The coverage chart's classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Coverage {
    Covered,
    Failed,
    /// No working extension yet (including one being installed).
    Missing,
    /// The OS is not supported: the machine does not count against coverage.
    NotApplicable,
}

impl Coverage {
    pub const ALL: [Coverage; 4] = [Coverage::Covered, Coverage::Failed, Coverage::Missing, Coverage::NotApplicable];

    pub fn label(self) -> &'static str {
        match self {
            Coverage::Covered => "Covered",
            Coverage::Failed => "Failed",
            Coverage::Missing => "Missing",
            Coverage::NotApplicable => "Not applicable",
        }
    }

    /// A stable word for URLs and CSS classes.
    pub fn key(self) -> &'static str {
        match self {
            Coverage::Covered => "covered",
            Coverage::Failed => "failed",
            Coverage::Missing => "missing",
            Coverage::NotApplicable => "not-applicable",
        }
    }
}

/// What the readiness rules need to know of a machine's OS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OsClass {
    /// Windows 10 or 11; `multi_session` for Enterprise multi-session (AVD / EVD images).
    WindowsClient {
        multi_session: bool,
    },
    /// Windows Server 2012 R2 or 2016: MDE through the unified solution.
    WindowsServerDownlevel,
    /// Any other Windows (Server 2019, 2022...).
    Windows,
    Linux,
    Unknown,
}

/// Reads the OS class from the OS family and the detail text (a VM image's
/// `publisher offer sku`, or an Arc machine's `osSku osVersion`).
pub fn os_class(family: OsFamily, detail: &str) -> OsClass {
    let text = detail.to_ascii_lowercase();
    let family = match family {
        OsFamily::Unknown => guess_family(&text),
        known => known,
    };
    match family {
        OsFamily::Linux => OsClass::Linux,
        OsFamily::Unknown => OsClass::Unknown,
        OsFamily::Windows if text.contains("server") || has_token(&text, |t| t.starts_with("ws20")) => {
            if is_downlevel_server(&text) {
                OsClass::WindowsServerDownlevel
            } else {
                OsClass::Windows
            }
        }
        OsFamily::Windows if is_windows_client(&text) => {
            OsClass::WindowsClient { multi_session: is_multi_session(&text) }
        }
        OsFamily::Windows if is_downlevel_version(&text) => OsClass::WindowsServerDownlevel,
        OsFamily::Windows => OsClass::Windows,
    }
}

/// When `osType` is missing (Arc before the agent reports), the detail may still name the OS.
fn guess_family(text: &str) -> OsFamily {
    const LINUX: [&str; 12] = [
        "linux", "ubuntu", "debian", "rhel", "red hat", "redhat", "centos", "suse", "sles", "rocky", "alma", "mariner",
    ];
    if text.contains("windows") {
        OsFamily::Windows
    } else if LINUX.iter().any(|l| text.contains(l)) {
        OsFamily::Linux
    } else {
        OsFamily::Unknown
    }
}

/// The words of a text: runs of ASCII letters and digits.
fn tokens(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|t| !t.is_empty())
}

fn has_token(text: &str, f: impl Fn(&str) -> bool) -> bool {
    tokens(text).any(f)
}

/// Image offers `Windows-10` / `windows-11`, skus `win10-22h2-pro`, Arc `Windows 10 Enterprise`.
/// A version (`Windows 10.0.17763`) is not a client: servers report 10.0 too.
fn is_windows_client(text: &str) -> bool {
    let words: Vec<&str> = tokens(text).collect();
    let client_word = |w: &str| matches!(w, "win10" | "win11" | "windows10" | "windows11");
    words.iter().any(|w| client_word(w))
        || ["windows-10", "windows 10", "windows-11", "windows 11"].iter().any(|p| {
            text.match_indices(p)
                .any(|(at, _)| !text[at + p.len()..].starts_with(|c: char| c == '.' || c.is_ascii_digit()))
        })
}

/// Enterprise multi-session: image skus with an `avd` or `evd` part (`win11-23h2-avd`,
/// `20h2-evd`), or Arc's `... multi-session` / `... for Virtual Desktops`.
fn is_multi_session(text: &str) -> bool {
    has_token(text, |t| t == "avd" || t == "evd")
        || ["multi-session", "multisession", "multi session", "virtual desktops"].iter().any(|p| text.contains(p))
}

/// Windows Server 2012 R2 / 2016 in an image sku (`2012-R2-Datacenter`, `2016-Datacenter`),
/// an offer (`...-ws2016`), Arc's `Windows Server 2016 ...`, or a version.
fn is_downlevel_server(text: &str) -> bool {
    let words: Vec<&str> = tokens(text).collect();
    words.iter().enumerate().any(|(i, w)| match *w {
        "2016" | "ws2016" | "2012r2" | "ws2012r2" => true,
        "2012" => words.get(i + 1) == Some(&"r2"),
        _ => false,
    }) || is_downlevel_version(text)
}

/// Build 10.0.14393 is Windows Server 2016, 6.3.9600 is 2012 R2.
fn is_downlevel_version(text: &str) -> bool {
    ["10.0.14393", "6.3.9600"]
        .iter()
        .any(|v| text.match_indices(v).any(|(at, _)| !text[..at].ends_with(|c: char| c.is_ascii_digit() || c == '.')))
}

/// Whether the machine runs; `Some(state)` when it does not.
fn not_running(machine: &Machine) -> Option<&MachineState> {
    let stopped = match machine.kind {
        MachineKind::Vm => matches!(machine.state, MachineState::Stopped | MachineState::Deallocated),
        MachineKind::Arc => matches!(machine.state, MachineState::Disconnected | MachineState::Expired),
    };
    stopped.then_some(&machine.state)
}

/// The readiness of `machine`, given what is known of its subscription (`None`: nothing yet).
pub fn readiness(machine: &Machine, facts: Option<&SubscriptionFacts>) -> Readiness {
    if let Some(ext) = &machine.extension {
        let state = ext.provisioning_state.trim();
        return if state.eq_ignore_ascii_case("Succeeded") {
            Readiness::Covered
        } else if state.eq_ignore_ascii_case("Failed") || state.eq_ignore_ascii_case("Canceled") {
            Readiness::Failed { message: ext.message.clone().filter(|m| !m.trim().is_empty()) }
        } else {
            Readiness::InProgress { state: state.to_string() }
        };
    }
    let os = os_class(machine.os, &machine.os_detail);
    if os == (OsClass::WindowsClient { multi_session: false }) {
        return Readiness::UnsupportedOs;
    }
    let plan = facts.and_then(|f| f.plan);
    let parts = facts.and_then(|f| f.parts);
    if plan == Some(ServersPlan::Off) {
        return Readiness::NoPlan;
    }
    if let Some(parts) = parts {
        if !parts.integration {
            return Readiness::IntegrationOff;
        }
        if os == OsClass::Linux && !parts.linux {
            return Readiness::LinuxExcluded;
        }
        if os == OsClass::WindowsServerDownlevel && !parts.unified {
            return Readiness::NeedsUnified;
        }
    }
    if let Some(state) = not_running(machine) {
        return Readiness::NotRunning(state.clone());
    }
    if plan.is_none() || parts.is_none() {
        return Readiness::SubscriptionUnknown;
    }
    // Even with every switch on, an unknown OS may be a Windows 10/11 client.
    if os == OsClass::Unknown {
        return Readiness::OsUnknown;
    }
    Readiness::Expected
}

//! Many subscriptions at once: which to pick, the plan (the exact writes per subscription, and
//! the ones skipped with their reason), and the run that applies it ([`run`]).
//!
//! The plan is data: the page shows it, the exports turn it into scripts and templates, and
//! the run sends exactly its writes. It is serialisable, so a run survives a reload.

pub mod export;
pub mod run;

use serde::{Deserialize, Serialize};

use crate::api;
use crate::arm::pricings::VIRTUAL_MACHINES;
use crate::change::{self, Facts, Intent, NotReady, SettingChange};
use crate::cloud::Cloud;
use crate::error::roles_for;
use crate::overview::{SubscriptionRow, SETTINGS_WRITE};
use crate::status::{IntegrationParts, IntegrationStatus, ServersPlan};

/// What to do to every selected subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// Turn the integration fully on: WDATP, Linux and the unified solution.
    Fix,
    LinuxOn,
    UnifiedOn,
    /// Turn the integration off (machines stay onboarded).
    Off,
    /// Turn the integration (WDATP) on alone: a subscription page's switch, not a bulk choice.
    On,
}

impl Action {
    /// The bulk page's choices.
    pub const ALL: [Action; 4] = [Action::Fix, Action::LinuxOn, Action::UnifiedOn, Action::Off];

    /// The action a subscription page's switch asks for.
    pub fn of(intent: Intent) -> Action {
        match intent {
            Intent::Fix => Action::Fix,
            Intent::LinuxOn => Action::LinuxOn,
            Intent::UnifiedOn => Action::UnifiedOn,
            Intent::Integration(false) => Action::Off,
            Intent::Integration(true) => Action::On,
        }
    }

    pub fn intent(self) -> Intent {
        match self {
            Action::On => Intent::Integration(true),
            Action::Fix => Intent::Fix,
            Action::LinuxOn => Intent::LinuxOn,
            Action::UnifiedOn => Intent::UnifiedOn,
            Action::Off => Intent::Integration(false),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Action::Fix => "Turn the integration fully on (Fix)",
            Action::LinuxOn => "Enable Linux",
            Action::UnifiedOn => "Enable the unified solution",
            Action::Off => "Turn the integration off",
            Action::On => "Turn the integration on",
        }
    }

    /// A stable word for URLs and file names.
    pub fn key(self) -> &'static str {
        match self {
            Action::Fix => "fix",
            Action::LinuxOn => "linux",
            Action::UnifiedOn => "unified",
            Action::Off => "off",
            Action::On => "on",
        }
    }

    pub fn from_key(key: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.key() == key)
    }

    pub fn turns_on(self) -> bool {
        self != Action::Off
    }

    /// What the user must know before choosing it (seed: "Disable the integration").
    pub fn caveat(self) -> Option<&'static str> {
        (self == Action::Off).then_some(
            "Turning the integration off stops onboarding new machines. Machines already onboarded stay onboarded and keep reporting to Defender for Endpoint: offboarding them is a separate step.",
        )
    }
}

/// The quick picks of the overview's selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    Partial,
    /// Windows on, Linux off: the seed's insight panel ("Enable Linux for these N").
    LinuxGap,
    /// Off, and I may change them.
    OffChangeable,
    /// The integration on without the unified solution.
    UnifiedOff,
}

impl Pick {
    pub const ALL: [Pick; 4] = [Pick::Partial, Pick::LinuxGap, Pick::OffChangeable, Pick::UnifiedOff];

    pub fn label(self) -> &'static str {
        match self {
            Pick::Partial => "All Partial",
            Pick::LinuxGap => "Windows on, Linux off",
            Pick::OffChangeable => "All Off that I can change",
            Pick::UnifiedOff => "Unified solution off",
        }
    }

    /// The action the pick is usually made for.
    pub fn action(self) -> Action {
        match self {
            Pick::Partial | Pick::OffChangeable => Action::Fix,
            Pick::LinuxGap => Action::LinuxOn,
            Pick::UnifiedOff => Action::UnifiedOn,
        }
    }

    pub fn matches(self, row: &SubscriptionRow) -> bool {
        let Some(parts) = row.parts.ready() else { return false };
        match self {
            Pick::Partial => row.status() == Some(IntegrationStatus::Partial),
            Pick::LinuxGap => parts.windows_on_linux_off(),
            Pick::OffChangeable => {
                !parts.integration && row.can_change.ready() == Some(&true) && change::writable(&row.subscription.state)
            }
            Pick::UnifiedOff => parts.integration && !parts.unified,
        }
    }
}

/// One write of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Write {
    Setting(SettingChange),
    /// Defender for Servers on (`pricings/VirtualMachines` Standard with this sub-plan).
    ServersPlan {
        subscription_id: String,
        sub_plan: ServersPlan,
    },
}

impl Write {
    pub fn subscription_id(&self) -> &str {
        match self {
            Write::Setting(change) => &change.subscription_id,
            Write::ServersPlan { subscription_id, .. } => subscription_id,
        }
    }

    /// The ARM path (with api-version) this write PUTs to.
    pub fn path(&self) -> String {
        match self {
            Write::Setting(change) => change.path(),
            Write::ServersPlan { subscription_id, .. } => api::pricing(subscription_id, VIRTUAL_MACHINES),
        }
    }

    pub fn body(&self) -> serde_json::Value {
        match self {
            Write::Setting(change) => change.body(),
            Write::ServersPlan { sub_plan, .. } => pricing_body(*sub_plan),
        }
    }

    /// What it does, in the portal's words.
    pub fn describe(&self) -> String {
        match self {
            Write::Setting(change) => change.describe(),
            Write::ServersPlan { sub_plan, .. } => format!(
                "Turn on Defender for Servers {} (pricing VirtualMachines = Standard, subPlan {}): billed per server per hour",
                plan_name(*sub_plan),
                sub_plan.label()
            ),
        }
    }

    /// The value written: the setting's `enabled`, or `true` (a plan turned on).
    pub fn requested(&self) -> bool {
        match self {
            Write::Setting(change) => change.enabled,
            Write::ServersPlan { .. } => true,
        }
    }

    /// Whether it starts onboarding machines (a setting turned on; a plan alone does not).
    pub fn turns_on(&self) -> bool {
        matches!(self, Write::Setting(change) if change.turns_on())
    }

    /// The resource name written: the setting, or the pricing.
    pub fn name(&self) -> &str {
        match self {
            Write::Setting(change) => &change.setting,
            Write::ServersPlan { .. } => VIRTUAL_MACHINES,
        }
    }
}

/// "Plan 1" or "Plan 2".
pub fn plan_name(plan: ServersPlan) -> &'static str {
    match plan {
        ServersPlan::P1 => "Plan 1",
        ServersPlan::P2 => "Plan 2",
        ServersPlan::Off => "off",
    }
}

/// The body of `PUT pricings/VirtualMachines` that turns Defender for Servers on, as the
/// spec's example and `az security pricing create --tier standard --subplan P2` send it.
pub fn pricing_body(sub_plan: ServersPlan) -> serde_json::Value {
    serde_json::json!({ "properties": { "pricingTier": "Standard", "subPlan": sub_plan.label() } })
}

/// Why a subscription is left out of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SkipKind {
    AlreadyDone,
    NoPermission,
    NoServersPlan,
    ReadOnly,
    CloudUnsupported,
    NotAllowed,
    /// Its settings, plan or permissions could not be read (or are still loading).
    Unknown,
}

impl SkipKind {
    pub const ALL: [SkipKind; 7] = [
        SkipKind::AlreadyDone,
        SkipKind::NoPermission,
        SkipKind::NoServersPlan,
        SkipKind::ReadOnly,
        SkipKind::CloudUnsupported,
        SkipKind::NotAllowed,
        SkipKind::Unknown,
    ];

    pub fn label(self) -> &'static str {
        match self {
            SkipKind::AlreadyDone => "already in that state",
            SkipKind::NoPermission => "no permission",
            SkipKind::NoServersPlan => "Defender for Servers off",
            SkipKind::ReadOnly => "subscription not writable",
            SkipKind::CloudUnsupported => "cloud not supported",
            SkipKind::NotAllowed => "not allowed",
            SkipKind::Unknown => "state unknown",
        }
    }
}

/// A subscription left out, and why in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Skip {
    pub kind: SkipKind,
    pub reason: String,
}

impl Skip {
    fn from_not_ready(not_ready: &NotReady, offer_plan: bool) -> Self {
        let kind = match not_ready {
            NotReady::AlreadyDone => SkipKind::AlreadyDone,
            NotReady::NoPermission => SkipKind::NoPermission,
            NotReady::NoServersPlan => SkipKind::NoServersPlan,
            NotReady::SubscriptionReadOnly(_) => SkipKind::ReadOnly,
            NotReady::CloudUnsupported(_) => SkipKind::CloudUnsupported,
            NotReady::NotAllowed(_) => SkipKind::NotAllowed,
            NotReady::Unknown => SkipKind::Unknown,
        };
        let reason = match not_ready {
            NotReady::NoPermission => format!(
                "You may not change this subscription: it takes {SETTINGS_WRITE}, which {} grant.",
                roles_for(SETTINGS_WRITE)
            ),
            NotReady::NoServersPlan if offer_plan => format!(
                "{} Or choose to turn on Plan 1 or Plan 2 in this plan (billed per server per hour).",
                not_ready.reason()
            ),
            other => other.reason(),
        };
        Skip { kind, reason }
    }
}

/// One subscription in a plan: its writes in order, or why it is skipped.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PlanItem {
    pub subscription_id: String,
    pub name: String,
    pub writes: Vec<Write>,
    pub skip: Option<Skip>,
    /// Defender for Servers as read when planned: the read-back after a run that does not
    /// write the plan takes it from here instead of reading it again (one request less).
    #[serde(default)]
    pub plan_now: Option<ServersPlan>,
    /// The integration as read when planned: the audit log's "before".
    #[serde(default)]
    pub parts_now: Option<IntegrationParts>,
}

impl PlanItem {
    /// The subscription as read when planned, when both its settings and its plan were known.
    pub fn before(&self) -> Option<run::ReadBack> {
        Some(run::ReadBack { parts: self.parts_now?, plan: self.plan_now? })
    }
}

/// The whole plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub action: Action,
    /// Turn Defender for Servers on (P1 or P2) where it is off: an explicit opt-in, never a default.
    pub servers_plan: Option<ServersPlan>,
    pub items: Vec<PlanItem>,
}

/// What a plan adds up to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub subscriptions: usize,
    /// Subscriptions with at least one write.
    pub changing: usize,
    pub writes: usize,
    /// Of those, Defender for Servers plans turned on (billed).
    pub plan_writes: usize,
    /// Skipped, by reason (in [`SkipKind::ALL`] order, zeros left out).
    pub skipped: Vec<(SkipKind, usize)>,
}

impl Plan {
    /// Plans `action` for `rows`, from what the overview knows of each.
    pub fn new(action: Action, servers_plan: Option<ServersPlan>, cloud: &Cloud, rows: &[&SubscriptionRow]) -> Plan {
        let servers_plan = servers_plan.filter(|p| p.allows_integration() && action.turns_on());
        let items = rows.iter().map(|row| plan_one(action, servers_plan, cloud, row)).collect();
        Plan { action, servers_plan, items }
    }

    /// One subscription's switches (the subscription page) as a plan of one, with what the
    /// page read of it.
    pub fn one(
        intent: Intent,
        name: &str,
        changes: Vec<SettingChange>,
        parts: IntegrationParts,
        plan: ServersPlan,
    ) -> Plan {
        let subscription_id = changes.first().map(|c| c.subscription_id.clone()).unwrap_or_default();
        let item = PlanItem {
            subscription_id,
            name: name.to_string(),
            writes: changes.into_iter().map(Write::Setting).collect(),
            skip: None,
            plan_now: Some(plan),
            parts_now: Some(parts),
        };
        Plan { action: Action::of(intent), servers_plan: None, items: vec![item] }
    }

    pub fn totals(&self) -> Totals {
        let mut totals = Totals { subscriptions: self.items.len(), ..Totals::default() };
        for item in &self.items {
            if !item.writes.is_empty() {
                totals.changing += 1;
            }
            totals.writes += item.writes.len();
            totals.plan_writes += item.writes.iter().filter(|w| matches!(w, Write::ServersPlan { .. })).count();
        }
        totals.skipped = SkipKind::ALL
            .into_iter()
            .map(|kind| (kind, self.items.iter().filter(|i| i.skip.as_ref().is_some_and(|s| s.kind == kind)).count()))
            .filter(|(_, n)| *n > 0)
            .collect();
        totals
    }

    /// The items that write something.
    pub fn changing(&self) -> impl Iterator<Item = &PlanItem> {
        self.items.iter().filter(|i| !i.writes.is_empty())
    }
}

/// One subscription's writes: the plan write first (the integration needs it), then the settings.
pub fn plan_one(action: Action, servers_plan: Option<ServersPlan>, cloud: &Cloud, row: &SubscriptionRow) -> PlanItem {
    let plan_off = row.plan.ready() == Some(&ServersPlan::Off);
    let turn_plan_on = action.turns_on() && plan_off && servers_plan.is_some();
    let facts = Facts {
        cloud,
        subscription_id: &row.subscription.subscription_id,
        subscription_state: &row.subscription.state,
        parts: row.parts.ready().copied(),
        // With the opt-in, the plan is planned as it will be once its write is done.
        plan: if turn_plan_on { servers_plan } else { row.plan.ready().copied() },
        can_change: row.can_change.ready().copied(),
    };
    let plan_write = servers_plan
        .filter(|_| turn_plan_on)
        .map(|sub_plan| Write::ServersPlan { subscription_id: facts.subscription_id.to_string(), sub_plan });
    let (writes, skip) = match (change::plan(action.intent(), &facts), plan_write) {
        (Ok(changes), plan_write) => {
            let mut writes: Vec<Write> = plan_write.into_iter().collect();
            writes.extend(changes.into_iter().map(Write::Setting));
            (writes, None)
        }
        // "On — no plan": the settings are already so, the plan alone is missing.
        (Err(NotReady::AlreadyDone), Some(plan_write)) => (vec![plan_write], None),
        (Err(not_ready), _) => (Vec::new(), Some(Skip::from_not_ready(&not_ready, action.turns_on()))),
    };
    PlanItem {
        subscription_id: row.subscription.subscription_id.clone(),
        name: row.subscription.display_name.clone(),
        writes,
        skip,
        plan_now: row.plan.ready().copied(),
        parts_now: row.parts.ready().copied(),
    }
}

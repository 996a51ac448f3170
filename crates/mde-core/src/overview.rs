//! The overview of every subscription: what to fetch, in which order, and the rows it makes.
//!
//! One `/subscriptions` listing, then per subscription its settings and permissions, at most
//! `concurrency` requests in flight, and the Defender for Servers plans of all subscriptions in
//! one Resource Graph query (per-subscription pricing reads only if that query fails).
//! Events are emitted as answers arrive, so rows fill in while the rest is still loading.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use futures::StreamExt;

use crate::api;
use crate::arm::graph::{PlanRow, MACHINES_QUERY, PLANS_QUERY};
use crate::arm::permissions::{self, Permission};
use crate::arm::pricings::{Pricing, VIRTUAL_MACHINES};
use crate::arm::settings::Setting;
use crate::arm::subscriptions::Subscription;
use crate::client::ArmClient;
use crate::coverage::{self, Coverage, MachineRow};
use crate::error::ArmFailure;
use crate::status::{IntegrationParts, IntegrationStatus, ServersPlan};
use crate::transport::Transport;

/// The action that changing the integration needs.
pub const SETTINGS_WRITE: &str = "Microsoft.Security/settings/write";

/// Something the overview learned.
#[derive(Debug, Clone, PartialEq)]
pub enum OverviewEvent {
    /// The subscriptions list arrived (all pages).
    Listed(Vec<Subscription>),
    /// The subscriptions list could not be read: nothing else will come.
    ListFailed(ArmFailure),
    /// Plans of many subscriptions at once (from Resource Graph), keyed by lower-case id.
    Plans(HashMap<String, ServersPlan>),
    /// The plan of one subscription, or why it could not be read.
    Plan { subscription_id: String, result: Result<ServersPlan, ArmFailure> },
    Settings { subscription_id: String, result: Result<Vec<Setting>, ArmFailure> },
    Permissions { subscription_id: String, result: Result<Vec<Permission>, ArmFailure> },
    /// Machine coverage of every subscription (from Resource Graph), after the table is complete.
    Coverage(Result<HashMap<String, Coverage>, ArmFailure>),
}

/// What one fetch task brings back: an event for the view, or the news that Resource Graph
/// refused the plans query (the view need not know; [`load`] falls back).
enum Answer {
    Event(OverviewEvent),
    PlansQueryFailed,
}

type Task<'a> = Pin<Box<dyn Future<Output = Answer> + 'a>>;

/// Fetches the whole overview, calling `emit` for each answer as it arrives.
pub async fn load<T: Transport>(client: &ArmClient<T>, concurrency: usize, mut emit: impl FnMut(OverviewEvent)) {
    let subscriptions: Vec<Subscription> = match client.list(&api::subscriptions()).await {
        Ok(list) => list,
        Err(failure) => return emit(OverviewEvent::ListFailed(failure)),
    };
    let ids: Vec<String> = subscriptions.iter().map(|s| s.subscription_id.clone()).collect();
    emit(OverviewEvent::Listed(subscriptions));
    if ids.is_empty() {
        return;
    }

    let mut tasks: Vec<Task<'_>> = Vec::with_capacity(ids.len() * 2 + 1);
    tasks.push(Box::pin(plans_query(client, ids.clone())));
    for id in &ids {
        tasks.push(Box::pin(settings(client, id.clone())));
        tasks.push(Box::pin(permissions(client, id.clone())));
    }
    let mut plans_query_failed = false;
    let mut answers = futures::stream::iter(tasks).buffer_unordered(concurrency.max(1));
    while let Some(answer) = answers.next().await {
        match answer {
            Answer::Event(event) => emit(event),
            Answer::PlansQueryFailed => plans_query_failed = true,
        }
    }
    drop(answers);

    if plans_query_failed {
        let tasks = ids.iter().map(|id| pricing(client, id.clone()));
        let mut answers = futures::stream::iter(tasks).buffer_unordered(concurrency.max(1));
        while let Some(event) = answers.next().await {
            emit(event);
        }
    }

    // Coverage comes last: the table is usable without it.
    let rows = client.query::<MachineRow>(MACHINES_QUERY, &ids).await;
    emit(OverviewEvent::Coverage(rows.map(|rows| coverage::by_subscription(&rows))));
}

/// Plans of all subscriptions in one query. Subscriptions absent from the answer have no
/// `VirtualMachines` pricing at all: their plan is Off. Keys are lower-case, since Resource
/// Graph may spell an id in another case than `/subscriptions` did.
async fn plans_query<T: Transport>(client: &ArmClient<T>, ids: Vec<String>) -> Answer {
    match client.query::<PlanRow>(PLANS_QUERY, &ids).await {
        Ok(rows) => {
            let mut plans: HashMap<String, ServersPlan> =
                ids.into_iter().map(|id| (id.to_ascii_lowercase(), ServersPlan::Off)).collect();
            for row in rows {
                let plan = ServersPlan::from_tier(&row.pricing_tier, row.sub_plan.as_deref());
                plans.insert(row.subscription_id.to_ascii_lowercase(), plan);
            }
            Answer::Event(OverviewEvent::Plans(plans))
        }
        Err(_) => Answer::PlansQueryFailed,
    }
}

async fn settings<T: Transport>(client: &ArmClient<T>, subscription_id: String) -> Answer {
    let result = client.list(&api::settings(&subscription_id)).await;
    Answer::Event(OverviewEvent::Settings { subscription_id, result })
}

async fn permissions<T: Transport>(client: &ArmClient<T>, subscription_id: String) -> Answer {
    let result = client.list(&api::permissions(&subscription_id)).await;
    Answer::Event(OverviewEvent::Permissions { subscription_id, result })
}

async fn pricing<T: Transport>(client: &ArmClient<T>, subscription_id: String) -> OverviewEvent {
    let result = match client.get::<Pricing>(&api::pricing(&subscription_id, VIRTUAL_MACHINES)).await {
        Ok(p) => Ok(ServersPlan::from_pricing(Some(&p))),
        Err(ArmFailure::Http { status: 404, .. }) => Ok(ServersPlan::Off),
        Err(failure) => Err(failure),
    };
    OverviewEvent::Plan { subscription_id, result }
}

/// A value still on its way, arrived, or refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Load<T> {
    Loading,
    Ready(T),
    Failed(ArmFailure),
}

impl<T> Load<T> {
    pub fn ready(&self) -> Option<&T> {
        match self {
            Load::Ready(value) => Some(value),
            _ => None,
        }
    }

    fn from_result(result: Result<T, ArmFailure>) -> Self {
        result.map_or_else(Load::Failed, Load::Ready)
    }
}

/// One subscription as the overview shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SubscriptionRow {
    pub subscription: Subscription,
    pub parts: Load<IntegrationParts>,
    pub plan: Load<ServersPlan>,
    /// Whether the caller may write `Microsoft.Security/settings`.
    pub can_change: Load<bool>,
    /// Machines and how many carry MDE (Loading until the coverage query answers).
    pub coverage: Load<Coverage>,
    /// Bumped on every change, so a keyed list re-renders exactly the rows that changed.
    pub version: u32,
}

impl SubscriptionRow {
    fn new(subscription: Subscription) -> Self {
        SubscriptionRow {
            subscription,
            parts: Load::Loading,
            plan: Load::Loading,
            can_change: Load::Loading,
            coverage: Load::Loading,
            version: 0,
        }
    }

    pub fn status(&self) -> Option<IntegrationStatus> {
        self.parts.ready().map(|p| p.status())
    }
}

/// Every subscription's row, built from [`OverviewEvent`]s in arrival order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Overview {
    pub rows: Vec<SubscriptionRow>,
    /// The subscriptions list itself failed.
    pub failure: Option<ArmFailure>,
    pub listed: bool,
    index: HashMap<String, usize>,
}

impl Overview {
    pub fn apply(&mut self, event: OverviewEvent) {
        match event {
            OverviewEvent::Listed(subscriptions) => {
                self.listed = true;
                self.index = subscriptions
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (s.subscription_id.to_ascii_lowercase(), i))
                    .collect();
                self.rows = subscriptions.into_iter().map(SubscriptionRow::new).collect();
            }
            OverviewEvent::ListFailed(failure) => self.failure = Some(failure),
            OverviewEvent::Plans(plans) => {
                for row in &mut self.rows {
                    if let Some(plan) = plans.get(&row.subscription.subscription_id.to_ascii_lowercase()) {
                        row.plan = Load::Ready(*plan);
                        row.version += 1;
                    }
                }
            }
            OverviewEvent::Plan { subscription_id, result } => {
                self.update(&subscription_id, |row| row.plan = Load::from_result(result))
            }
            OverviewEvent::Settings { subscription_id, result } => self.update(&subscription_id, |row| {
                row.parts = Load::from_result(result.map(|s| IntegrationParts::from_settings(&s)))
            }),
            OverviewEvent::Permissions { subscription_id, result } => self.update(&subscription_id, |row| {
                row.can_change = Load::from_result(result.map(|p| permissions::allows(&p, SETTINGS_WRITE)))
            }),
            OverviewEvent::Coverage(result) => {
                for row in &mut self.rows {
                    row.coverage = match &result {
                        Ok(counts) => Load::Ready(
                            counts.get(&row.subscription.subscription_id.to_ascii_lowercase()).copied().unwrap_or_default(),
                        ),
                        Err(failure) => Load::Failed(failure.clone()),
                    };
                    row.version += 1;
                }
            }
        }
    }

    fn update(&mut self, subscription_id: &str, change: impl FnOnce(&mut SubscriptionRow)) {
        if let Some(&i) = self.index.get(&subscription_id.to_ascii_lowercase()) {
            let row = &mut self.rows[i];
            change(row);
            row.version += 1;
        }
    }

    /// How many subscriptions have each status (loading rows are not counted).
    pub fn count(&self, status: IntegrationStatus) -> usize {
        self.rows.iter().filter(|r| r.status() == Some(status)).count()
    }

    /// Rows still waiting for an answer.
    pub fn pending(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| matches!(r.parts, Load::Loading) || matches!(r.plan, Load::Loading) || matches!(r.can_change, Load::Loading))
            .count()
    }
}

//! The overview of every subscription: what to fetch, in which order, and the rows it makes.
//!
//! One `/subscriptions` listing, then per subscription its settings and permissions, at most
//! `concurrency` requests in flight, and the Defender for Servers plans of all subscriptions in
//! one Resource Graph query (per-subscription pricing reads only if that query fails).
//! Events are emitted as answers arrive, so rows fill in while the rest is still loading.

use std::cell::RefCell;
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
    /// A page of the subscriptions list arrived (pages come in order); `more`: pages follow.
    Listed {
        subscriptions: Vec<Subscription>,
        more: bool,
    },
    /// The subscriptions list could not be read (further): no more subscriptions will come.
    ListFailed(ArmFailure),
    /// Plans of many subscriptions at once (from Resource Graph), keyed by lower-case id.
    Plans(HashMap<String, ServersPlan>),
    /// The plan of one subscription, or why it could not be read.
    Plan {
        subscription_id: String,
        result: Result<ServersPlan, ArmFailure>,
    },
    Settings {
        subscription_id: String,
        result: Result<Vec<Setting>, ArmFailure>,
    },
    Permissions {
        subscription_id: String,
        result: Result<Vec<Permission>, ArmFailure>,
    },
    /// Machine coverage of every subscription (from Resource Graph), after the table is complete.
    Coverage(Result<HashMap<String, Coverage>, ArmFailure>),
}

/// What one fetch task brings back: an event for the view, or subscriptions whose plan must
/// be read one by one (Resource Graph refused the query, or its answer lacks them: ARG can lag
/// minutes behind ARM, so a missing row is not proof of "no plan"). The view need not know.
enum Answer {
    Event(OverviewEvent),
    Plans { found: HashMap<String, ServersPlan>, read_directly: Vec<String> },
}

type Task<'a> = Pin<Box<dyn Future<Output = Answer> + 'a>>;

/// Fetches the whole overview, calling `emit` for each answer as it arrives.
///
/// Subscriptions stream in page by page, and each page's settings and permissions are
/// fetched while the next page is still on its way, so the first rows show after about two
/// round trips whatever the tenant's size. The plans come from Resource Graph: one query for
/// the first page (so the first rows are complete early), one for all the rest.
pub async fn load<T: Transport>(client: &ArmClient<T>, concurrency: usize, mut emit: impl FnMut(OverviewEvent)) {
    let later_ids: RefCell<Vec<String>> = RefCell::new(Vec::new());
    let pages = futures::stream::unfold((Some(client.url(&api::subscriptions())), true), |(next, first)| {
        let later_ids = &later_ids;
        async move {
            let url = next?;
            let tasks: Vec<Task<'_>> = match client.page::<Subscription>(url).await {
                Ok((subscriptions, next)) => {
                    let ids: Vec<String> = subscriptions.iter().map(|s| s.subscription_id.clone()).collect();
                    let mut tasks: Vec<Task<'_>> = Vec::with_capacity(ids.len() * 2 + 2);
                    let more = next.is_some();
                    tasks.push(Box::pin(futures::future::ready(Answer::Event(OverviewEvent::Listed {
                        subscriptions,
                        more,
                    }))));
                    if first && !ids.is_empty() {
                        tasks.push(Box::pin(plans_query(client, ids.clone())));
                    } else {
                        later_ids.borrow_mut().extend(ids.iter().cloned());
                    }
                    for id in ids {
                        tasks.push(Box::pin(settings(client, id.clone())));
                        tasks.push(Box::pin(permissions(client, id)));
                    }
                    return Some((tasks, (next, false)));
                }
                Err(failure) => {
                    vec![Box::pin(futures::future::ready(Answer::Event(OverviewEvent::ListFailed(failure))))]
                }
            };
            Some((tasks, (None, false)))
        }
    });
    // Once every page is listed, the plans of the subscriptions after the first page.
    // (`lazy`: the ids are read when the stream gets there, after the last page.)
    let rest = futures::stream::once(futures::future::lazy(|_| {
        let ids = later_ids.borrow_mut().split_off(0);
        let task: Task<'_> = if ids.is_empty() {
            Box::pin(futures::future::ready(Answer::Event(OverviewEvent::Plans(HashMap::new()))))
        } else {
            Box::pin(plans_query(client, ids))
        };
        task
    }));
    let tasks = pages.flat_map(futures::stream::iter).chain(rest);

    let mut all_ids: Vec<String> = Vec::new();
    let mut read_directly: Vec<String> = Vec::new();
    let mut answers = std::pin::pin!(tasks.buffer_unordered(concurrency.max(1)));
    while let Some(answer) = answers.next().await {
        match answer {
            Answer::Event(event) => {
                if let OverviewEvent::Listed { subscriptions, .. } = &event {
                    all_ids.extend(subscriptions.iter().map(|s| s.subscription_id.clone()));
                }
                emit(event)
            }
            Answer::Plans { found, read_directly: missing } => {
                if !found.is_empty() {
                    emit(OverviewEvent::Plans(found));
                }
                read_directly.extend(missing);
            }
        }
    }

    if !read_directly.is_empty() {
        let tasks = read_directly.into_iter().map(|id| pricing(client, id));
        let mut answers = futures::stream::iter(tasks).buffer_unordered(concurrency.max(1));
        while let Some(event) = answers.next().await {
            emit(event);
        }
    }

    // Coverage comes last: the table is usable without it.
    if !all_ids.is_empty() {
        let rows = client.query::<MachineRow>(MACHINES_QUERY, &all_ids).await;
        emit(OverviewEvent::Coverage(rows.map(|rows| coverage::by_subscription(&rows))));
    }
}

/// Plans of all subscriptions in one query. Keys are lower-case, since Resource Graph may
/// spell an id in another case than `/subscriptions` did. A subscription absent from the answer
/// is read directly rather than assumed Off.
async fn plans_query<T: Transport>(client: &ArmClient<T>, ids: Vec<String>) -> Answer {
    let rows = match client.query::<PlanRow>(PLANS_QUERY, &ids).await {
        Ok(rows) => rows,
        Err(_) => return Answer::Plans { found: HashMap::new(), read_directly: ids },
    };
    let plans: HashMap<String, ServersPlan> = rows
        .into_iter()
        .map(|row| (row.subscription_id.to_ascii_lowercase(), ServersPlan::from_tier(&row.pricing_tier, row.sub_plan.as_deref())))
        .collect();
    let read_directly = ids.into_iter().filter(|id| !plans.contains_key(&id.to_ascii_lowercase())).collect();
    Answer::Plans { found: plans, read_directly }
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

    /// The status with the plan: "On — no plan" once the plan is known to be off.
    pub fn status(&self) -> Option<IntegrationStatus> {
        self.parts.ready().map(|p| IntegrationStatus::of(*p, self.plan.ready().copied()))
    }
}

/// Every subscription's row, built from [`OverviewEvent`]s in arrival order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Overview {
    pub rows: Vec<SubscriptionRow>,
    /// The subscriptions list itself failed.
    pub failure: Option<ArmFailure>,
    /// At least one page of subscriptions has arrived.
    pub listed: bool,
    /// The last page has arrived (or the listing failed).
    pub listing_done: bool,
    index: HashMap<String, usize>,
    /// Plans that arrived before their row (answers may overtake each other).
    early_plans: HashMap<String, ServersPlan>,
}

impl Overview {
    pub fn apply(&mut self, event: OverviewEvent) {
        match event {
            OverviewEvent::Listed { subscriptions, more } => {
                self.listed = true;
                self.listing_done = !more;
                for subscription in subscriptions {
                    let key = subscription.subscription_id.to_ascii_lowercase();
                    let mut row = SubscriptionRow::new(subscription);
                    if let Some(plan) = self.early_plans.remove(&key) {
                        row.plan = Load::Ready(plan);
                    }
                    self.index.insert(key, self.rows.len());
                    self.rows.push(row);
                }
            }
            OverviewEvent::ListFailed(failure) => {
                self.failure = Some(failure);
                self.listing_done = true;
            }
            OverviewEvent::Plans(plans) => {
                for (id, plan) in plans {
                    match self.index.get(&id) {
                        Some(&i) => {
                            self.rows[i].plan = Load::Ready(plan);
                            self.rows[i].version += 1;
                        }
                        None => {
                            self.early_plans.insert(id, plan);
                        }
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
                            counts
                                .get(&row.subscription.subscription_id.to_ascii_lowercase())
                                .copied()
                                .unwrap_or_default(),
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

    /// Every subscription is listed and every row has its status, plan and permission.
    pub fn complete(&self) -> bool {
        self.listing_done && self.pending() == 0
    }

    /// Rows still waiting for an answer.
    pub fn pending(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| {
                matches!(r.parts, Load::Loading)
                    || matches!(r.plan, Load::Loading)
                    || matches!(r.can_change, Load::Loading)
            })
            .count()
    }
}

//! The overview of every subscription: what to fetch, in which order, and the rows it makes.
//!
//! One `/subscriptions` listing, then per subscription its settings and permissions, at most
//! `concurrency` requests in flight, and the Defender for Servers plans of all subscriptions in
//! one Resource Graph query (per-subscription pricing reads only if that query fails).
//! Events are emitted as answers arrive, so rows fill in while the rest is still loading.

use std::cell::{Cell, RefCell};
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
/// The subscriptions list runs ahead, a page after another, beside the reads: the table has
/// all its rows, in their order, after a round trip per page, and they stay put while their
/// cells fill in (a table still growing at the end of the load moves under the user's eyes,
/// and rebuilds the rows in view at every redraw). Each page's settings and permissions are
/// read as it arrives, at most `concurrency` at a time (the listing's one request is not
/// counted), so the first rows show after about two round trips whatever the tenant's size.
/// The plans come from Resource Graph: one query for the first page (so the first rows are
/// complete early), one for all the rest.
pub async fn load<T: Transport>(client: &ArmClient<T>, concurrency: usize, emit: impl FnMut(OverviewEvent)) {
    // Both the listing and the reads tell the view (never across an await).
    let emit = RefCell::new(emit);
    let emit = |event| emit.borrow_mut()(event);
    // Every id listed, in order; the first page's plans are asked for at once, the rest's
    // after the last page.
    let listed_ids: RefCell<Vec<String>> = RefCell::default();
    let first_page = Cell::new(0);
    let (pages, listed) = futures::channel::mpsc::unbounded::<Vec<Task<'_>>>();
    let listing = {
        let (listed_ids, first_page) = (&listed_ids, &first_page);
        async move {
            let mut next = Some(client.url(&api::subscriptions()));
            while let Some(url) = next.take() {
                let subscriptions = match client.page::<Subscription>(url).await {
                    Ok((subscriptions, next_page)) => {
                        next = next_page;
                        subscriptions
                    }
                    Err(failure) => {
                        emit(OverviewEvent::ListFailed(failure));
                        break;
                    }
                };
                let ids: Vec<String> = subscriptions.iter().map(|s| s.subscription_id.clone()).collect();
                emit(OverviewEvent::Listed { subscriptions, more: next.is_some() });
                let mut tasks: Vec<Task<'_>> = Vec::with_capacity(ids.len() * 2 + 1);
                if listed_ids.borrow().is_empty() && !ids.is_empty() {
                    first_page.set(ids.len());
                    tasks.push(Box::pin(plans_query(client, ids.clone())));
                }
                for id in &ids {
                    tasks.push(Box::pin(settings(client, id.clone())));
                    tasks.push(Box::pin(permissions(client, id.clone())));
                }
                listed_ids.borrow_mut().extend(ids);
                let _ = pages.unbounded_send(tasks);
            }
            // `pages` goes here: the reads end after the last page's.
        }
    };
    // Once every page is listed, the plans of the subscriptions after the first page.
    // (`lazy`: the ids are read when the stream gets there, after the last page.)
    let rest = futures::stream::once(futures::future::lazy(|_| {
        let ids = listed_ids.borrow()[first_page.get()..].to_vec();
        let task: Task<'_> = if ids.is_empty() {
            Box::pin(futures::future::ready(Answer::Event(OverviewEvent::Plans(HashMap::new()))))
        } else {
            Box::pin(plans_query(client, ids))
        };
        task
    }));
    let reading = read(client, concurrency, listed.flat_map(futures::stream::iter).chain(rest), &emit);
    futures::future::join(listing, reading).await;
    let all_ids = listed_ids.take();

    // Coverage comes last: the table is usable without it.
    if !all_ids.is_empty() {
        let rows = client.query::<MachineRow>(MACHINES_QUERY, &all_ids).await;
        emit(OverviewEvent::Coverage(rows.map(|rows| coverage::by_subscription(&rows))));
    }
}

/// Runs the reads, `concurrency` at a time, then reads one by one the plans Resource Graph
/// did not have.
async fn read<'a, T: Transport>(
    client: &'a ArmClient<T>,
    concurrency: usize,
    tasks: impl futures::Stream<Item = Task<'a>>,
    emit: &impl Fn(OverviewEvent),
) {
    let mut read_directly: Vec<String> = Vec::new();
    let mut answers = std::pin::pin!(tasks.buffer_unordered(concurrency.max(1)));
    while let Some(answer) = answers.next().await {
        match answer {
            Answer::Event(event) => emit(event),
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
        .map(|row| {
            (
                row.subscription_id.to_ascii_lowercase(),
                ServersPlan::from_tier(&row.pricing_tier, row.sub_plan.as_deref()),
            )
        })
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
    let result = read_plan(client, &subscription_id).await;
    OverviewEvent::Plan { subscription_id, result }
}

/// The one way the app reads a subscription's Defender for Servers plan through ARM: from its
/// list of pricings. A subscription with no `VirtualMachines` pricing answers an empty list
/// rather than a 404 (which the browser would log as an error), and either way its plan is Off.
pub async fn read_plan<T: Transport>(client: &ArmClient<T>, subscription_id: &str) -> Result<ServersPlan, ArmFailure> {
    let pricings: Vec<Pricing> = client.list(&api::pricings(subscription_id)).await?;
    Ok(ServersPlan::from_pricing(pricings.iter().find(|p| p.name.eq_ignore_ascii_case(VIRTUAL_MACHINES))))
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

    pub(crate) fn from_result(result: Result<T, ArmFailure>) -> Self {
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
    pub(crate) fn new(subscription: Subscription) -> Self {
        SubscriptionRow {
            subscription,
            parts: Load::Loading,
            plan: Load::Loading,
            can_change: Load::Loading,
            coverage: Load::Loading,
            version: 0,
        }
    }

    /// The status with the plan: "On — no plan" once the plan is known to be off. `None` while
    /// the settings are loading, and while the plan is for a subscription whose integration is
    /// on (it may yet turn out "no plan"); a plan that could not be read leaves the settings'
    /// word.
    pub fn status(&self) -> Option<IntegrationStatus> {
        let parts = *self.parts.ready()?;
        match &self.plan {
            Load::Loading if parts.integration => None,
            plan => Some(IntegrationStatus::of(parts, plan.ready().copied())),
        }
    }

    /// Still waiting for its settings, plan or permissions.
    pub fn is_pending(&self) -> bool {
        matches!(self.parts, Load::Loading)
            || matches!(self.plan, Load::Loading)
            || matches!(self.can_change, Load::Loading)
    }

    /// Why its settings (or else its permissions) could not be read.
    pub fn unreadable(&self) -> Option<&ArmFailure> {
        match (&self.parts, &self.can_change) {
            (Load::Failed(f), _) | (_, Load::Failed(f)) => Some(f),
            _ => None,
        }
    }
}

/// Every subscription's row, built from [`OverviewEvent`]s in arrival order.
///
/// The counts the summary shows are kept as rows change, and the rows changed since the view
/// last looked are listed ([`Overview::take_changed`]): a view then updates those rows only,
/// instead of going over every row on every answer (which made a large tenant O(n²)).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Overview {
    /// Read-only for views: every change goes through [`Overview::apply`], which keeps the counts.
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
    tally: Tally,
    /// Rows changed since the last [`Overview::take_changed`], each once (`dirty` marks them).
    changed: Vec<usize>,
    dirty: Vec<bool>,
}

/// Counts over the rows, updated by taking a row out before a change and back in after it.
#[derive(Debug, Clone, PartialEq, Default)]
struct Tally {
    /// By status, in the order of [`slot`].
    statuses: [usize; 4],
    pending: usize,
    /// Rows whose settings or permissions could not be read: their positions, sorted.
    unreadable: Vec<usize>,
}

/// The place of a status in [`Tally::statuses`] (a new status fails to compile here).
fn slot(status: IntegrationStatus) -> usize {
    match status {
        IntegrationStatus::Off => 0,
        IntegrationStatus::NoPlan => 1,
        IntegrationStatus::Partial => 2,
        IntegrationStatus::On => 3,
    }
}

impl Tally {
    fn count(&mut self, i: usize, row: &SubscriptionRow, add: bool) {
        let step = |n: &mut usize| if add { *n += 1 } else { *n -= 1 };
        if let Some(status) = row.status() {
            step(&mut self.statuses[slot(status)]);
        }
        if row.is_pending() {
            step(&mut self.pending);
        }
        if row.unreadable().is_some() {
            match (self.unreadable.binary_search(&i), add) {
                (Err(at), true) => self.unreadable.insert(at, i),
                (Ok(at), false) => drop(self.unreadable.remove(at)),
                _ => {}
            }
        }
    }
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
                    let i = self.rows.len();
                    self.index.insert(key, i);
                    self.tally.count(i, &row, true);
                    self.rows.push(row);
                    self.dirty.push(false);
                    self.mark(i);
                }
            }
            OverviewEvent::ListFailed(failure) => {
                self.failure = Some(failure);
                self.listing_done = true;
            }
            OverviewEvent::Plans(plans) => {
                for (id, plan) in plans {
                    match self.index.get(&id) {
                        Some(&i) => self.change(i, |row| row.plan = Load::Ready(plan)),
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
                for i in 0..self.rows.len() {
                    let key = self.rows[i].subscription.subscription_id.to_ascii_lowercase();
                    let coverage = match &result {
                        Ok(counts) => Load::Ready(counts.get(&key).copied().unwrap_or_default()),
                        Err(failure) => Load::Failed(failure.clone()),
                    };
                    self.change(i, |row| row.coverage = coverage);
                }
            }
        }
    }

    fn update(&mut self, subscription_id: &str, change: impl FnOnce(&mut SubscriptionRow)) {
        if let Some(&i) = self.index.get(&subscription_id.to_ascii_lowercase()) {
            self.change(i, change);
        }
    }

    fn change(&mut self, i: usize, change: impl FnOnce(&mut SubscriptionRow)) {
        let row = &mut self.rows[i];
        self.tally.count(i, row, false);
        change(row);
        row.version += 1;
        self.tally.count(i, row, true);
        self.mark(i);
    }

    fn mark(&mut self, i: usize) {
        if !std::mem::replace(&mut self.dirty[i], true) {
            self.changed.push(i);
        }
    }

    /// The positions in `rows` of the rows added or changed since the last call.
    pub fn take_changed(&mut self) -> Vec<usize> {
        for &i in &self.changed {
            self.dirty[i] = false;
        }
        std::mem::take(&mut self.changed)
    }

    /// How many subscriptions have each status (loading rows are not counted).
    /// The row of a subscription, by id (any case).
    pub fn row(&self, subscription_id: &str) -> Option<&SubscriptionRow> {
        self.index.get(&subscription_id.to_ascii_lowercase()).and_then(|&i| self.rows.get(i))
    }

    pub fn count(&self, status: IntegrationStatus) -> usize {
        self.tally.statuses[slot(status)]
    }

    /// Every subscription is listed and every row has its status, plan and permission.
    pub fn complete(&self) -> bool {
        self.listing_done && self.pending() == 0
    }

    /// Rows still waiting for an answer.
    pub fn pending(&self) -> usize {
        self.tally.pending
    }

    /// How many rows could not be read, and why the first of them (in listing order) could not.
    pub fn unreadable(&self) -> Option<(usize, &ArmFailure)> {
        let first = *self.tally.unreadable.first()?;
        Some((self.tally.unreadable.len(), self.rows[first].unreadable()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arm::settings::SettingProperties;

    fn subscription(id: &str) -> Subscription {
        Subscription { subscription_id: id.into(), display_name: id.into(), tenant_id: None, state: "Enabled".into() }
    }

    fn settings(wdatp: bool) -> Vec<Setting> {
        vec![Setting { name: "WDATP".into(), kind: None, properties: SettingProperties { enabled: wdatp } }]
    }

    fn owner() -> Vec<Permission> {
        vec![Permission { actions: vec!["*".into()], ..Default::default() }]
    }

    fn denied() -> ArmFailure {
        ArmFailure::Http {
            status: 403,
            code: "AuthorizationFailed".into(),
            message: "no".into(),
            details: vec![],
            additional_info: vec![],
            request_id: None,
            correlation_id: None,
        }
    }

    fn listed(ids: &[&str], more: bool) -> OverviewEvent {
        OverviewEvent::Listed { subscriptions: ids.iter().map(|id| subscription(id)).collect(), more }
    }

    fn counts(m: &Overview) -> [usize; 5] {
        [
            m.count(IntegrationStatus::Off),
            m.count(IntegrationStatus::NoPlan),
            m.count(IntegrationStatus::Partial),
            m.count(IntegrationStatus::On),
            m.pending(),
        ]
    }

    #[test]
    fn counts_follow_each_answer_and_only_changed_rows_are_reported() {
        let mut m = Overview::default();
        m.apply(listed(&["a", "b", "c"], true));
        assert_eq!(m.take_changed(), [0, 1, 2]);
        assert_eq!(counts(&m), [0, 0, 0, 0, 3]);
        assert!(!m.complete());

        // WDATP on, Linux and unified settings absent (included): no status until the plan is
        // known, since it may yet be "On — no plan".
        m.apply(OverviewEvent::Settings { subscription_id: "b".into(), result: Ok(settings(true)) });
        m.apply(OverviewEvent::Settings { subscription_id: "B".into(), result: Ok(settings(true)) });
        assert_eq!(m.take_changed(), [1], "a row changed twice is reported once");
        assert_eq!(counts(&m), [0, 0, 0, 0, 3]);

        // The plan turns it "On — no plan"; the count moves, it is not counted twice.
        m.apply(OverviewEvent::Plans(HashMap::from([("b".to_string(), ServersPlan::Off)])));
        assert_eq!(counts(&m), [0, 1, 0, 0, 3]);
        m.apply(OverviewEvent::Plan { subscription_id: "b".into(), result: Ok(ServersPlan::P2) });
        assert_eq!(counts(&m), [0, 0, 0, 1, 3]);
        m.apply(OverviewEvent::Permissions { subscription_id: "b".into(), result: Ok(owner()) });
        assert_eq!(counts(&m), [0, 0, 0, 1, 2]);
        assert_eq!(m.take_changed(), [1]);
        assert_eq!(m.take_changed(), Vec::<usize>::new());

        // A plan for a row not listed yet waits for it, and the row comes with it.
        m.apply(OverviewEvent::Plans(HashMap::from([("d".to_string(), ServersPlan::P1)])));
        m.apply(listed(&["d"], false));
        assert_eq!(m.rows[3].plan, Load::Ready(ServersPlan::P1));
        assert_eq!(m.take_changed(), [3]);
        assert_eq!(counts(&m), [0, 0, 0, 1, 3]);
    }

    #[test]
    fn unreadable_rows_are_counted_and_the_first_in_listing_order_speaks_for_them() {
        let mut m = Overview::default();
        m.apply(listed(&["a", "b", "c"], false));
        m.apply(OverviewEvent::Permissions { subscription_id: "c".into(), result: Err(denied()) });
        m.apply(OverviewEvent::Settings {
            subscription_id: "b".into(),
            result: Err(ArmFailure::Network("reset".into())),
        });
        let (n, first) = m.unreadable().unwrap();
        assert_eq!((n, first), (2, &ArmFailure::Network("reset".into())));
        // Read again and readable now (a subscription page's read-back): no longer counted.
        m.apply(OverviewEvent::Settings { subscription_id: "b".into(), result: Ok(settings(false)) });
        assert_eq!(m.unreadable(), Some((1, &denied())));
        assert_eq!(counts(&m), [1, 0, 0, 0, 3]);
    }

    #[test]
    fn coverage_changes_every_row_and_leaves_the_counts() {
        let mut m = Overview::default();
        m.apply(listed(&["a", "b"], false));
        for id in ["a", "b"] {
            m.apply(OverviewEvent::Settings { subscription_id: id.into(), result: Ok(settings(id == "a")) });
            m.apply(OverviewEvent::Plan { subscription_id: id.into(), result: Ok(ServersPlan::P2) });
            m.apply(OverviewEvent::Permissions { subscription_id: id.into(), result: Ok(owner()) });
        }
        assert!(m.complete());
        m.take_changed();
        let c = Coverage { machines: 3, covered: 2, linux: 1, linux_covered: 0 };
        m.apply(OverviewEvent::Coverage(Ok(HashMap::from([("a".to_string(), c)]))));
        assert_eq!(m.take_changed(), [0, 1]);
        assert_eq!(m.rows[0].coverage, Load::Ready(c));
        assert_eq!(m.rows[1].coverage, Load::Ready(Coverage::default()));
        assert_eq!(counts(&m), [1, 0, 0, 1, 0]);
    }

    /// ARM by path: each answer a JSON body, or a status with no body; records what was asked.
    struct Tenant {
        answers: Vec<(&'static str, u16, String)>,
        asked: std::cell::RefCell<Vec<String>>,
    }

    impl crate::transport::Transport for Tenant {
        async fn send(
            &self,
            request: crate::transport::Request,
        ) -> Result<crate::transport::Response, crate::transport::TransportError> {
            let path = request.uri().path().to_string();
            self.asked.borrow_mut().push(path.clone());
            let (_, status, body) =
                self.answers.iter().find(|(p, _, _)| path.ends_with(p)).expect("an answer for every path");
            Ok(http::Response::builder().status(*status).body(body.clone().into_bytes()).unwrap())
        }
        async fn sleep(&self, _: u64) {}
        fn now_ms(&self) -> u64 {
            1
        }
    }

    /// ARM's subscriptions list in pages of two (`$skiptoken` is the page), every other read
    /// empty; answers at once.
    struct Paged;

    impl crate::transport::Transport for Paged {
        async fn send(
            &self,
            request: crate::transport::Request,
        ) -> Result<crate::transport::Response, crate::transport::TransportError> {
            let body = if request.uri().path() == "/subscriptions" {
                let page: usize =
                    request.uri().query().and_then(|q| q.split("skiptoken=").nth(1)).map_or(0, |p| p.parse().unwrap());
                let sub = |i: usize| format!(r#"{{"subscriptionId":"s{i}","displayName":"S{i}","state":"Enabled"}}"#);
                let next = format!(
                    r#","nextLink":"https://management.azure.com/subscriptions?api-version=2022-12-01&%24skiptoken={}""#,
                    page + 1
                );
                format!(r#"{{"value":[{},{}]{}}}"#, sub(2 * page), sub(2 * page + 1), if page < 2 { &next } else { "" })
            } else {
                r#"{"value":[]}"#.to_string()
            };
            Ok(http::Response::builder().status(200).body(body.into_bytes()).unwrap())
        }
        async fn sleep(&self, _: u64) {}
        fn now_ms(&self) -> u64 {
            1
        }
    }

    #[test]
    fn every_page_of_the_list_comes_before_the_first_pages_reads_are_done() {
        // The table has all its rows early, and they stay put while their cells fill in.
        let client = ArmClient::new(Paged, "https://management.azure.com");
        let mut seen = Vec::new();
        futures::executor::block_on(load(&client, 2, |event| {
            seen.push(match event {
                OverviewEvent::Listed { subscriptions, .. } => format!("listed {}", subscriptions.len()),
                OverviewEvent::Settings { subscription_id, .. } => format!("settings {subscription_id}"),
                _ => String::new(),
            })
        }));
        seen.retain(|e| !e.is_empty());
        let position = |e: &str| seen.iter().position(|s| s == e).unwrap_or_else(|| panic!("{e} in {seen:?}"));
        assert_eq!(seen.iter().filter(|e| e.starts_with("listed")).count(), 3, "{seen:?}");
        assert!(seen[..3].iter().all(|e| e == "listed 2"), "the three pages first: {seen:?}");
        assert!(position("settings s1") > 2, "{seen:?}");
        assert_eq!(seen.len(), 3 + 6, "every subscription's settings read once: {seen:?}");
    }

    #[test]
    fn a_subscription_resource_graph_has_not_indexed_yet_is_read_directly_not_shown_off() {
        let sub = |id: &str| format!(r#"{{"subscriptionId":"{id}","displayName":"{id}","state":"Enabled"}}"#);
        let pricing = |tier: &str, plan: &str| {
            format!(
                r#"{{"value":[{{"name":"VirtualMachines","properties":{{"pricingTier":"{tier}","subPlan":"{plan}"}}}}]}}"#
            )
        };
        let tenant = Tenant {
            answers: vec![
                ("/subscriptions", 200, format!(r#"{{"value":[{},{}]}}"#, sub("s1"), sub("s2"))),
                // Resource Graph knows s1's plan only: s2's was written a minute ago.
                ("/providers/Microsoft.ResourceGraph/resources", 200, r#"{"totalRecords":1,"count":1,"data":[{"subscriptionId":"s1","pricingTier":"Standard","subPlan":"P1"}]}"#.into()),
                ("/s2/providers/Microsoft.Security/pricings", 200, pricing("Standard", "P2")),
                ("/providers/Microsoft.Security/settings", 200, r#"{"value":[]}"#.into()),
                ("/providers/Microsoft.Authorization/permissions", 200, r#"{"value":[]}"#.into()),
            ],
            asked: Default::default(),
        };
        let client = ArmClient::new(tenant, "https://management.azure.com");
        let mut model = Overview::default();
        futures::executor::block_on(load(&client, 4, |event| model.apply(event)));
        let plan = |id: &str| model.rows.iter().find(|r| r.subscription.subscription_id == id).unwrap().plan.clone();
        assert_eq!(plan("s1"), Load::Ready(ServersPlan::P1));
        assert_eq!(plan("s2"), Load::Ready(ServersPlan::P2), "read from ARM, not assumed Off");
        let asked = client.transport().asked.borrow();
        assert_eq!(asked.iter().filter(|p| p.ends_with("/pricings")).count(), 1, "only the missing one: {asked:?}");
    }
}

//! The bulk run (`mde_core::bulk`) against a generated tenant of 200 subscriptions, signed in,
//! under every fault at once: 429 with Retry-After, 500 and 503, transient 409 `Conflict` (by
//! rate, and five in a row on two subscriptions, more than the client's own retries), requests
//! dropped before ARM saw them and answers lost after ARM did the write, an access token that
//! expires mid-run (ARM's 401 `ExpiredAuthenticationToken`, renewed once), and three read-only
//! subscriptions (one disabled before the plan, two disabled by billing between the plan and
//! the run: ARM's 409 `ReadOnlyDisabledSubscription`). Failed rows are retried as the page's
//! Retry does (`replan`, then apply), until none is worth retrying.
//!
//! The witness is the fake's own state, read after the run, never the client's: every
//! subscription ends in the right state or shows why not, none is lost, no row contradicts
//! Azure, and no write is sent again to a subscription once it is done.

mod common;

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use common::NOW;
use fake_azure::generate::{scenario_json, GenerateOptions};
use fake_azure::{FakeAzure, Faults, Options};
use futures::executor::block_on;
use mde_core::auth::{self, AuthError, Callback, Tokens};
use mde_core::bulk::run::{Finished, SubscriptionChanges};
use mde_core::bulk::{Action, Plan, PlanItem, SkipKind};
use mde_core::client::ArmClient;
use mde_core::config::{self, AppConfig};
use mde_core::overview::{self, Overview};
use mde_core::run::{self, Control, Event, Failure, Record, Row, RowState, Work};
use mde_core::signed_in::{SignedIn, TokenEvents};
use mde_core::status::ServersPlan;
use mde_core::transport::{Request, Response, Transport, TransportError};
use serde_json::Value;

const APP: &str = "http://127.0.0.1:8080/";
const FAKE: &str = "http://127.0.0.1:9000";
const SUBSCRIPTIONS: usize = 200;
const CONCURRENCY: usize = 8;
/// Each request takes this much of the test's clock.
const STEP_MS: u64 = 50;
/// Generated subscriptions (by index) that another deployment keeps busy: their first five
/// writes are answered 409 `Conflict`, as many as the client's attempts.
const BUSY: [usize; 2] = [9, 10];
const BUSY_WRITES: u64 = 5;
/// The generated subscription already disabled when the overview is read.
const DISABLED_AT_LOAD: usize = 11;
const RETRY_ROUNDS: usize = 6;

/// The generated tenant, made to fit the story: one directory (the user signs in to one), of
/// the generator's read-only subscriptions only one left disabled, and half of its fully-on
/// ones turned off, so that most of the tenant has something to fix.
fn tenant() -> String {
    let generated =
        scenario_json(&GenerateOptions { subscriptions: SUBSCRIPTIONS, machines: 0, seed: 5, ..Default::default() });
    let mut scenario: Value = serde_json::from_str(&generated).unwrap();
    let home = scenario["tenants"][0]["tenantId"].clone();
    for (i, entry) in scenario["subscriptions"].as_array_mut().unwrap().iter_mut().enumerate() {
        let subscription = &mut entry["subscription"];
        subscription["tenantId"] = home.clone();
        let read_only = ["Disabled", "Expired", "Deleted"].contains(&subscription["state"].as_str().unwrap());
        if read_only && i != DISABLED_AT_LOAD {
            subscription["state"] = "Enabled".into();
        }
        let settings = entry["settings"].as_array_mut();
        if let Some(wdatp) = settings.and_then(|s| fully_on(s)).filter(|_| i % 2 == 0) {
            *wdatp = false.into();
        }
        if BUSY.contains(&i) {
            entry["conflictingWrites"] = BUSY_WRITES.into();
        }
    }
    assert_eq!(scenario["subscriptions"][DISABLED_AT_LOAD]["subscription"]["state"], "Disabled");
    scenario.to_string()
}

/// The `enabled` of `WDATP` in `settings` when the integration is fully on (a missing Linux or
/// unified setting means "included").
fn fully_on(settings: &mut [Value]) -> Option<&mut Value> {
    let enabled = |name: &str| settings.iter().find(|s| s["name"] == name).map(|s| s["properties"]["enabled"] == true);
    let on = enabled("WDATP") == Some(true)
        && enabled("WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW") != Some(true)
        && enabled("WDATP_UNIFIED_SOLUTION") != Some(false);
    let wdatp = settings.iter_mut().find(|s| s["name"] == "WDATP")?;
    on.then_some(&mut wdatp["properties"]["enabled"])
}

/// One request as the network saw it.
#[derive(Debug)]
struct Sent {
    method: String,
    path: String,
    /// Lower-case subscription id of an ARM request under one.
    subscription: Option<String>,
    /// Status and ARM error code; `None`: no answer reached the client.
    answer: Option<(u16, String)>,
}

/// The fake behind a network where requests overlap, as in a browser: each request yields once
/// before it is answered (so `CONCURRENCY` are out at a time) and takes `STEP_MS` of the test's
/// clock; a retry's sleep moves the clock. At the `hour_passes_at`-th PUT an hour passes.
#[derive(Clone)]
struct Network {
    azure: Rc<RefCell<FakeAzure>>,
    now: Rc<Cell<u64>>,
    log: Rc<RefCell<Vec<Sent>>>,
    puts: Rc<Cell<usize>>,
    hour_passes_at: Rc<Cell<Option<usize>>>,
}

impl Network {
    fn new(azure: FakeAzure) -> Self {
        Network {
            azure: Rc::new(RefCell::new(azure)),
            now: Rc::new(Cell::new(NOW)),
            log: Default::default(),
            puts: Default::default(),
            hour_passes_at: Default::default(),
        }
    }
}

fn subscription_of(path: &str) -> Option<String> {
    let mut parts = path.trim_start_matches('/').split('/');
    (parts.next()? == "subscriptions").then(|| parts.next().map(str::to_ascii_lowercase)).flatten()
}

impl Transport for Network {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        let mut yielded = false;
        futures::future::poll_fn(|cx| {
            if std::mem::replace(&mut yielded, true) {
                return std::task::Poll::Ready(());
            }
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        })
        .await;
        self.now.set(self.now.get() + STEP_MS);
        let (method, path) = (request.method().to_string(), request.uri().path().to_string());
        if method == "PUT" {
            self.puts.set(self.puts.get() + 1);
            if self.hour_passes_at.get() == Some(self.puts.get()) {
                self.now.set(self.now.get() + 3_600_000);
            }
        }
        let reply = self.azure.borrow_mut().handle(request, self.now.get());
        let answer = reply.response.as_ref().map(|r| {
            let body: Value = serde_json::from_slice(r.body()).unwrap_or_default();
            (r.status().as_u16(), body["error"]["code"].as_str().unwrap_or_default().to_string())
        });
        self.log.borrow_mut().push(Sent { subscription: subscription_of(&path), method, path, answer });
        reply.response.ok_or_else(|| TransportError::Network("the connection closed without an answer".into()))
    }

    async fn sleep(&self, ms: u64) {
        self.now.set(self.now.get() + ms);
    }

    fn now_ms(&self) -> u64 {
        self.now.get()
    }
}

#[derive(Default)]
struct Renewals {
    renewed: RefCell<Vec<Tokens>>,
    sign_in_needed: RefCell<Vec<AuthError>>,
}

impl TokenEvents for Renewals {
    fn renewed(&self, tokens: &Tokens) {
        self.renewed.borrow_mut().push(tokens.clone());
    }
    fn sign_in_needed(&self, why: &AuthError) {
        self.sign_in_needed.borrow_mut().push(why.clone());
    }
}

fn app_config() -> AppConfig {
    let json = format!(
        r#"{{"clientId":"11111111-2222-3333-4444-555555555555","cloud":{{"name":"Fake","loginUrl":"{FAKE}","armUrl":"{FAKE}","armAudience":"{FAKE}/"}}}}"#
    );
    config::parse(&json, APP).unwrap()
}

/// The browser's part of the sign-in: follow the authorize URL to the redirect, redeem the code.
fn sign_in(network: &Network, config: &AppConfig) -> Tokens {
    let (url, pending) = auth::begin(config, "organizations", "/", None, network.now.get()).unwrap();
    let request = http::Request::builder().uri(url).body(Vec::new()).unwrap();
    let answer = network.azure.borrow_mut().handle(request, network.now.get()).response.unwrap();
    let location = answer.headers()["location"].to_str().unwrap().to_string();
    let Callback::Code { code, state } = auth::read_callback(location.split_once('?').unwrap().1) else {
        panic!("no code in {location}")
    };
    let pending = auth::check_state(Some(pending), &state, network.now.get()).unwrap();
    block_on(auth::redeem(network, config, &pending, &code, network.now.get())).unwrap()
}

/// A subscription's integration and plan as the fake holds them, read apart from the app: the
/// raw settings and pricing, interpreted here (a missing Linux or unified setting means
/// "included", as on subscriptions that enabled the integration after those features).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Held {
    wdatp: bool,
    linux: bool,
    unified: bool,
    plan: ServersPlan,
}

impl Held {
    fn fully_on(self) -> bool {
        self.wdatp && self.linux && self.unified && self.plan != ServersPlan::Off
    }
}

fn held(azure: &mut FakeAzure, token: &str, id: &str, now: u64) -> Held {
    let mut get = |what: &str, version: &str| -> Vec<Value> {
        let url = format!("{FAKE}/subscriptions/{id}/providers/Microsoft.Security/{what}?api-version={version}");
        let request = http::Request::get(url).header("authorization", format!("Bearer {token}")).body(Vec::new());
        let response = azure.handle(request.unwrap(), now).response.unwrap();
        assert_eq!(response.status(), 200, "{id} {what}: {}", String::from_utf8_lossy(response.body()));
        let body: Value = serde_json::from_slice(response.body()).unwrap();
        assert!(body["nextLink"].is_null(), "one page");
        body["value"].as_array().unwrap().clone()
    };
    let settings = get("settings", mde_core::api::SETTINGS);
    let enabled =
        |name: &str| settings.iter().find(|s| s["name"] == name).map(|s| s["properties"]["enabled"].as_bool().unwrap());
    let pricings = get("pricings", mde_core::api::PRICINGS);
    let servers = pricings.iter().find(|p| p["name"] == "VirtualMachines").map(|p| &p["properties"]);
    let plan = match servers.map(|p| (p["pricingTier"].as_str(), p["subPlan"].as_str())) {
        Some((Some("Standard"), Some("P1"))) => ServersPlan::P1,
        Some((Some("Standard"), _)) => ServersPlan::P2,
        _ => ServersPlan::Off,
    };
    Held {
        wdatp: enabled("WDATP") == Some(true),
        linux: enabled("WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW") != Some(true),
        unified: enabled("WDATP_UNIFIED_SOLUTION") != Some(false),
        plan,
    }
}

/// The fake's state of every subscription, read with no faults.
fn witness(network: &Network, ids: &[String]) -> HashMap<String, Held> {
    let mut azure = network.azure.borrow_mut();
    azure.set_faults(Faults::default());
    let now = network.now.get();
    let token = azure.mint_access_token(None, now);
    ids.iter().map(|id| (id.clone(), held(&mut azure, &token, id, now))).collect()
}

/// What the page offers Retry for: a failure that may clear by itself (no answer, throttled, a
/// 5xx, another update in progress, a write Azure has not applied yet, a re-read that failed),
/// not a refusal that will stand (read-only, no permission).
fn failure(row: &Row<Finished>) -> Option<&Failure> {
    row.finished().and_then(|f| f.failure.as_ref())
}

fn retryable(failure: &Failure) -> bool {
    match failure.status {
        None => ["", "NotApplied", SkipKind::Unknown.label()].contains(&failure.code.as_str()),
        Some(status) => status == 429 || status >= 500 || (status == 409 && failure.code == "Conflict"),
    }
}

#[test]
fn a_fix_of_200_subscriptions_under_every_fault_ends_right_or_shows_why_and_writes_nothing_twice() {
    let azure =
        FakeAzure::from_scenario_json(&tenant(), Options { auto_approve: true, seed: 11, ..Options::default() });
    let network = Network::new(azure.unwrap());
    let config = app_config();
    let mut tokens = sign_in(&network, &config);
    // The app believes its token good for hours (a skewed clock): only ARM's 401 tells it.
    tokens.expires_at_ms = NOW + 10 * 3_600_000;
    let renewals = Rc::new(Renewals::default());
    let signed_in = SignedIn::new(network.clone(), config.clone(), tokens, renewals.clone());
    let client = ArmClient::new(signed_in, FAKE);

    // The overview, read clean.
    let mut model = Overview::default();
    block_on(overview::load(&client, CONCURRENCY, |event| model.apply(event)));
    assert!(model.complete() && model.unreadable().is_none(), "{:?}", model.unreadable());
    assert_eq!(model.rows.len(), SUBSCRIPTIONS);
    let ids: Vec<String> = model.rows.iter().map(|r| r.subscription.subscription_id.to_ascii_lowercase()).collect();

    // Fix for all, turning Defender for Servers Plan 1 on where it is off.
    let rows: Vec<_> = model.rows.iter().collect();
    let plan = Plan::new(Action::Fix, Some(ServersPlan::P1), &config.cloud, &rows);
    let totals = plan.totals();
    let changing: Vec<PlanItem> = plan.changing().cloned().collect();
    let skip_of = |i: usize| plan.items[i].skip.as_ref().map(|s| s.kind);
    assert_eq!(skip_of(DISABLED_AT_LOAD), Some(SkipKind::ReadOnly));
    assert!(BUSY.iter().all(|&i| !plan.items[i].writes.is_empty()), "the busy subscriptions are planned to change");
    assert!(changing.len() >= 100, "most of the tenant changes: {totals:?}");
    assert!(totals.plan_writes >= 30, "Plan 1 is turned on where it was off: {totals:?}");

    // Billing disables two subscriptions between the plan and the run.
    let busy: Vec<&str> = BUSY.iter().map(|&i| ids[i].as_str()).collect();
    let disabled_mid_run: Vec<String> = changing
        .iter()
        .map(|item| item.subscription_id.to_ascii_lowercase())
        .filter(|id| !busy.contains(&id.as_str()))
        .skip(20)
        .take(2)
        .collect();
    let before = witness(&network, &ids);
    for (id, state) in disabled_mid_run.iter().zip(["Disabled", "Expired"]) {
        assert!(network.azure.borrow_mut().set_subscription_state(id, state));
    }
    let read_only: Vec<&str> =
        disabled_mid_run.iter().map(String::as_str).chain([ids[DISABLED_AT_LOAD].as_str()]).collect();

    // Every fault at once; an hour passes a third of the way through the writes.
    network.azure.borrow_mut().set_faults(Faults {
        rate_429: 0.1,
        retry_after_s: 2,
        rate_5xx: 0.1,
        drop_rate: 0.1,
        lost_answer_rate: 0.1,
        conflict_rate: 0.15,
        ..Faults::default()
    });
    network.hour_passes_at.set(Some(network.puts.get() + totals.writes / 3));
    let requests_before = network.log.borrow().len();

    // The run as the page keeps it; when each subscription was shown done.
    let kind = SubscriptionChanges { cloud: config.cloud.clone() };
    let mut record = Record::<SubscriptionChanges>::new(plan.clone());
    let mut done_at: HashMap<String, usize> = HashMap::new();
    let mut run = |record: &mut Record<SubscriptionChanges>, work: Vec<Work<PlanItem>>| {
        block_on(run::apply(&kind, &client, &plan, work, CONCURRENCY, &Control::default(), |event| {
            if let Event::Finished(id, finished) = &event {
                if finished.is_done() {
                    done_at.entry(id.to_ascii_lowercase()).or_insert(network.log.borrow().len());
                }
            }
            record.apply(&event);
        }))
    };
    let work = record.work();
    assert_eq!(work.len(), changing.len());
    run(&mut record, work);
    let failed_first = record.failed().len();

    // "Retry all failed", as the page does (each re-read, then only what it lacks is sent),
    // while any failure may clear by itself.
    let mut rounds = 0;
    while rounds < RETRY_ROUNDS && record.rows.iter().any(|r| failure(r).is_some_and(retryable)) {
        rounds += 1;
        let failed = record.failed();
        let again = record.requeue(&failed);
        run(&mut record, again);
    }

    // The witness: the fake's own state.
    let after = witness(&network, &ids);
    let injected = network.azure.borrow().injected();
    let log = network.log.borrow();
    let run_log = &log[requests_before..];

    let row_of = |id: &str| record.rows.iter().find(|r| r.subscription_id.eq_ignore_ascii_case(id));
    let is_done = |row: &Row<Finished>| matches!(&row.state, RowState::Finished(f) if f.is_done());
    let settled = |row: &Row<Finished>| matches!(row.state, RowState::Finished(_) | RowState::Skipped(_));
    let lost: Vec<&String> = ids.iter().filter(|id| !row_of(id).is_some_and(settled)).collect();
    let mut wrong = Vec::new();
    for (id, planned) in ids.iter().zip(&plan.items) {
        let (Some(row), held) = (row_of(id), after[id]) else { continue };
        let agrees = row.finished().and_then(|f| f.read_back).is_none_or(|r| {
            (r.parts.integration, r.parts.linux, r.parts.unified, r.plan)
                == (held.wdatp, held.linux, held.unified, held.plan)
        });
        let right = if read_only.contains(&id.as_str()) {
            // Never done: refused in ARM's words, or found read-only on re-reading, or left
            // out of the plan; and untouched.
            let refused = failure(row)
                .is_some_and(|f| f.code == "ReadOnlyDisabledSubscription" || f.code == SkipKind::ReadOnly.label());
            let left_out = matches!(&row.state, RowState::Skipped(_))
                && planned.skip.as_ref().is_some_and(|s| s.kind == SkipKind::ReadOnly);
            (refused || left_out) && held == before[id]
        } else if let Some(skip) = &planned.skip {
            // Left out (no permission, already on): untouched.
            matches!(&row.state, RowState::Skipped(reason) if reason == &skip.reason) && held == before[id]
        } else {
            is_done(row) && held.fully_on()
        };
        if !agrees || !right {
            wrong.push((id.clone(), row.state.clone(), before[id], held));
        }
    }
    // A write sent to a subscription after its row showed done, or sent again after ARM's
    // answer to the same write had reached the client.
    // And a write sent to a subscription after ARM said it is read-only.
    let (mut after_done, mut resent, mut after_read_only) = (0, 0, 0);
    let mut acknowledged: HashMap<&str, usize> = HashMap::new();
    let mut refused: HashMap<&str, usize> = HashMap::new();
    for (at, sent) in log.iter().enumerate().filter(|(_, s)| s.method == "PUT") {
        let id = sent.subscription.as_deref().unwrap();
        after_done += usize::from(done_at.get(id).is_some_and(|&done| at >= done));
        resent += usize::from(acknowledged.contains_key(sent.path.as_str()));
        after_read_only += usize::from(refused.contains_key(id));
        match &sent.answer {
            Some((200, _)) => {
                acknowledged.insert(&sent.path, at);
            }
            Some((409, code)) if code == "ReadOnlyDisabledSubscription" => {
                refused.insert(id, at);
            }
            _ => {}
        }
    }
    let count = |f: &dyn Fn(&Sent) -> bool| run_log.iter().filter(|s| f(s)).count();
    let expired = count(&|s| s.answer.as_ref().is_some_and(|(_, code)| code == "ExpiredAuthenticationToken"));
    let read_only_refusals =
        count(&|s| s.answer.as_ref().is_some_and(|(_, code)| code == "ReadOnlyDisabledSubscription"));
    let progress = record.progress();
    let (done, failed, skipped) = (progress.done, progress.failed, progress.skipped);
    let by_kind: BTreeMap<&str, usize> = SkipKind::ALL
        .iter()
        .map(|k| (k.label(), plan.items.iter().filter(|i| i.skip.as_ref().is_some_and(|s| s.kind == *k)).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    println!(
        "bulk Fix (+ Plan 1 where off) of {} subscriptions: {} planned to change ({} writes, {} of them plans), {} left out",
        ids.len(),
        changing.len(),
        totals.writes,
        totals.plan_writes,
        ids.len() - changing.len()
    );
    println!(
        "  end: {done} done, {failed} failed, {skipped} skipped {by_kind:?}; lost {}, wrong {}, writes after done {after_done}, writes resent after their answer {resent}, writes after a read-only refusal {after_read_only}",
        lost.len(),
        wrong.len()
    );
    println!(
        "  run: {} requests after the overview's {requests_before} ({} PUT), {failed_first} failed after the first pass, {rounds} retry round(s), {} s of simulated time",
        run_log.len(),
        count(&|s| s.method == "PUT"),
        (network.now.get() - NOW) / 1000
    );
    println!(
        "  faults injected: {} dropped, {} answers lost, {} throttled (429), {} server errors (500/503), {} conflicts (409), {} read-only refusals (409), {} expired-token 401s -> {} renewal(s)",
        injected.dropped,
        injected.lost_answers,
        injected.throttled,
        injected.server_errors,
        injected.conflicts,
        read_only_refusals,
        expired,
        renewals.renewed.borrow().len()
    );

    assert!(lost.is_empty(), "lost: {lost:?}");
    assert!(wrong.is_empty(), "wrong (id, row, before, after): {wrong:#?}");
    assert_eq!((after_done, resent), (0, 0), "no write is sent twice");
    assert_eq!(after_read_only, 0, "a read-only refusal is not retried, and Retry re-reads the state first");
    assert_eq!(failed, 2, "only the two disabled mid-run stay failed");
    assert!((1..=2).contains(&read_only_refusals), "ARM refused the disabled ones: {read_only_refusals}");
    assert!(expired >= 1, "the token expired mid-run");
    assert_eq!(renewals.renewed.borrow().len(), 1, "renewed once for every caller that met the 401");
    assert!(renewals.sign_in_needed.borrow().is_empty());
    assert!(failed_first > failed, "some rows needed the Retry: {failed_first}");
    for (kind, n) in [
        ("dropped", injected.dropped),
        ("lost answers", injected.lost_answers),
        ("429", injected.throttled),
        ("5xx", injected.server_errors),
        ("409", injected.conflicts),
    ] {
        assert!(n > 0, "no {kind} was injected");
    }
}

/// The demo tenant's designed failures: another deployment keeps Contoso Payments busy (its
/// first five writes get 409 `Conflict`, as many as the client's attempts), so its row fails
/// once and Retry succeeds; Contoso Archive is disabled, so the plan leaves it out as read-only.
#[test]
fn in_the_demo_tenant_a_busy_subscription_fails_once_then_retry_succeeds_and_the_archive_is_read_only() {
    let scenario =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../public/demo/scenario.json")).unwrap();
    let azure = FakeAzure::from_scenario_json(&scenario, Options { require_auth: false, ..Options::default() });
    let network = Network::new(azure.unwrap());
    let client = ArmClient::new(network.clone(), FAKE);
    let config = app_config();
    let mut model = Overview::default();
    block_on(overview::load(&client, CONCURRENCY, |event| model.apply(event)));
    let rows: Vec<_> = model.rows.iter().collect();
    let plan = Plan::new(Action::Fix, None, &config.cloud, &rows);
    let item = |name: &str| plan.items.iter().find(|i| i.name == name).unwrap();
    let archive = item("Contoso Archive (decommissioned)").skip.as_ref().map(|s| s.kind);
    assert_eq!(archive, Some(SkipKind::ReadOnly));
    let payments = item("Contoso Payments").clone();
    assert_eq!(payments.writes.len(), 1, "the integration on: {:?}", payments.writes);

    let kind = SubscriptionChanges { cloud: config.cloud.clone() };
    let mut record = Record::<SubscriptionChanges>::new(plan.clone());
    let id = payments.subscription_id.clone();
    let mut run = |work: Work<PlanItem>| {
        block_on(run::apply(&kind, &client, &plan, vec![work], 1, &Control::default(), |e| {
            record.apply(&e);
        }));
        record.rows.iter().find(|r| r.subscription_id == id).unwrap().clone()
    };
    let first = run(Work { item: payments.clone(), again: false });
    let refused = failure(&first).expect("the client's own retries ran out");
    assert_eq!((refused.status, refused.code.as_str()), (Some(409), "Conflict"));
    assert_eq!(refused.advice, "Another update to this subscription is in progress: retry in a few seconds.");
    let retried = run(Work { item: payments.clone(), again: true });
    assert_eq!(Record::<SubscriptionChanges>::label(&retried), "Done", "{:?}", failure(&retried));
    assert!(retried.finished().and_then(|f| f.read_back).is_some_and(|r| r.parts.integration));
    let puts: Vec<(u16, String)> =
        network.log.borrow().iter().filter(|s| s.method == "PUT").map(|s| s.answer.clone().unwrap()).collect();
    let conflict = (409, "Conflict".to_string());
    assert_eq!(puts, [vec![conflict; 5], vec![(200, String::new())]].concat(), "five refused, then the Retry's one");
}

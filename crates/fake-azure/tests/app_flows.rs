//! The core's own protocol code (sign-in, silent renewal, overview, changes) driven against
//! the fake in-process: the same code paths the browser runs, natively and with a clock the
//! test controls.

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::{fake, InProcess, NOW, SUB};
use fake_azure::{FakeAzure, Options};
use futures::executor::block_on;
use mde_core::auth::{self, AuthError, Callback, Tokens};
use mde_core::bulk::run::SubscriptionChanges;
use mde_core::bulk::Plan;
use mde_core::change::{Intent, SettingChange};
use mde_core::client::ArmClient;
use mde_core::config::{self, AppConfig};
use mde_core::overview::{self, Overview};
use mde_core::run::{self, Control, Kind, Record};
use mde_core::signed_in::{SignedIn, TokenEvents};
use mde_core::status::IntegrationStatus;
use mde_core::transport::{Request, Response, Transport, TransportError};

const APP: &str = "http://127.0.0.1:8080/";
const FAKE: &str = "http://127.0.0.1:9000";

fn setup(options: Options) -> (InProcess, AppConfig) {
    let transport = InProcess::new(fake(options));
    let config = config::parse(
        &format!(r#"{{"clientId":"11111111-2222-3333-4444-555555555555","cloud":{{"name":"Fake","loginUrl":"{FAKE}","armUrl":"{FAKE}","armAudience":"{FAKE}/"}}}}"#),
        APP,
    )
    .unwrap();
    (transport, config)
}

/// The browser's part of the sign-in: follow the authorize URL to the redirect, read the code.
fn sign_in(transport: &InProcess, config: &AppConfig) -> Tokens {
    let (url, pending) = auth::begin(config, "organizations", "/", None, transport.now.get()).unwrap();
    let request = http::Request::builder().uri(url).body(Vec::new()).unwrap();
    let answer = transport.azure.borrow_mut().handle(request, transport.now.get()).response.unwrap();
    assert_eq!(answer.status(), 302, "auto-approve redirects back to the app");
    let location = answer.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with(APP));
    let Callback::Code { code, state } = auth::read_callback(location.split_once('?').unwrap().1) else {
        panic!("no code in {location}")
    };
    let pending = auth::check_state(Some(pending), &state, transport.now.get()).unwrap();
    block_on(auth::redeem(transport, config, &pending, &code, transport.now.get())).unwrap()
}

#[derive(Default)]
struct Recorder {
    renewed: RefCell<Vec<Tokens>>,
    sign_in_needed: RefCell<Vec<AuthError>>,
}

impl TokenEvents for Recorder {
    fn renewed(&self, tokens: &Tokens) {
        self.renewed.borrow_mut().push(tokens.clone());
    }
    fn sign_in_needed(&self, why: &AuthError) {
        self.sign_in_needed.borrow_mut().push(why.clone());
    }
}

fn auto_approve() -> Options {
    Options { auto_approve: true, ..Options::default() }
}

#[test]
fn sign_in_with_pkce_gives_tokens_for_the_users_tenant() {
    let (transport, config) = setup(auto_approve());
    let tokens = sign_in(&transport, &config);
    assert_eq!(tokens.tenant_id, common::TENANT);
    assert_eq!(tokens.account.username, "avery@contoso.example");
    assert_eq!(tokens.account.name, "Avery <b>Admin</b>", "names are data, kept as they are");
    assert!(tokens.refresh_token.is_some());
}

#[test]
fn a_wrong_verifier_is_refused_by_the_token_endpoint() {
    let (transport, config) = setup(auto_approve());
    let (url, mut pending) = auth::begin(&config, "organizations", "/", None, NOW).unwrap();
    let answer = transport
        .azure
        .borrow_mut()
        .handle(http::Request::builder().uri(url).body(Vec::new()).unwrap(), NOW)
        .response
        .unwrap();
    let location = answer.headers()["location"].to_str().unwrap().to_string();
    let Callback::Code { code, .. } = auth::read_callback(location.split_once('?').unwrap().1) else { panic!() };
    pending.pkce_verifier = "x".repeat(64);
    let error = block_on(auth::redeem(&transport, &config, &pending, &code, NOW)).unwrap_err();
    assert_eq!(error.code, "invalid_grant");
    assert!(error.sign_in_again);
}

#[test]
fn an_access_token_arm_calls_expired_is_renewed_once_and_the_call_retried() {
    let (transport, config) = setup(auto_approve());
    let mut tokens = sign_in(&transport, &config);
    // The app believes its token is good for hours (a skewed clock); ARM says it expired.
    tokens.expires_at_ms = NOW + 10 * 3_600_000;
    transport.now.set(NOW + 2 * 3_600_000);
    let recorder = Rc::new(Recorder::default());
    let signed_in = SignedIn::new(transport.clone(), config.clone(), tokens.clone(), recorder.clone());
    let client = ArmClient::new(signed_in, FAKE);
    let subscriptions: Vec<mde_core::arm::subscriptions::Subscription> =
        block_on(client.list(&mde_core::api::subscriptions())).unwrap();
    assert_eq!(subscriptions.len(), 2, "the call succeeded after renewal");
    assert_eq!(recorder.renewed.borrow().len(), 1, "renewed exactly once");
    assert_ne!(recorder.renewed.borrow()[0].access_token, tokens.access_token);
    assert!(recorder.sign_in_needed.borrow().is_empty());
    let sent = transport.sent.borrow();
    assert_eq!(sent.iter().filter(|s| s.starts_with("GET /subscriptions")).count(), 2, "one retry: {sent:?}");
}

#[test]
fn after_24_hours_only_a_new_sign_in_will_do() {
    let (transport, config) = setup(auto_approve());
    let tokens = sign_in(&transport, &config);
    transport.now.set(NOW + 25 * 3_600_000);
    let recorder = Rc::new(Recorder::default());
    let client = ArmClient::new(SignedIn::new(transport.clone(), config, tokens, recorder.clone()), FAKE);
    transport.sent.borrow_mut().clear();
    let failure = block_on(client.list::<serde_json::Value>(&mde_core::api::subscriptions())).unwrap_err();
    assert_eq!(failure.remedy(), mde_core::error::Remedy::SignIn, "{failure}");
    assert_eq!(recorder.sign_in_needed.borrow()[0].code, "refresh_expired");
    assert!(
        transport.sent.borrow().is_empty(),
        "nothing sent once only a sign-in will do: {:?}",
        transport.sent.borrow()
    );
}

#[test]
fn the_overview_and_a_fix_against_the_fake() {
    let (transport, _) = setup(Options { require_auth: false, page_size: 1, ..Options::default() });
    let client = ArmClient::new(transport.clone(), FAKE);
    let mut model = Overview::default();
    block_on(overview::load(&client, 4, |event| model.apply(event)));
    assert!(model.complete());
    assert_eq!(model.rows.len(), 3, "every page of subscriptions");
    let prod = model.rows.iter().find(|r| r.subscription.subscription_id == SUB).unwrap();
    assert_eq!(prod.status(), Some(IntegrationStatus::Partial));
    assert_eq!(prod.coverage.ready().map(|c| (c.machines, c.covered, c.linux)), Some((4, 1, 1)));

    let changes = vec![
        SettingChange {
            subscription_id: SUB.into(),
            setting: "WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW".into(),
            enabled: false,
        },
        SettingChange { subscription_id: SUB.into(), setting: "WDATP_UNIFIED_SOLUTION".into(), enabled: true },
    ];
    // The subscription page's Fix: a plan of one through the run pipeline.
    let parts = *prod.parts.ready().unwrap();
    let plan = Plan::one(Intent::Fix, "Prod", changes, parts, *prod.plan.ready().unwrap());
    let kind = SubscriptionChanges { cloud: mde_core::cloud::Cloud::public() };
    let mut record = Record::<SubscriptionChanges>::new(plan.clone());
    let work = record.work();
    block_on(run::apply(&kind, &client, &plan, work, 4, &Control::default(), |event| {
        record.apply(&event);
    }));
    let finished = record.rows[0].finished().expect("the run ended");
    assert_eq!(finished.failure, None, "written and read back as asked");
    assert_eq!(finished.writes.iter().map(|w| w.sent.status).collect::<Vec<_>>(), [200, 200]);
    let audited = SubscriptionChanges::audited(&plan.items[0], finished);
    let values: Vec<_> = audited.iter().map(|a| (a.setting.as_str(), a.before, a.requested, a.after)).collect();
    assert_eq!(
        values,
        [
            ("WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW", Some(true), false, Some(false)),
            // Absent before: the portal reads a missing unified setting as included.
            ("WDATP_UNIFIED_SOLUTION", Some(true), true, Some(true)),
        ]
    );
    let after: Vec<mde_core::arm::settings::Setting> = block_on(client.list(&mde_core::api::settings(SUB))).unwrap();
    assert_eq!(mde_core::status::IntegrationParts::from_settings(&after).status(), IntegrationStatus::On);
}

/// The fake behind a transport where requests overlap, as in a browser: each request yields
/// once before its answer (so `concurrency` requests are out at a time) and takes `step_ms`
/// of the test's clock.
#[derive(Clone)]
struct Overlapping {
    inner: InProcess,
    step_ms: u64,
}

impl Transport for Overlapping {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        let mut yielded = false;
        futures::future::poll_fn(|cx| {
            if yielded {
                return std::task::Poll::Ready(());
            }
            yielded = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        })
        .await;
        self.inner.now.set(self.inner.now.get() + self.step_ms);
        self.inner.send(request).await
    }

    async fn sleep(&self, ms: u64) {
        self.inner.sleep(ms).await
    }

    fn now_ms(&self) -> u64 {
        self.inner.now_ms()
    }
}

/// A generated tenant of 500 subscriptions, signed in with hour-long tokens; each ARM call
/// takes 10 s of the test's clock, so the first access token dies after 360 calls, while the
/// app believes it is good for hours (a skewed clock).
fn big_tenant() -> (Overlapping, AppConfig, Tokens) {
    let scenario = fake_azure::generate::scenario_json(&fake_azure::generate::GenerateOptions {
        subscriptions: 500,
        machines: 0,
        seed: 3,
        ..Default::default()
    });
    let (transport, config) = setup(auto_approve());
    *transport.azure.borrow_mut() = FakeAzure::from_scenario_json(&scenario, auto_approve()).unwrap();
    let mut tokens = sign_in(&transport, &config);
    tokens.expires_at_ms = NOW + 10 * 3_600_000;
    (Overlapping { inner: transport, step_ms: 10_000 }, config, tokens)
}

#[test]
fn a_revoked_session_makes_exactly_one_token_request_however_many_calls_fail() {
    let (transport, config, tokens) = big_tenant();
    let azure = transport.inner.azure.clone();
    azure.borrow_mut().revoke_refresh_tokens();
    let before = azure.borrow().token_requests();
    transport.inner.sent.borrow_mut().clear();
    let recorder = Rc::new(Recorder::default());
    let client = ArmClient::new(SignedIn::new(transport.clone(), config, tokens, recorder.clone()), FAKE);
    let mut model = Overview::default();
    block_on(overview::load(&client, 8, |event| model.apply(event)));

    let token_requests = azure.borrow().token_requests() - before;
    let failed = model.rows.iter().filter(|r| matches!(r.parts, overview::Load::Failed(_))).count();
    println!(
        "500 subscriptions, revoked session: {token_requests} /token request(s), {} rows, {failed} failed, list: {:?}",
        model.rows.len(),
        model.failure
    );
    assert_eq!(token_requests, 1, "one renewal for every caller that met the 401");
    assert_eq!(recorder.sign_in_needed.borrow().len(), 1, "the banner is raised once");
    assert_eq!(recorder.sign_in_needed.borrow()[0].code, "invalid_grant");
    // The token dies after 360 calls, while the list is still streaming in: the callers then
    // in flight (8) and every later one find the session dead.
    assert!(model.rows.len() >= 100, "some of the list was read before the token died");
    assert!(failed >= 8, "many callers met the dead token: {failed}");
    let dead = model.rows.iter().find_map(|r| match &r.parts {
        overview::Load::Failed(f) => Some(f.clone()),
        _ => None,
    });
    let dead = dead.expect("rows after the token died failed");
    assert_eq!(dead.remedy(), mde_core::error::Remedy::SignIn, "{dead}");
    let sent_after: usize = transport.inner.sent.borrow().iter().filter(|s| s.contains("/token")).count();
    assert_eq!(sent_after, 1, "no request reached /token again");
}

#[test]
fn many_calls_meeting_an_expired_token_share_one_renewal_and_all_succeed() {
    let (transport, config, tokens) = big_tenant();
    let azure = transport.inner.azure.clone();
    let before = azure.borrow().token_requests();
    let recorder = Rc::new(Recorder::default());
    let client = ArmClient::new(SignedIn::new(transport.clone(), config, tokens, recorder.clone()), FAKE);
    let mut model = Overview::default();
    block_on(overview::load(&client, 8, |event| model.apply(event)));

    let renewals = azure.borrow().token_requests() - before;
    assert!(model.complete(), "every row loaded");
    assert!(model.rows.iter().all(|r| r.parts.ready().is_some()), "no row failed");
    // Hour-long tokens over ~1,000 calls of 10 s each: one renewal per token, never one per caller.
    let calls = transport.inner.sent.borrow().len();
    println!("500 subscriptions, hour-long tokens: {renewals} renewal(s) for {calls} calls");
    assert!((1..=4).contains(&renewals), "{renewals} renewals");
    assert_eq!(recorder.renewed.borrow().len(), renewals);
    assert!(recorder.sign_in_needed.borrow().is_empty());
}

#[test]
fn the_demo_tenant_overview_completes_with_the_statuses_the_portal_would_show() {
    let scenario =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../public/demo/scenario.json")).unwrap();
    let (transport, _) = setup(open_options());
    *transport.azure.borrow_mut() = FakeAzure::from_scenario_json(&scenario, open_options()).unwrap();
    let client = ArmClient::new(transport.clone(), FAKE);
    let mut model = Overview::default();
    block_on(overview::load(&client, 8, |event| model.apply(event)));
    assert!(
        model.complete(),
        "pending: {:?}",
        model.rows.iter().filter(|r| r.is_pending()).map(|r| &r.subscription.display_name).collect::<Vec<_>>()
    );
    let status = |name: &str| model.rows.iter().find(|r| r.subscription.display_name == name).and_then(|r| r.status());
    use IntegrationStatus::*;
    for (name, expected) in [
        ("Contoso Production", On),
        ("Contoso Retail – EU", Partial),
        ("Contoso Sandbox", Off),
        ("Contoso Shared Services", On),
        ("Contoso Identity", NoPlan),
    ] {
        assert_eq!(status(name), Some(expected), "{name}");
    }
}

fn open_options() -> Options {
    Options { require_auth: false, ..Options::default() }
}

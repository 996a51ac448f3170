//! Injected faults: latency and jitter, 429 with Retry-After (by rate and after N requests),
//! 500/503, 409 on concurrent writes, dropped requests, token expiry, ARM's own budgets, and
//! seeded replay.

mod common;

use common::*;
use fake_azure::{Faults, Options};
use mde_core::api;
use serde_json::json;

fn settings(sub: &str) -> String {
    url(&format!("/subscriptions/{sub}/providers/Microsoft.Security/settings"), api::SETTINGS)
}

fn wdatp(sub: &str) -> String {
    url(&format!("/subscriptions/{sub}/providers/Microsoft.Security/settings/WDATP"), api::SETTINGS)
}

fn enable() -> serde_json::Value {
    json!({"kind": "DataExportSettings", "properties": {"enabled": true}})
}

fn with(faults: Faults) -> Options {
    Options { faults, ..open() }
}

#[test]
fn latency_and_jitter_become_the_reply_delay() {
    let mut azure = fake(with(Faults { latency_ms: 100, jitter_ms: 50, ..Faults::default() }));
    let delays: Vec<u64> =
        (0..30).map(|_| azure.handle(request("GET", &settings(SUB), None, None), NOW).delay_ms).collect();
    assert!(delays.iter().all(|d| (100..=150).contains(d)), "{delays:?}");
    assert!(delays.iter().any(|&d| d != delays[0]), "jitter varies: {delays:?}");
    // Entra answers are delayed too.
    let login = azure.handle(request("GET", "http://x/common/oauth2/v2.0/logout", None, None), NOW);
    assert!(login.delay_ms >= 100);
}

#[test]
fn throttling_by_rate_carries_retry_after() {
    let mut azure = fake(with(Faults { rate_429: 1.0, retry_after_s: 7, ..Faults::default() }));
    let response = get(&mut azure, &settings(SUB));
    assert_eq!(response.status(), 429);
    assert_eq!(header(&response, "retry-after"), Some("7"));
    assert_eq!(error_code(&response), "SubscriptionRequestsThrottled");
    assert_eq!(header(&response, "x-ms-ratelimit-remaining-subscription-reads"), Some("0"));
    assert_eq!(error_code(&get(&mut azure, &url("/subscriptions", api::RESOURCES))), "TenantRequestsThrottled");
}

#[test]
fn throttling_after_n_requests_per_subscription() {
    let mut azure = fake(with(Faults { after_429: Some(2), retry_after_s: 3, ..Faults::default() }));
    let at = |azure: &mut fake_azure::FakeAzure, sub: &str, now: u64| {
        azure.handle(request("GET", &settings(sub), None, None), now).response.unwrap()
    };
    assert_eq!(at(&mut azure, SUB, NOW).status(), 200);
    assert_eq!(at(&mut azure, SUB, NOW).status(), 200);
    let third = at(&mut azure, SUB, NOW);
    assert_eq!((third.status().as_u16(), header(&third, "retry-after")), (429, Some("3")));
    assert_eq!(at(&mut azure, READER_SUB, NOW).status(), 200, "other subscriptions are not throttled");
    let early = at(&mut azure, SUB, NOW + 1000);
    assert_eq!((early.status().as_u16(), header(&early, "retry-after")), (429, Some("2")));
    assert_eq!(at(&mut azure, SUB, NOW + 3000).status(), 200, "honouring Retry-After works");
}

#[test]
fn server_errors_and_no_state_change() {
    let mut azure = fake(with(Faults { rate_5xx: 1.0, retry_after_s: 2, ..Faults::default() }));
    let statuses: Vec<u16> = (0..20).map(|_| get(&mut azure, &settings(SUB)).status().as_u16()).collect();
    assert!(statuses.contains(&500) && statuses.contains(&503), "{statuses:?}");
    let failed = send(&mut azure, "PUT", &wdatp(READER_SUB), Some(&enable()), None);
    assert!(failed.status().is_server_error());
    if failed.status() == 503 {
        assert_eq!(header(&failed, "retry-after"), Some("2"));
        assert_eq!(error_code(&failed), "ServiceUnavailable");
    } else {
        assert_eq!(error_code(&failed), "InternalServerError");
    }
    azure.set_faults(Faults::default());
    assert_eq!(body(&get(&mut azure, &wdatp(SUB)))["properties"]["enabled"], true);
    assert_eq!(
        body(&get(&mut azure, &wdatp(READER_SUB)))["properties"]["enabled"],
        false,
        "the failed write changed nothing"
    );
}

#[test]
fn held_requests_are_answered_late_then_on_time() {
    let mut azure = fake(with(Faults { hang_first: 2, hang_ms: 45_000, latency_ms: 10, ..Faults::default() }));
    let delays: Vec<(Option<u16>, u64)> = (0..3)
        .map(|_| azure.handle(request("GET", &settings(SUB), None, None), NOW))
        .map(|reply| (reply_status(&reply), reply.delay_ms))
        .collect();
    assert_eq!(delays, [(Some(200), 45_010), (Some(200), 45_010), (Some(200), 10)]);
    let other = azure.handle(request("GET", &settings(READER_SUB), None, None), NOW);
    assert_eq!(other.delay_ms, 45_010, "each subscription has its own count");
}

#[test]
fn dropped_requests_get_no_answer() {
    let mut azure = fake(with(Faults { drop_rate: 1.0, latency_ms: 30, ..Faults::default() }));
    let reply = azure.handle(request("GET", &settings(SUB), None, None), NOW);
    assert!(reply.response.is_none());
    assert_eq!(reply.delay_ms, 30);
}

#[test]
fn concurrent_writes_to_one_subscription_conflict() {
    let mut azure = fake(with(Faults { latency_ms: 500, ..Faults::default() }));
    let put = |azure: &mut fake_azure::FakeAzure, sub: &str, now: u64| {
        azure.handle(request("PUT", &wdatp(sub), Some(&enable()), None), now)
    };
    let first = put(&mut azure, SUB, NOW);
    assert_eq!((reply_status(&first), first.delay_ms), (Some(200), 500));
    let second = put(&mut azure, SUB, NOW + 100).response.unwrap();
    assert_eq!((second.status().as_u16(), error_code(&second)), (409, "Conflict".into()));
    assert!(body(&second)["error"]["message"].as_str().unwrap().starts_with("Another update operation is in progress"));
    let reads = azure.handle(request("GET", &settings(SUB), None, None), NOW + 100);
    assert_eq!(reply_status(&reads), Some(200), "reads are not blocked");
    let scenario_other = put(&mut azure, OTHER_TENANT_SUB, NOW + 100);
    assert_eq!(reply_status(&scenario_other), Some(200), "other subscriptions write in parallel");
    assert_eq!(reply_status(&put(&mut azure, SUB, NOW + 600)), Some(200), "after the first write finished");
}

#[test]
fn access_tokens_expire() {
    let mut azure = fake(Options { token_lifetime_s: 60, ..Options::default() });
    let token = azure.mint_access_token(None, NOW);
    let at = |azure: &mut fake_azure::FakeAzure, now: u64| {
        azure.handle(request("GET", &settings(SUB), None, Some(&token)), now).response.unwrap()
    };
    assert_eq!(at(&mut azure, NOW + 59_999).status(), 200);
    let expired = at(&mut azure, NOW + 60_000);
    assert_eq!((expired.status().as_u16(), error_code(&expired)), (401, "ExpiredAuthenticationToken".into()));
    assert!(header(&expired, "www-authenticate").unwrap().contains("error=\"invalid_token\""));
}

#[test]
fn arm_budgets_when_enforced() {
    let mut azure = fake(with(Faults { rate_limits: true, ..Faults::default() }));
    for _ in 0..250 {
        assert_eq!(get(&mut azure, &settings(SUB)).status(), 200);
    }
    let empty = get(&mut azure, &settings(SUB));
    assert_eq!((empty.status().as_u16(), header(&empty, "retry-after")), (429, Some("1")));
    let graph = url("/providers/Microsoft.ResourceGraph/resources", api::RESOURCE_GRAPH);
    let query = json!({"subscriptions": [], "query": mde_core::arm::graph::PLANS_QUERY});
    for _ in 0..15 {
        assert_eq!(send(&mut azure, "POST", &graph, Some(&query), None).status(), 200);
    }
    let over = send(&mut azure, "POST", &graph, Some(&query), None);
    assert_eq!((over.status().as_u16(), header(&over, "retry-after")), (429, Some("5")));
}

/// The fate of a fixed request sequence under `seed`.
fn run(seed: u64) -> Vec<(Option<u16>, u64, Option<String>)> {
    let faults =
        Faults { latency_ms: 10, jitter_ms: 100, rate_429: 0.2, rate_5xx: 0.2, drop_rate: 0.1, ..Faults::default() };
    let mut azure = fake(Options { seed, ..with(faults) });
    (0..60)
        .map(|i| {
            let (method, link, body) =
                if i % 5 == 0 { ("PUT", wdatp(SUB), Some(enable())) } else { ("GET", settings(SUB), None) };
            let reply = azure.handle(request(method, &link, body.as_ref(), None), NOW + i * 1000);
            let id = reply.response.as_ref().and_then(|r| header(r, "x-ms-request-id").map(str::to_string));
            (reply_status(&reply), reply.delay_ms, id)
        })
        .collect()
}

#[test]
fn same_seed_replays_the_same_run() {
    let (a, b, c) = (run(42), run(42), run(43));
    assert_eq!(a, b);
    assert_ne!(a, c);
    let statuses: Vec<Option<u16>> = a.iter().map(|(s, _, _)| *s).collect();
    for wanted in [Some(200), Some(429), None] {
        assert!(statuses.contains(&wanted), "{wanted:?} in {statuses:?}");
    }
    assert!(statuses.iter().any(|s| matches!(s, Some(500 | 503))));
}

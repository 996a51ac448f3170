//! The faults a bulk run meets, through `FakeAzure::handle`: answers lost after the write was
//! done, transient 409s by rate and by scenario, a subscription disabled mid-run, and the
//! counts of what was injected.

use http::Request;
use serde_json::{json, Value};

use crate::{FakeAzure, Faults, Injections, Options};

const NOW: u64 = 1_717_200_000_000;
const SUB: &str = "11111111-1111-1111-1111-111111111111";
const BUSY: &str = "22222222-2222-2222-2222-222222222222";

fn tenant() -> FakeAzure {
    let owner = json!([{ "actions": ["*"] }]);
    let scenario = json!({ "subscriptions": [
        { "subscription": { "subscriptionId": SUB, "displayName": "Prod", "state": "Enabled" }, "permissions": owner },
        { "subscription": { "subscriptionId": BUSY, "displayName": "Busy", "state": "Enabled" }, "permissions": owner,
          "conflictingWrites": 2 },
    ]});
    FakeAzure::from_scenario_json(&scenario.to_string(), Options { require_auth: false, ..Options::default() }).unwrap()
}

fn wdatp(sub: &str) -> String {
    format!(
        "https://management.azure.com/subscriptions/{sub}/providers/Microsoft.Security/settings/WDATP?api-version={}",
        mde_core::api::SETTINGS
    )
}

/// `(status, error code)` of a PUT turning WDATP on; `None`: no answer.
fn put(azure: &mut FakeAzure, sub: &str) -> Option<(u16, String)> {
    let body = json!({ "kind": "DataExportSettings", "properties": { "enabled": true } });
    let request = Request::put(wdatp(sub)).body(serde_json::to_vec(&body).unwrap()).unwrap();
    let response = azure.handle(request, NOW).response?;
    let code = serde_json::from_slice::<Value>(response.body())
        .ok()
        .and_then(|b| b["error"]["code"].as_str().map(str::to_string));
    Some((response.status().as_u16(), code.unwrap_or_default()))
}

/// Whether the fake holds WDATP on, read with no faults.
fn wdatp_on(azure: &mut FakeAzure, sub: &str) -> bool {
    let faults = std::mem::take(&mut azure.options.faults);
    let response = azure.handle(Request::get(wdatp(sub)).body(Vec::new()).unwrap(), NOW).response.unwrap();
    azure.options.faults = faults;
    response.status() == 200
        && serde_json::from_slice::<Value>(response.body()).unwrap()["properties"]["enabled"] == true
}

#[test]
fn a_lost_answer_leaves_the_write_done() {
    let mut azure = tenant();
    azure.set_faults(Faults { lost_answer_rate: 1.0, ..Faults::default() });
    assert_eq!(put(&mut azure, SUB), None, "no answer");
    assert!(wdatp_on(&mut azure, SUB), "yet ARM applied it");
    assert_eq!(azure.injected(), Injections { lost_answers: 1, ..Injections::default() });
}

#[test]
fn a_dropped_request_never_reached_arm() {
    let mut azure = tenant();
    azure.set_faults(Faults { drop_rate: 1.0, ..Faults::default() });
    assert_eq!(put(&mut azure, SUB), None);
    assert!(!wdatp_on(&mut azure, SUB));
    assert_eq!(azure.injected().dropped, 1);
}

#[test]
fn conflicts_by_rate_refuse_writes_only_and_come_after_the_state_check() {
    let mut azure = tenant();
    azure.set_faults(Faults { conflict_rate: 1.0, ..Faults::default() });
    let request = Request::get(wdatp(SUB)).body(Vec::new()).unwrap();
    assert_eq!(azure.handle(request, NOW).response.unwrap().status(), 404, "reads go through (no setting yet)");
    assert_eq!(put(&mut azure, SUB), Some((409, "Conflict".into())));
    assert!(!wdatp_on(&mut azure, SUB));
    assert!(azure.set_subscription_state(SUB, "Expired"));
    assert_eq!(put(&mut azure, SUB), Some((409, "ReadOnlyDisabledSubscription".into())), "read-only is not transient");
    assert_eq!(azure.injected().conflicts, 1);
}

#[test]
fn the_scenarios_conflicting_writes_refuse_the_first_writes_then_let_them_through() {
    let mut azure = tenant();
    let conflict = Some((409, "Conflict".to_string()));
    assert_eq!([put(&mut azure, BUSY), put(&mut azure, BUSY)], [conflict.clone(), conflict]);
    assert!(!wdatp_on(&mut azure, BUSY));
    assert_eq!(put(&mut azure, BUSY), Some((200, String::new())));
    assert!(wdatp_on(&mut azure, BUSY));
    assert_eq!(put(&mut azure, SUB), Some((200, String::new())), "other subscriptions are not busy");
    assert_eq!(azure.injected().conflicts, 2);

    let scenario = r#"{"subscriptions":[{"subscription":{"subscriptionId":"s"},"conflictingWrites":"many"}]}"#;
    let error = FakeAzure::from_scenario_json(scenario, Options::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        r#"invalid scenario: subscriptions[0].conflictingWrites: expected a count like 5, found "many""#
    );
}

#[test]
fn a_subscription_disabled_mid_run_refuses_writes_in_arms_words_and_is_listed_so() {
    let mut azure = tenant();
    assert!(azure.set_subscription_state(SUB, "Disabled"));
    assert!(!azure.set_subscription_state("no-such-subscription", "Disabled"));
    let request =
        Request::put(wdatp(SUB)).body(br#"{"kind":"DataExportSettings","properties":{"enabled":true}}"#.to_vec());
    let response = azure.handle(request.unwrap(), NOW).response.unwrap();
    assert_eq!(response.status(), 409);
    let error = serde_json::from_slice::<Value>(response.body()).unwrap()["error"].clone();
    assert_eq!(error["code"], "ReadOnlyDisabledSubscription");
    assert_eq!(
        error["message"],
        format!("The subscription '{SUB}' is disabled and therefore marked as read only. You cannot perform any write actions on this subscription until it is re-enabled.")
    );
    let list = Request::get("https://management.azure.com/subscriptions?api-version=2022-12-01").body(Vec::new());
    let listed: Value = serde_json::from_slice(azure.handle(list.unwrap(), NOW).response.unwrap().body()).unwrap();
    assert_eq!(listed["value"][0]["state"], "Disabled");
    azure.set_subscription_state(SUB, "Enabled");
    assert_eq!(put(&mut azure, SUB), Some((200, String::new())), "re-enabled, it takes writes again");
}

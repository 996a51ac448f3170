//! Test-only routes under `/_witness/`, served only with `--witness`: an end-to-end test judges
//! a run by the fake's own state (read through ARM with no faults), never by what the page
//! showed, and sets the stage between acts (faults off and on, billing disabling a
//! subscription). Without the flag these paths are ARM's, which has no such route (404).

use fake_azure::{FakeAzure, Faults};
use http::{Method, Request, Response, StatusCode};
use serde_json::json;

pub const PREFIX: &str = "/_witness/";

/// The states billing may give a subscription (`Microsoft.Resources/subscriptions` `state`).
const STATES: [&str; 6] = ["Enabled", "Warned", "PastDue", "Disabled", "Expired", "Deleted"];

/// The answer to a `/_witness/` request. `storm`: the faults of the command line, which
/// `/_witness/storm` restores.
pub fn answer(azure: &mut FakeAzure, storm: &Faults, request: &Request<Vec<u8>>, now_ms: u64) -> Response<Vec<u8>> {
    let path = request.uri().path().strip_prefix(PREFIX).unwrap_or_default();
    let segments: Vec<&str> = path.split('/').collect();
    match (request.method(), segments.as_slice()) {
        // Faults off from now on (latency included): the state is read clean.
        (&Method::POST, ["calm"]) => {
            azure.set_faults(Faults::default());
            empty()
        }
        (&Method::POST, ["storm"]) => {
            azure.set_faults(storm.clone());
            empty()
        }
        // An ARM access token for the home tenant, as if signed in; `--revoke-access-after-ms`
        // and `--token-lifetime` apply to it as to any.
        (&Method::GET, ["token"]) => {
            let token = azure.mint_access_token(None, now_ms);
            body(StatusCode::OK, &json!({ "accessToken": token, "tenantId": azure.home_tenant() }))
        }
        (&Method::GET, ["injected"]) => {
            let injected = azure.injected();
            body(
                StatusCode::OK,
                &json!({
                    "dropped": injected.dropped,
                    "lostAnswers": injected.lost_answers,
                    "throttled": injected.throttled,
                    "serverErrors": injected.server_errors,
                    "conflicts": injected.conflicts,
                    "tokenRequests": azure.token_requests(),
                }),
            )
        }
        // Billing changes a subscription's state; the body is the state, e.g. `Disabled`.
        (&Method::PUT, ["subscriptions", id, "state"]) => {
            let state = String::from_utf8_lossy(request.body());
            let state = state.trim();
            if !STATES.contains(&state) {
                return body(
                    StatusCode::BAD_REQUEST,
                    &json!({ "error": format!("state '{state}' is not one of {STATES:?}") }),
                );
            }
            if azure.set_subscription_state(id, state) {
                empty()
            } else {
                body(StatusCode::NOT_FOUND, &json!({ "error": format!("no subscription {id}") }))
            }
        }
        _ => body(
            StatusCode::NOT_FOUND,
            &json!({ "error": "witness routes: POST calm, POST storm, GET token, GET injected, PUT subscriptions/{id}/state" }),
        ),
    }
}

fn empty() -> Response<Vec<u8>> {
    let mut response = Response::new(Vec::new());
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}

fn body(status: StatusCode, value: &serde_json::Value) -> Response<Vec<u8>> {
    let mut response = Response::new(value.to_string().into_bytes());
    *response.status_mut() = status;
    response.headers_mut().insert("content-type", http::HeaderValue::from_static("application/json"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_717_200_000_000;
    const SCENARIO: &str =
        r#"{"subscriptions":[{"subscription":{"subscriptionId":"s1","displayName":"Prod","state":"Enabled"}}]}"#;

    fn call(azure: &mut FakeAzure, method: &str, path: &str, body: &str) -> (u16, serde_json::Value) {
        let request = Request::builder().method(method).uri(format!("http://127.0.0.1:1{path}"));
        let response =
            answer(azure, &Faults { drop_rate: 1.0, ..Faults::default() }, &request.body(body.into()).unwrap(), NOW);
        (response.status().as_u16(), serde_json::from_slice(response.body()).unwrap_or_default())
    }

    fn arm_get(azure: &mut FakeAzure, path: &str, token: &str) -> Option<u16> {
        let request =
            Request::get(format!("http://127.0.0.1:1{path}")).header("authorization", format!("Bearer {token}"));
        azure.handle(request.body(Vec::new()).unwrap(), NOW).response.map(|r| r.status().as_u16())
    }

    #[test]
    fn calm_and_storm_switch_the_faults_a_token_reads_arm_and_billing_disables() {
        let options =
            fake_azure::Options { faults: Faults { drop_rate: 1.0, ..Faults::default() }, ..Default::default() };
        let mut azure = FakeAzure::from_scenario_json(SCENARIO, options).unwrap();
        let (status, token) = call(&mut azure, "GET", "/_witness/token", "");
        assert_eq!(status, 200);
        let token = token["accessToken"].as_str().unwrap().to_string();
        let subscription = "/subscriptions/s1?api-version=2022-12-01";
        assert_eq!(arm_get(&mut azure, subscription, &token), None, "dropped, as the command line said");
        assert_eq!(call(&mut azure, "POST", "/_witness/calm", "").0, 204);
        assert_eq!(arm_get(&mut azure, subscription, &token), Some(200));
        assert_eq!(call(&mut azure, "POST", "/_witness/storm", "").0, 204);
        assert_eq!(arm_get(&mut azure, subscription, &token), None, "the command line's faults again");
        let (status, injected) = call(&mut azure, "GET", "/_witness/injected", "");
        assert_eq!((status, injected["dropped"].as_u64()), (200, Some(2)));

        assert_eq!(call(&mut azure, "PUT", "/_witness/subscriptions/s1/state", "Disabled").0, 204);
        assert_eq!(call(&mut azure, "PUT", "/_witness/subscriptions/s2/state", "Disabled").0, 404);
        assert_eq!(call(&mut azure, "PUT", "/_witness/subscriptions/s1/state", "Gone").0, 400);
        assert_eq!(call(&mut azure, "GET", "/_witness/state", "").0, 404);
        call(&mut azure, "POST", "/_witness/calm", "");
        let request = Request::get(format!("http://127.0.0.1:1{subscription}"))
            .header("authorization", format!("Bearer {token}"));
        let listed = azure.handle(request.body(Vec::new()).unwrap(), NOW).response.unwrap();
        let listed: serde_json::Value = serde_json::from_slice(listed.body()).unwrap();
        assert_eq!(listed["state"], "Disabled");
    }
}

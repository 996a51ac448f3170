//! The demo tenant behind a message port: demo mode runs the fake in a Web Worker, so the app
//! itself never carries it and signed-in users never download it.
//!
//! The messages are `demo_protocol`'s, a crate of their own that the app shares without
//! depending on the fake. [`Host`] is the worker's side, free of browser types so that it is
//! tested natively; the page's side lives in the app (`browser::demo`).

use demo_protocol::{Answer, Call, FromTenant, Reply, ToTenant};
use http::Request;

use crate::{FakeAzure, Options};

/// The request a call stands for.
fn request_of(call: Call) -> Result<Request<Vec<u8>>, http::Error> {
    let mut builder = Request::builder().method(call.method.as_str()).uri(call.url);
    for (name, value) in &call.headers {
        builder = builder.header(name, value);
    }
    builder.body(call.body.into_bytes())
}

fn pairs(headers: &http::HeaderMap) -> Vec<(String, String)> {
    headers.iter().filter_map(|(n, v)| Some((n.to_string(), v.to_str().ok()?.to_string()))).collect()
}

/// The worker's side: holds the tenant and turns each incoming text into the text to send back.
#[derive(Default)]
pub struct Host {
    azure: Option<FakeAzure>,
}

impl Host {
    pub fn receive(&mut self, text: &str, now_ms: u64) -> FromTenant {
        // As bytes: the scenario and request bodies are read so too (one serde_json reader).
        match serde_json::from_slice::<ToTenant>(text.as_bytes()) {
            Ok(ToTenant::Start { scenario, latency_ms }) => {
                let mut options = Options { require_auth: false, ..Options::default() };
                options.faults.latency_ms = latency_ms;
                match FakeAzure::from_scenario_json(&scenario, options) {
                    Ok(azure) => {
                        self.azure = Some(azure);
                        FromTenant::Started { error: None }
                    }
                    Err(e) => FromTenant::Started { error: Some(e.to_string()) },
                }
            }
            Ok(ToTenant::Call(call)) => FromTenant::Answer(self.answer(call, now_ms)),
            Err(e) => FromTenant::Started { error: Some(format!("the demo tenant got a message it cannot read: {e}")) },
        }
    }

    fn answer(&mut self, call: Call, now_ms: u64) -> Answer {
        let id = call.id;
        let (Some(azure), Ok(request)) = (self.azure.as_mut(), request_of(call)) else {
            // Not started, or not a request at all: nothing a network would answer either.
            return Answer { id, delay_ms: 0, response: None };
        };
        let reply = azure.handle(request, now_ms);
        let response = reply.response.map(|r| Reply {
            status: r.status().as_u16(),
            headers: pairs(r.headers()),
            body: String::from_utf8_lossy(r.body()).into_owned(),
        });
        Answer { id, delay_ms: reply.delay_ms, response }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCENARIO: &str =
        r#"{"subscriptions":[{"subscription":{"subscriptionId":"s1","displayName":"Prod","state":"Enabled"}}]}"#;

    fn roundtrip(host: &mut Host, message: &ToTenant) -> FromTenant {
        let text = serde_json::to_string(message).unwrap();
        let answer = host.receive(&text, 1_700_000_000_000);
        serde_json::from_str(&serde_json::to_string(&answer).unwrap()).unwrap()
    }

    fn start(latency_ms: u64) -> ToTenant {
        ToTenant::Start { scenario: SCENARIO.into(), latency_ms }
    }

    fn list_subscriptions(id: u32) -> ToTenant {
        ToTenant::Call(Call {
            id,
            method: "GET".into(),
            url: "https://management.azure.com/subscriptions?api-version=2022-12-01".into(),
            headers: vec![("Accept".into(), "application/json".into())],
            body: String::new(),
        })
    }

    #[test]
    fn a_started_tenant_answers_a_request_across_the_port() {
        let mut host = Host::default();
        assert_eq!(roundtrip(&mut host, &start(120)), FromTenant::Started { error: None });
        let FromTenant::Answer(answer) = roundtrip(&mut host, &list_subscriptions(7)) else { panic!("no answer") };
        assert_eq!((answer.id, answer.delay_ms), (7, 120));
        let reply = answer.response.unwrap();
        assert_eq!(reply.status, 200);
        let body: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
        assert_eq!(body["value"][0]["displayName"], "Prod");
    }

    #[test]
    fn a_broken_scenario_says_why() {
        let mut host = Host::default();
        let broken = ToTenant::Start { scenario: "{ not json".into(), latency_ms: 0 };
        let FromTenant::Started { error: Some(error) } = roundtrip(&mut host, &broken) else { panic!("it started") };
        assert!(error.contains("line 1"), "{error}");
    }

    #[test]
    fn a_call_before_start_is_dropped_not_answered() {
        let mut host = Host::default();
        let FromTenant::Answer(answer) = roundtrip(&mut host, &list_subscriptions(1)) else { panic!("no answer") };
        assert_eq!((answer.id, answer.response), (1, None));
    }
}

//! The demo tenant behind a message port: demo mode runs the fake in a Web Worker, so the app
//! itself never carries it and signed-in users never download it.
//!
//! The page and the worker exchange JSON texts: the page sends [`ToTenant`] messages, the
//! worker answers with [`FromTenant`] ones. [`Host`] is the worker's side, free of browser
//! types so that it is tested natively; the page's side lives in the app (`browser::demo`).

use http::Request;
use serde::{Deserialize, Serialize};

use crate::{FakeAzure, Options};

/// A message from the page to the tenant.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub enum ToTenant {
    /// Load this scenario file's text (once, first).
    Start { scenario: String, latency_ms: u64 },
    /// Answer this request.
    Call(Call),
}

/// A message from the tenant to the page.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub enum FromTenant {
    /// The worker is listening: messages sent before this would be lost.
    Ready,
    /// The scenario loaded, or why not.
    Started {
        error: Option<String>,
    },
    Answer(Answer),
}

/// One HTTP request, as it crosses the port.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct Call {
    pub id: u32,
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// The tenant's answer to the call with the same `id`.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct Answer {
    pub id: u32,
    /// Latency to wait before the page sees the answer (or sees it dropped).
    pub delay_ms: u64,
    /// `None`: the request was dropped, as a network would.
    pub response: Option<Reply>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Call {
    pub fn from_request(id: u32, request: &Request<Vec<u8>>) -> Call {
        Call {
            id,
            method: request.method().to_string(),
            url: request.uri().to_string(),
            headers: pairs(request.headers()),
            body: String::from_utf8_lossy(request.body()).into_owned(),
        }
    }

    fn into_request(self) -> Result<Request<Vec<u8>>, http::Error> {
        let mut builder = Request::builder().method(self.method.as_str()).uri(self.url);
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        builder.body(self.body.into_bytes())
    }
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
        match serde_json::from_str::<ToTenant>(text) {
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
        let (Some(azure), Ok(request)) = (self.azure.as_mut(), call.into_request()) else {
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
        let request = Request::get("https://management.azure.com/subscriptions?api-version=2022-12-01")
            .header("Accept", "application/json")
            .body(vec![])
            .unwrap();
        ToTenant::Call(Call::from_request(id, &request))
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

//! The demo tenant behind a message port: what the page and the demo tenant's Web Worker say
//! to each other, as JSON texts.
//!
//! The page sends [`ToTenant`] messages, the worker answers with [`FromTenant`] ones. Both sides
//! depend on this crate alone for the wire format, so the app never links the fake Azure that
//! answers in the worker (`fake_azure::worker::Host`).

use serde::{Deserialize, Serialize};

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

/// One HTTP request, as it crosses the port (and as the page keeps the demo's writes, to
/// replay them after a reload).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Call {
    pub id: u32,
    pub method: String,
    /// Absolute URL.
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

/// An HTTP response, as it crosses the port.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The texts both sides must agree on, written out: a change of shape breaks a deployed
    /// site whose worker files are cached apart from the app's (their names are not hashed).
    #[test]
    fn messages_keep_their_wire_shape() {
        let start = ToTenant::Start { scenario: "{}".into(), latency_ms: 120 };
        assert_eq!(serde_json::to_string(&start).unwrap(), r#"{"start":{"scenario":"{}","latency_ms":120}}"#);
        let call = ToTenant::Call(Call {
            id: 7,
            method: "GET".into(),
            url: "https://management.azure.com/subscriptions?api-version=2022-12-01".into(),
            headers: vec![("accept".into(), "application/json".into())],
            body: String::new(),
        });
        assert_eq!(
            serde_json::to_string(&call).unwrap(),
            r#"{"call":{"id":7,"method":"GET","url":"https://management.azure.com/subscriptions?api-version=2022-12-01","headers":[["accept","application/json"]],"body":""}}"#
        );
        assert_eq!(serde_json::to_string(&FromTenant::Ready).unwrap(), r#""ready""#);
        let answer = FromTenant::Answer(Answer {
            id: 7,
            delay_ms: 0,
            response: Some(Reply { status: 200, headers: vec![], body: "{}".into() }),
        });
        assert_eq!(
            serde_json::to_string(&answer).unwrap(),
            r#"{"answer":{"id":7,"delay_ms":0,"response":{"status":200,"headers":[],"body":"{}"}}}"#
        );
        let dropped: FromTenant = serde_json::from_str(r#"{"answer":{"id":1,"delay_ms":5,"response":null}}"#).unwrap();
        assert_eq!(dropped, FromTenant::Answer(Answer { id: 1, delay_ms: 5, response: None }));
    }
}

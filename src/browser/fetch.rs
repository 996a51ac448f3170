//! The network transport: `fetch` through gloo-net, CORS mode, no cookies.
//!
//! Every request has its own `AbortController`: dropping the request's future (the page that
//! wanted it was left) aborts it in the browser, and so does the timeout. A request that gets
//! no answer in time is a network failure, which the core's client retries like any other.

use std::future::Future;
use std::pin::pin;

use futures::future::{self, Either};
use gloo_net::http::{Method as FetchMethod, RequestBuilder};
use mde_core::transport::{Request, Response, Transport, TransportError, READ_HEADERS};
use web_sys::{AbortController, AbortSignal, RequestCredentials};

/// How long a request may go unanswered unless `config.json` says otherwise.
pub const DEFAULT_TIMEOUT_MS: u64 = mde_core::config::DEFAULT_REQUEST_TIMEOUT_MS;

#[derive(Clone)]
pub struct FetchTransport {
    timeout_ms: u64,
}

impl Default for FetchTransport {
    fn default() -> Self {
        FetchTransport::new(DEFAULT_TIMEOUT_MS)
    }
}

impl FetchTransport {
    pub fn new(timeout_ms: u64) -> Self {
        FetchTransport { timeout_ms }
    }
}

/// A fetch's abort controller, aborted when dropped: when the future that owns the request
/// goes away, answered or not, so does the request (aborting a finished fetch does nothing).
pub struct Abort(Option<AbortController>);

impl Abort {
    pub fn new() -> Self {
        Abort(AbortController::new().ok())
    }

    pub fn signal(&self) -> Option<AbortSignal> {
        self.0.as_ref().map(AbortController::signal)
    }

    fn abort(&self) {
        if let Some(controller) = &self.0 {
            controller.abort();
        }
    }
}

impl Default for Abort {
    fn default() -> Self {
        Abort::new()
    }
}

impl Drop for Abort {
    fn drop(&mut self) {
        self.abort();
    }
}

/// Why a request was given up: the core shows it after "No answer from Azure".
pub fn timeout_message(timeout_ms: u64) -> String {
    if timeout_ms.is_multiple_of(1000) {
        format!("nothing came back within {} s", timeout_ms / 1000)
    } else {
        format!("nothing came back within {timeout_ms} ms")
    }
}

/// Runs `exchange` (a request and the reading of its body) for at most `timeout_ms`; after
/// that aborts it through `abort` and gives `None`.
pub async fn within<T>(timeout_ms: u64, abort: &Abort, exchange: impl Future<Output = T>) -> Option<T> {
    match future::select(pin!(exchange), pin!(super::sleep(timeout_ms))).await {
        Either::Left((result, _)) => Some(result),
        Either::Right(((), _)) => {
            abort.abort();
            None
        }
    }
}

fn network(e: impl std::fmt::Display) -> TransportError {
    TransportError::Network(e.to_string())
}

impl Transport for FetchTransport {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        let method = FetchMethod::from_bytes(request.method().as_str().as_bytes()).map_err(network)?;
        let abort = Abort::new();
        let signal = abort.signal();
        // gloo-net joins the URL's own query and the builder's with a '&', which leaves every
        // URL that carries its query ending in '&': give it the pairs instead.
        let uri = request.uri().to_string();
        let (base, query) = uri.split_once('?').unwrap_or((&uri, ""));
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
        let mut builder = RequestBuilder::new(base)
            .query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .method(method)
            .credentials(RequestCredentials::Omit)
            .abort_signal(signal.as_ref());
        for (name, value) in request.headers() {
            if let Ok(value) = value.to_str() {
                builder = builder.header(name.as_str(), value);
            }
        }
        let exchange = async move {
            let sent = if request.body().is_empty() {
                builder.send().await
            } else {
                let body = js_sys::Uint8Array::from(request.body().as_slice());
                builder.body(body).map_err(network)?.send().await
            };
            let answer = sent.map_err(network)?;
            let mut response = http::Response::builder().status(answer.status());
            // Only the headers CORS exposes are readable here; the client copes without the rest.
            for name in READ_HEADERS {
                if let Some(value) = answer.headers().get(name.as_str()) {
                    response = response.header(name.clone(), value);
                }
            }
            let body = answer.binary().await.map_err(network)?;
            response.body(body).map_err(network)
        };
        within(self.timeout_ms, &abort, exchange)
            .await
            .unwrap_or_else(|| Err(TransportError::Network(timeout_message(self.timeout_ms))))
    }

    async fn sleep(&self, ms: u64) {
        super::sleep(ms).await
    }

    fn now_ms(&self) -> u64 {
        super::now_ms()
    }
}

//! The network transport: the browser's `fetch`, CORS mode, no cookies, made by the network
//! worker (see [`network`](super::network)), or from the page if the worker could not start.
//!
//! Every request has its own `AbortController`: dropping the request's future (the page that
//! wanted it was left) aborts it in the browser, and so does the timeout. A request that gets
//! no answer in time is a network failure, which the core's client retries like any other.

use std::future::Future;
use std::pin::pin;
use std::rc::Rc;

use super::network::{self, Outcome};
use futures::future::{self, Either};
use mde_core::cloud::Cloud;
use mde_core::transport::{Request, Response, Transport, TransportError, READ_HEADERS};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, Headers, RequestCredentials, RequestInit, RequestMode};

/// How long a request may go unanswered unless `config.json` says otherwise.
pub const DEFAULT_TIMEOUT_MS: u64 = mde_core::config::DEFAULT_REQUEST_TIMEOUT_MS;

#[derive(Clone)]
pub struct FetchTransport {
    timeout_ms: u64,
    /// The cloud's Entra ID and ARM origins: the only ones the network worker fetches from.
    origins: Rc<[String]>,
}

impl FetchTransport {
    pub fn new(timeout_ms: u64, cloud: &Cloud) -> Self {
        let origins = [&cloud.login_url, &cloud.arm_url]
            .into_iter()
            .filter_map(|endpoint| Some(url::Url::parse(endpoint).ok()?.origin().ascii_serialization()))
            .collect();
        FetchTransport { timeout_ms, origins }
    }

    /// The request made from the page itself (when the network worker could not start).
    async fn fetch_here(&self, request: Request) -> Result<Response, TransportError> {
        let mut abort = Abort::new();
        let init = RequestInit::new();
        init.set_method(request.method().as_str());
        init.set_mode(RequestMode::Cors);
        init.set_credentials(RequestCredentials::Omit);
        init.set_signal(abort.signal().as_ref());
        let headers = Headers::new().map_err(js_network)?;
        for (name, value) in request.headers() {
            if let Ok(value) = value.to_str() {
                headers.append(name.as_str(), value).map_err(js_network)?;
            }
        }
        init.set_headers(&headers);
        if !request.body().is_empty() {
            init.set_body(&js_sys::Uint8Array::from(request.body().as_slice()));
        }
        let window = web_sys::window().ok_or_else(|| network("no window"))?;
        let exchange = async {
            let answer = JsFuture::from(window.fetch_with_str_and_init(&request.uri().to_string(), &init))
                .await
                .map_err(js_network)?;
            let answer: web_sys::Response = answer.unchecked_into();
            let mut response = http::Response::builder().status(answer.status());
            // Only the headers CORS exposes are readable here; the client copes without the rest.
            for name in READ_HEADERS {
                if let Ok(Some(value)) = answer.headers().get(name.as_str()) {
                    response = response.header(name.clone(), value);
                }
            }
            let body = JsFuture::from(answer.array_buffer().map_err(js_network)?).await.map_err(js_network)?;
            response.body(js_sys::Uint8Array::new(&body).to_vec()).map_err(network)
        };
        let answered = within(self.timeout_ms, &abort, exchange).await;
        // Answered (or failed) in time: nothing left to abort when the future is dropped.
        abort.disarm();
        answered.unwrap_or_else(|| Err(TransportError::Network(timeout_message(self.timeout_ms))))
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

    /// The request is over: dropping this no longer aborts anything (aborting a finished fetch
    /// did nothing but cost the main thread a call per request).
    pub fn disarm(&mut self) {
        self.0 = None;
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

/// A failed fetch: the browser's TypeError says little ("Failed to fetch"), but say it.
fn js_network(e: wasm_bindgen::JsValue) -> TransportError {
    TransportError::Network(super::js_message(e))
}

impl Transport for FetchTransport {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        let Some(worker) = network::worker(&self.origins) else {
            return self.fetch_here(request).await;
        };
        match worker.send(&request, self.timeout_ms).await {
            Outcome::Answered(response) => Ok(response),
            Outcome::TimedOut => Err(TransportError::Network(timeout_message(self.timeout_ms))),
            Outcome::Failed(why) => Err(why),
            Outcome::NotSent => self.fetch_here(request).await,
        }
    }

    async fn sleep(&self, ms: u64) {
        super::sleep(ms).await
    }

    fn now_ms(&self) -> u64 {
        super::now_ms()
    }
}

//! The one seam between the core and the outside world: send an HTTP request, wait a while.
//!
//! The browser implements it over `fetch`, demo mode over the fake tenant in a worker, the
//! tests over the fake directly. Keeping it this small is what lets the same client run everywhere.

use std::future::Future;

use http::HeaderName;

/// An HTTP request as the core builds it (absolute URL, headers, body bytes).
pub type Request = http::Request<Vec<u8>>;
/// An HTTP response as the core reads it.
pub type Response = http::Response<Vec<u8>>;

/// ARM's id of one request, and of the operation it belongs to: what Azure support asks for.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-ms-request-id");
pub const CORRELATION_ID: HeaderName = HeaderName::from_static("x-ms-correlation-request-id");
/// When Resource Graph's per-user quota refills after a 429 (`hh:mm:ss`).
pub const GRAPH_QUOTA_RESETS_AFTER: HeaderName = HeaderName::from_static("x-ms-user-quota-resets-after");
/// Where a long-running operation's status is polled (see `lro`).
pub const AZURE_ASYNC_OPERATION: HeaderName = HeaderName::from_static("azure-asyncoperation");

/// The response headers the core reads (`Retry-After` on 429/409/5xx, the 401 challenge, ARM's
/// request ids, Resource Graph's quota, a long-running operation's polling URLs): a transport
/// must pass these on, and may drop the rest.
/// Named by constant, so that no header name is parsed at run time (the parser is 12 kB of wasm).
pub const READ_HEADERS: [HeaderName; 7] = [
    http::header::RETRY_AFTER,
    http::header::WWW_AUTHENTICATE,
    REQUEST_ID,
    CORRELATION_ID,
    GRAPH_QUOTA_RESETS_AFTER,
    http::header::LOCATION,
    AZURE_ASYNC_OPERATION,
];

/// Why no HTTP answer came back at all. An HTTP error status is *not* a transport error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// The request left but no answer arrived (network down, connection dropped, CORS refusal).
    Network(String),
    /// Not sent: the session has ended and only a new interactive sign-in will do.
    SignInAgain(String),
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransportError::Network(why) => write!(f, "no answer from the server ({why})"),
            TransportError::SignInAgain(why) => write!(f, "sign in again: {why}"),
        }
    }
}

impl std::error::Error for TransportError {}

/// The network and the clock, as the core needs them.
///
/// Futures are not `Send`: in the browser everything runs on one thread.
pub trait Transport {
    /// Sends one request and returns whatever HTTP answer came back.
    fn send(&self, request: Request) -> impl Future<Output = Result<Response, TransportError>>;
    /// Waits `ms` milliseconds (used for `Retry-After` and backoff).
    fn sleep(&self, ms: u64) -> impl Future<Output = ()>;
    /// Milliseconds since the Unix epoch (token expiry, audit times).
    fn now_ms(&self) -> u64;
}

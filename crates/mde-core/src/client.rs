//! The ARM client: JSON over any [`Transport`], with paging, retries and `Retry-After`.
//!
//! Paging follows `nextLink` (only to the same ARM host, so a hostile link cannot take the
//! token elsewhere) and Resource Graph's `$skipToken`.
//!
//! A request is retried only when repeating it cannot change the outcome, and the caller says
//! which kind it sends ([`Effect`]):
//! - [`Effect::Repeatable`] (reads, PUT/PATCH/DELETE of a resource's state, a provider's
//!   registration, Resource Graph's query POST): retried after a dropped request or a timeout,
//!   a 5xx, a 429 and ARM's transient 409 ("another operation is in progress").
//! - [`Effect::SideEffects`] (Run Command: a VM's `runCommand` POST, an Arc `runCommands` PUT,
//!   which runs the script again each time): retried only when ARM's answer proves it did not
//!   run it, that is a 429 or a transient 409. A 4xx is a refusal: ARM's throttling answers
//!   429 before the request reaches the provider, and the provider answers 409 instead of
//!   starting it. After no answer, a timeout or a 5xx (a 504 is ARM giving up on a provider
//!   that may still be running it; a 500 may come after the work) nothing proves that, and the
//!   failure is [`ArmFailure::MayHaveRun`].
//!
//! Waits honour `Retry-After`, or Resource Graph's `x-ms-user-quota-resets-after`, when the
//! browser lets us read them. A lock, a policy, a read-only subscription and a 409 whose code
//! the app does not know are never retried.

use std::cell::Cell;

use http::header::{ACCEPT, CONTENT_TYPE};
use http::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::arm::graph::{QueryRequest, QueryResponse};
use crate::arm::Page;
use crate::error::ArmFailure;
use crate::transport::{
    Request, Response, Transport, TransportError, CORRELATION_ID, GRAPH_QUOTA_RESETS_AFTER, REQUEST_ID,
};

/// How hard to try before giving up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// First backoff when the server gave no `Retry-After`; doubles each time.
    pub base_delay_ms: u64,
    /// Never wait longer than this for one retry, whatever `Retry-After` says.
    pub max_delay_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { attempts: 5, base_delay_ms: 500, max_delay_ms: 30_000 }
    }
}

/// What sending a request twice could do, which decides what the client may retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Sending it again changes nothing: retried on no answer, a timeout, 5xx, 429 and ARM's
    /// transient 409.
    Repeatable,
    /// Sending it again may do it again (Run Command): retried only on 429 and ARM's transient
    /// 409; after no answer, a timeout or a 5xx it fails as [`ArmFailure::MayHaveRun`].
    SideEffects,
}

/// ARM's answer to a write that succeeded: its status (200, 201, 202...) and request ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub status: u16,
    pub request_id: Option<String>,
    pub correlation_id: Option<String>,
}

/// Resource Graph accepts at most this many subscriptions in one query.
pub const GRAPH_SUBSCRIPTIONS_PER_QUERY: usize = 1000;

/// A client for one cloud's ARM endpoint.
pub struct ArmClient<T> {
    transport: T,
    arm_url: String,
    retry: RetryPolicy,
    jitter_seed: Cell<u64>,
}

impl<T: Transport> ArmClient<T> {
    /// `arm_url` is the cloud's ARM base, e.g. `https://management.azure.com`.
    pub fn new(transport: T, arm_url: &str) -> Self {
        let jitter_seed = Cell::new(transport.now_ms() | 1);
        ArmClient {
            transport,
            arm_url: arm_url.trim_end_matches('/').to_string(),
            retry: RetryPolicy::default(),
            jitter_seed,
        }
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn transport(&self) -> &T {
        &self.transport
    }

    pub fn arm_url(&self) -> &str {
        &self.arm_url
    }

    /// The absolute URL of an ARM path from [`crate::api`].
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.arm_url, path)
    }

    /// GETs one resource.
    pub async fn get<D: DeserializeOwned>(&self, path: &str) -> Result<D, ArmFailure> {
        let response = self.send(Method::GET, self.url(path), None).await?;
        parse(&response)
    }

    /// GETs every page of a list, following `nextLink`.
    pub async fn list<D: DeserializeOwned>(&self, path: &str) -> Result<Vec<D>, ArmFailure> {
        let mut items = Vec::new();
        let mut url = self.url(path);
        loop {
            let (page, next) = self.page(url).await?;
            items.extend(page);
            match next {
                Some(link) => url = link,
                None => return Ok(items),
            }
        }
    }

    /// GETs one page of a list at an absolute `url`: its items, and the next page's URL
    /// (checked to be on this ARM host).
    pub async fn page<D: DeserializeOwned>(&self, url: String) -> Result<(Vec<D>, Option<String>), ArmFailure> {
        let page: Page<D> = parse(&self.send(Method::GET, url, None).await?)?;
        let next = page.next().map(|link| self.same_host(link.to_string())).transpose()?;
        Ok((page.value, next))
    }

    /// PUTs a resource and returns ARM's answer.
    pub async fn put<B: Serialize, D: DeserializeOwned>(&self, path: &str, body: &B) -> Result<D, ArmFailure> {
        let body = serde_json::to_vec(body).map_err(|e| ArmFailure::Unreadable(e.to_string()))?;
        let response = self.send(Method::PUT, self.url(path), Some(body)).await?;
        parse(&response)
    }

    /// Sends a [`Effect::Repeatable`] write (PUT, PATCH, DELETE, a provider's registration POST)
    /// and returns what ARM said about it, for the audit log.
    pub async fn write<B: Serialize>(&self, method: Method, path: &str, body: &B) -> Result<Written, ArmFailure> {
        let body = serde_json::to_vec(body).map_err(|e| ArmFailure::Unreadable(e.to_string()))?;
        let response = self.send(method, self.url(path), Some(body)).await?;
        let header =
            |name: &http::HeaderName| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        Ok(Written {
            status: response.status().as_u16(),
            request_id: header(&REQUEST_ID),
            correlation_id: header(&CORRELATION_ID),
        })
    }

    /// Runs a Resource Graph query over `subscriptions`, in batches of 1,000 subscriptions,
    /// following `$skipToken` for every page.
    pub async fn query<D: DeserializeOwned>(
        &self,
        query: &str,
        subscriptions: &[String],
    ) -> Result<Vec<D>, ArmFailure> {
        let mut rows = Vec::new();
        let mut pages = self.query_pages(query, subscriptions);
        while let Some(page) = pages.next_page().await? {
            rows.extend(page);
        }
        Ok(rows)
    }

    /// The pages of a Resource Graph query, fetched one at a time by [`GraphPages::next_page`],
    /// so that a caller can show each page before asking for the next.
    pub fn query_pages<'a>(&'a self, query: &'a str, subscriptions: &'a [String]) -> GraphPages<'a, T> {
        GraphPages { client: self, query, batches: subscriptions.chunks(GRAPH_SUBSCRIPTIONS_PER_QUERY), request: None }
    }

    /// Sends one [`Effect::Repeatable`] request (a read, a PUT/PATCH/DELETE of a resource's
    /// state, a provider's registration), retrying what is worth retrying; an error status is a
    /// failure. A request with side effects goes through [`ArmClient::send_as`].
    pub async fn send(&self, method: Method, url: String, body: Option<Vec<u8>>) -> Result<Response, ArmFailure> {
        self.send_as(Effect::Repeatable, method, url, body).await
    }

    /// Sends one request of the caller's [`Effect`], retrying only what repeating cannot change.
    /// A [`Effect::SideEffects`] request that got no answer, a timeout or a 5xx fails as
    /// [`ArmFailure::MayHaveRun`].
    pub async fn send_as(
        &self,
        effect: Effect,
        method: Method,
        url: String,
        body: Option<Vec<u8>>,
    ) -> Result<Response, ArmFailure> {
        if has_dot_segment(&url) {
            // An id of ".." would make the browser send the request (and the token) elsewhere.
            return Err(ArmFailure::Unreadable(format!("refused to send {url}: an id in it is '.' or '..'")));
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            let outcome = self.transport.send(request(&method, &url, body.clone())).await;
            let wait = match &outcome {
                Ok(response) if response.status().is_success() => None,
                Ok(response) => self.retry_wait(effect, response, attempt),
                // Not sent: the session has ended.
                Err(TransportError::SignInAgain(_)) => None,
                // No answer (dropped, timed out): it may have reached ARM.
                Err(TransportError::Network(_)) => (effect == Effect::Repeatable).then(|| self.backoff(attempt)),
            };
            match wait {
                Some(ms) if attempt < self.retry.attempts => self.transport.sleep(ms).await,
                _ => return finish(effect, outcome),
            }
        }
    }

    /// How long to wait before retrying this failed answer, or `None` when retrying cannot help
    /// or could do harm.
    fn retry_wait(&self, effect: Effect, response: &Response, attempt: u32) -> Option<u64> {
        let retry = match response.status() {
            StatusCode::TOO_MANY_REQUESTS => true,
            // "Another operation is in progress": the write was refused, and will not be once
            // the other one ends. Other 409s (a lock, a read-only subscription, a code the app
            // does not know) will not clear by waiting.
            StatusCode::CONFLICT => ArmFailure::from_response(response).is_transient_conflict(),
            status if status.is_server_error() => effect == Effect::Repeatable,
            _ => false,
        };
        retry.then(|| {
            retry_after_ms(response).map_or_else(|| self.backoff(attempt), |ms| ms.min(self.retry.max_delay_ms))
        })
    }

    /// Exponential backoff with up to 50% jitter, so parallel retries do not arrive together.
    fn backoff(&self, attempt: u32) -> u64 {
        let base = self.retry.base_delay_ms.saturating_mul(1 << (attempt - 1).min(10));
        let mut x = self.jitter_seed.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.jitter_seed.set(x);
        (base + x % (base / 2 + 1)).min(self.retry.max_delay_ms)
    }

    pub(crate) fn same_host(&self, link: String) -> Result<String, ArmFailure> {
        let expected = format!("{}/", self.arm_url);
        if link.starts_with(&expected) {
            Ok(link)
        } else {
            Err(ArmFailure::Unreadable(format!("a next-page link points outside {}: {link}", self.arm_url)))
        }
    }
}

/// A Resource Graph query on its way, page by page: batches of 1,000 subscriptions, each
/// followed through its `$skipToken`s. No subscriptions: no page (ARG would read an empty list
/// as "every subscription the user can see").
pub struct GraphPages<'a, T> {
    client: &'a ArmClient<T>,
    query: &'a str,
    batches: std::slice::Chunks<'a, String>,
    /// The request of the next page of the current batch; `None` between batches.
    request: Option<QueryRequest>,
}

impl<T: Transport> GraphPages<'_, T> {
    /// The next page's rows; `None` once every page of every batch has come.
    pub async fn next_page<D: DeserializeOwned>(&mut self) -> Result<Option<Vec<D>>, ArmFailure> {
        if self.request.is_none() {
            match self.batches.next() {
                Some(batch) => self.request = Some(QueryRequest::new(self.query, batch.to_vec())),
                None => return Ok(None),
            }
        }
        let request = self.request.as_mut().expect("set above");
        let body = serde_json::to_vec(&*request).map_err(|e| ArmFailure::Unreadable(e.to_string()))?;
        let client = self.client;
        // A query changes nothing, though it is a POST.
        let url = client.url(&crate::api::resource_graph());
        let response = client.send_as(Effect::Repeatable, Method::POST, url, Some(body)).await?;
        let page: QueryResponse<D> = parse(&response)?;
        if page.truncated() && page.skip_token.as_deref().is_none_or(str::is_empty) {
            // ARG cut the answer short and gave no way to page on: rows would be missing.
            return Err(ArmFailure::Unreadable(format!(
                "Resource Graph truncated its answer ({} of {} rows, no $skipToken): some rows would be missing",
                page.count, page.total_records
            )));
        }
        match page.skip_token.filter(|t| !t.is_empty()) {
            Some(token) => request.options.skip_token = Some(token),
            None => self.request = None,
        }
        Ok(Some(page.data))
    }

    /// Whether every page has come (the last [`GraphPages::next_page`] was the last page).
    pub fn is_done(&self) -> bool {
        self.request.is_none() && self.batches.len() == 0
    }
}

/// The last answer of a request as the caller gets it: a success, or why it failed (for a
/// request with side effects, whether it may have run).
fn finish(effect: Effect, outcome: Result<Response, TransportError>) -> Result<Response, ArmFailure> {
    let failure = match outcome {
        Ok(response) if response.status().is_success() => return Ok(response),
        Ok(response) => ArmFailure::from_response(&response),
        Err(e) => ArmFailure::from(e),
    };
    let unknown = matches!(failure, ArmFailure::Network(_)) || failure.status().is_some_and(|s| s >= 500);
    match effect {
        Effect::SideEffects if unknown => Err(failure.may_have_run_after()),
        _ => Err(failure),
    }
}

fn request(method: &Method, url: &str, body: Option<Vec<u8>>) -> Request {
    let mut builder = http::Request::builder().method(method.clone()).uri(url).header(ACCEPT, "application/json");
    if body.is_some() {
        builder = builder.header(CONTENT_TYPE, "application/json");
    }
    builder.body(body.unwrap_or_default()).expect("a URL built from the ARM base and an encoded path is valid")
}

/// How long the server asked us to wait, in milliseconds: `Retry-After` in seconds (ARM's
/// form), else Resource Graph's `x-ms-user-quota-resets-after` (`hh:mm:ss`).
pub fn retry_after_ms(response: &Response) -> Option<u64> {
    let header = |name: &http::HeaderName| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(seconds) = header(&http::header::RETRY_AFTER).and_then(|v| v.parse::<u64>().ok()) {
        return Some(seconds * 1000);
    }
    let resets = header(&GRAPH_QUOTA_RESETS_AFTER)?;
    let mut parts = resets.split(':').map(|p| p.parse::<u64>().ok());
    let (h, m, s) = (parts.next()??, parts.next()??, parts.next()??);
    Some(((h * 60 + m) * 60 + s) * 1000)
}

/// Whether a path (query ignored) holds a segment that a URL parser would resolve away:
/// `.`, `..`, or their escaped forms (`%2e`, `.%2e`, ...), as WHATWG URL treats them.
fn has_dot_segment(path: &str) -> bool {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    path.split('/').any(|segment| {
        let s = segment.to_ascii_lowercase().replace("%2e", ".");
        s == "." || s == ".."
    })
}

fn parse<D: DeserializeOwned>(response: &Response) -> Result<D, ArmFailure> {
    serde_json::from_slice(response.body()).map_err(|e| ArmFailure::Unreadable(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api;
    use crate::error::Remedy;

    #[test]
    fn dot_segments_are_found_in_every_spelling() {
        assert_eq!(api::seg("a b#c%d"), "a%20b%23c%25d");
        assert_eq!(api::seg("Prod…"), "Prod%E2%80%A6");
        // An escaped id stays escaped (its `%` is encoded): only bare dots can climb...
        assert!(!has_dot_segment(&api::setting("%2e%2E", "WDATP")));
        // ... but a path built elsewhere (a nextLink) is checked in every spelling.
        assert!(has_dot_segment("/subscriptions/%2e%2E/x") && has_dot_segment("/a/.%2E/b?x=/.."));
        for hostile in ["..", "."] {
            assert!(has_dot_segment(&api::setting(hostile, "WDATP")), "{hostile}");
            // What a browser would make of it: the segment is gone.
            let built = api::setting(hostile, "WDATP");
            let url = url::Url::parse(&format!("https://management.azure.com{built}")).unwrap();
            assert_ne!(url.path(), built.split('?').next().unwrap(), "{hostile}");
        }
        assert!(!has_dot_segment(&api::setting("...", "WDATP")));
        assert!(!has_dot_segment(&api::setting("sub.1", "WDATP.x")));
    }

    use std::cell::RefCell;

    /// Answers from a script, in order, and records what was sent and how long the client slept.
    #[derive(Default)]
    struct Script {
        answers: RefCell<Vec<Result<Response, TransportError>>>,
        sent: RefCell<Vec<String>>,
        slept: RefCell<Vec<u64>>,
    }

    impl Script {
        fn new(answers: Vec<Result<Response, TransportError>>) -> Self {
            Script { answers: RefCell::new(answers.into_iter().rev().collect()), ..Default::default() }
        }
    }

    impl Transport for Script {
        async fn send(&self, request: Request) -> Result<Response, TransportError> {
            self.sent.borrow_mut().push(request.uri().to_string());
            self.answers.borrow_mut().pop().expect("the script ran out of answers")
        }
        async fn sleep(&self, ms: u64) {
            self.slept.borrow_mut().push(ms);
        }
        fn now_ms(&self) -> u64 {
            7
        }
    }

    fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> Result<Response, TransportError> {
        let mut builder = http::Response::builder().status(status);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        Ok(builder.body(body.as_bytes().to_vec()).unwrap())
    }

    const ARM: &str = "https://management.azure.com";

    fn run<T>(f: impl std::future::Future<Output = T>) -> T {
        futures::executor::block_on(f)
    }

    #[test]
    fn a_next_link_to_another_host_is_not_followed() {
        let script = Script::new(vec![answer(
            200,
            &[],
            r#"{"value":[{"a":1}],"nextLink":"https://evil.example/steal?api-version=1"}"#,
        )]);
        let client = ArmClient::new(script, ARM);
        let failure = run(client.list::<serde_json::Value>(&api::subscriptions())).unwrap_err();
        assert!(
            failure.to_string().contains("a next-page link points outside https://management.azure.com"),
            "{failure}"
        );
        assert_eq!(client.transport().sent.borrow().len(), 1, "the token never went to the other host");
        // A look-alike host that merely starts with ARM's name is another host.
        let script = Script::new(vec![answer(
            200,
            &[],
            r#"{"value":[],"nextLink":"https://management.azure.com.evil.example/x"}"#,
        )]);
        assert!(run(ArmClient::new(script, ARM).list::<serde_json::Value>(&api::subscriptions())).is_err());
    }

    #[test]
    fn server_errors_are_retried_then_given_up_with_the_last_answer() {
        let busy = r#"{"error":{"code":"ServiceUnavailable","message":"try later"}}"#;
        let script =
            Script::new(vec![answer(500, &[], "oops"), answer(503, &[], busy), answer(200, &[], r#"{"value":[]}"#)]);
        let client = ArmClient::new(script, ARM);
        assert!(run(client.list::<serde_json::Value>(&api::subscriptions())).unwrap().is_empty());
        assert_eq!(client.transport().sent.borrow().len(), 3, "500 and 503 retried");

        let script = Script::new((0..5).map(|_| answer(503, &[], busy)).collect());
        let client = ArmClient::new(script, ARM);
        let failure = run(client.list::<serde_json::Value>(&api::subscriptions())).unwrap_err();
        assert_eq!((failure.status(), failure.code()), (Some(503), "ServiceUnavailable"));
        assert_eq!(client.transport().sent.borrow().len(), 5, "five attempts in all, then the failure");
        assert_eq!(client.transport().slept.borrow().len(), 4);
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let throttled = r#"{"error":{"code":"SubscriptionRequestsThrottled","message":"slow down"}}"#;
        let script = Script::new(vec![
            answer(429, &[("retry-after", "7")], throttled),
            answer(429, &[("retry-after", "3600")], throttled),
            answer(429, &[("x-ms-user-quota-resets-after", "00:00:04")], throttled),
            answer(200, &[], r#"{"value":[]}"#),
        ]);
        let client = ArmClient::new(script, ARM);
        run(client.list::<serde_json::Value>(&api::subscriptions())).unwrap();
        // 7 s as asked; an hour capped at 30 s; Resource Graph's quota reset read as 4 s.
        assert_eq!(*client.transport().slept.borrow(), [7_000, 30_000, 4_000]);
    }

    #[test]
    fn dropped_requests_are_retried_but_not_a_dead_session() {
        let script =
            Script::new(vec![Err(TransportError::Network("reset".into())), answer(200, &[], r#"{"value":[]}"#)]);
        let client = ArmClient::new(script, ARM);
        run(client.list::<serde_json::Value>(&api::subscriptions())).unwrap();
        assert_eq!(client.transport().sent.borrow().len(), 2);

        let script = Script::new(vec![Err(TransportError::SignInAgain("revoked".into()))]);
        let client = ArmClient::new(script, ARM);
        let failure = run(client.list::<serde_json::Value>(&api::subscriptions())).unwrap_err();
        assert_eq!(failure.remedy(), crate::error::Remedy::SignIn);
        assert!(client.transport().slept.borrow().is_empty(), "nothing to wait for");
    }

    const RUN: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1/runCommand?api-version=2024-07-01";
    const ACCEPTED: &str = "";

    fn run_command(client: &ArmClient<Script>) -> Result<Response, ArmFailure> {
        run(client.send_as(Effect::SideEffects, Method::POST, client.url(RUN), Some(b"{}".to_vec())))
    }

    #[test]
    fn a_command_that_may_have_run_is_never_sent_again() {
        let gateway = r#"{"error":{"code":"GatewayTimeout","message":"The gateway did not receive a response from 'Microsoft.Compute' within the specified time period."}}"#;
        for lost in [Err(TransportError::Network("nothing came back within 60 s".into())), answer(504, &[], gateway)] {
            let client = ArmClient::new(Script::new(vec![lost]), ARM);
            let failure = run_command(&client).unwrap_err();
            assert!(failure.may_have_run(), "{failure}");
            assert_eq!((failure.code(), failure.remedy()), (crate::error::MAY_HAVE_RUN, Remedy::ReadRunState));
            assert_eq!(client.transport().sent.borrow().len(), 1, "sent once: {failure}");
            assert!(failure.advice().starts_with("The command may have run"), "{}", failure.advice());
        }
        // ARM's own failure stays readable inside.
        let client = ArmClient::new(Script::new(vec![answer(504, &[("x-ms-request-id", "r1")], gateway)]), ARM);
        let failure = run_command(&client).unwrap_err();
        assert_eq!((failure.status(), failure.request_ids().0), (Some(504), Some("r1")));
        assert!(failure.to_string().contains("HTTP 504 GatewayTimeout"), "{failure}");
    }

    #[test]
    fn a_command_is_sent_again_only_when_arm_refused_it() {
        let throttled = r#"{"error":{"code":"SubscriptionRequestsThrottled","message":"slow down"}}"#;
        let busy = r#"{"error":{"code":"Conflict","message":"Another update operation is in progress."}}"#;
        let script = Script::new(vec![
            answer(429, &[("retry-after", "2")], throttled),
            answer(409, &[], busy),
            answer(202, &[], ACCEPTED),
        ]);
        let client = ArmClient::new(script, ARM);
        assert_eq!(run_command(&client).unwrap().status(), 202);
        assert_eq!(client.transport().sent.borrow().len(), 3);
        assert_eq!(client.transport().slept.borrow()[0], 2_000, "Retry-After honoured");
        // A sign-in that has ended: not sent, so nothing may have run.
        let client = ArmClient::new(Script::new(vec![Err(TransportError::SignInAgain("revoked".into()))]), ARM);
        assert_eq!(run_command(&client).unwrap_err().remedy(), Remedy::SignIn);
    }

    #[test]
    fn a_conflict_the_app_does_not_know_is_shown_not_retried() {
        let unknown =
            r#"{"error":{"code":"PropertyChangeNotAllowed","message":"Changing property 'kind' is not allowed."}}"#;
        let client = ArmClient::new(Script::new(vec![answer(409, &[], unknown)]), ARM);
        let failure = run(client.write(Method::PUT, &api::setting("s", "WDATP"), &serde_json::json!({}))).unwrap_err();
        assert_eq!(client.transport().sent.borrow().len(), 1);
        assert_eq!((failure.code(), failure.remedy()), ("PropertyChangeNotAllowed", Remedy::Report));
        assert_eq!(failure.to_string(), "HTTP 409 PropertyChangeNotAllowed: Changing property 'kind' is not allowed.");
    }

    #[test]
    fn a_server_error_waits_as_long_as_it_asks() {
        let busy = r#"{"error":{"code":"ServiceUnavailable","message":"try later"}}"#;
        let script = Script::new(vec![answer(503, &[("retry-after", "3")], busy), answer(200, &[], "{}")]);
        let client = ArmClient::new(script, ARM);
        run(client.get::<serde_json::Value>(&api::setting("s", "WDATP"))).unwrap();
        assert_eq!(*client.transport().slept.borrow(), [3_000]);
    }

    #[test]
    fn a_truncated_graph_answer_is_an_error_not_missing_rows() {
        let page = r#"{"totalRecords":5000,"count":1000,"resultTruncated":"true","data":[]}"#;
        let client = ArmClient::new(Script::new(vec![answer(200, &[], page)]), ARM);
        let failure = run(client.query::<serde_json::Value>("resources", &["s1".into()])).unwrap_err();
        assert!(failure.to_string().contains("Resource Graph truncated its answer (1000 of 5000 rows"), "{failure}");
    }

    #[test]
    fn a_dot_id_is_never_sent() {
        let client = ArmClient::new(Script::new(vec![]), ARM);
        let failure = run(client.get::<serde_json::Value>(&api::setting("..", "WDATP"))).unwrap_err();
        assert!(failure.to_string().contains("an id in it is '.' or '..'"), "{failure}");
        assert!(client.transport().sent.borrow().is_empty());
    }
}

//! The page's end of the network worker (`public/network-worker.js`), which makes the signed-in
//! app's requests to Entra ID and ARM off the main thread.
//!
//! Each fetch costs the thread that makes it a few tasks; 1,800 subscriptions' 3,700 requests
//! kept the page's main thread busy for seconds (about as long as bare `fetch()` calls from a
//! script: the cost is the browser's, not the app's). Through the worker, the requests made in
//! one task go out as one message, and the answers come back a batch per message.
//!
//! The worker is a shared one where the browser has them: Chromium still costs the page's main
//! thread two tasks per fetch of a dedicated worker (it reports each load to the page's frame),
//! none per fetch of a shared worker (1,800 subscriptions: 0.45 s of main thread against 0.27 s,
//! measured by `tests/e2e/bench/overview.mjs`). The tabs of the site share it, each through a
//! port of its own; a browser without shared workers gets a dedicated one per tab.
//!
//! It starts on the first request; requests wait for it to run (its first, empty, batch of
//! answers). If it cannot start (its file missing from the site), they and all later ones go
//! from the page itself (see [`FetchTransport`](super::fetch::FetchTransport)). If it stops
//! later, the requests it had fail as network failures, which the client retries.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::rc::Rc;

use futures::channel::oneshot;
use mde_core::transport::{Request, Response, TransportError};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, MessagePort, SharedWorker, Worker};

/// The worker's file, from the site's root (not hashed: a worker's file is named at run time).
const WORKER_PATH: &str = "/network-worker.js";

/// A hash of the worker's file (FNV-1a, 64 bits), computed when the app is compiled: the file's
/// bytes are read by the compiler, not carried in the wasm.
const WORKER_HASH: u64 = fnv1a(include_bytes!("../../public/network-worker.js"));

/// The shared worker's name: the tabs of one site share the worker of this name. It is the
/// worker file's hash, so a build whose worker differs in any byte (its messages included) never
/// joins a worker that a tab of an earlier build keeps running, with no version to bump by hand.
fn shared_name() -> String {
    format!("mde-network-{WORKER_HASH:016x}")
}

const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    let mut i = 0;
    while i < bytes.len() {
        hash = (hash ^ bytes[i] as u64).wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    hash
}

const FAILED: &str = "the app's network worker (network-worker.js) did not start";

/// A request as the worker takes it (serialized with the others of its batch).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Call<'a> {
    id: u32,
    method: &'a str,
    url: String,
    headers: Vec<(&'a str, &'a str)>,
    /// Entra's and ARM's bodies are text (form fields, JSON).
    body: std::borrow::Cow<'a, str>,
    timeout_ms: u64,
}

#[wasm_bindgen]
extern "C" {
    /// One of the worker's answers: `{id, status, headers, body}` or `{id, error}`.
    type Answer;
    #[wasm_bindgen(method, getter)]
    fn id(this: &Answer) -> u32;
    #[wasm_bindgen(method, getter)]
    fn status(this: &Answer) -> u16;
    /// Name, value, name, value...
    #[wasm_bindgen(method, getter)]
    fn headers(this: &Answer) -> Option<js_sys::Array>;
    #[wasm_bindgen(method, getter)]
    fn body(this: &Answer) -> Option<js_sys::ArrayBuffer>;
    /// "timeout", or the browser's reason for a failed fetch.
    #[wasm_bindgen(method, getter)]
    fn error(this: &Answer) -> Option<String>;
}

/// What came back for one request: the response, "timeout", or another failure; or nothing,
/// since the worker did not start: the request is still to be made.
pub enum Outcome {
    Answered(Response),
    TimedOut,
    Failed(TransportError),
    NotSent,
}

/// The calls and aborts to post in this task, and the requests waiting for an answer.
#[derive(Default)]
struct Exchange {
    next_id: u32,
    waiting: HashMap<u32, oneshot::Sender<Outcome>>,
    /// JSON texts of calls not yet posted.
    calls: Vec<String>,
    aborts: Vec<u32>,
    /// A post is scheduled for the end of this task.
    posting: bool,
    /// The worker runs: calls are posted (until then they wait).
    ready: bool,
    /// The worker could not start, or stopped: requests go from the page.
    failed: bool,
}

/// Where the calls go: a shared worker's port, or a dedicated worker.
enum Endpoint {
    Shared(SharedWorker, MessagePort),
    Dedicated(Worker),
}

impl Endpoint {
    fn start(url: &str) -> Option<Endpoint> {
        match SharedWorker::new_with_str(url, &shared_name()) {
            Ok(worker) => {
                let port = worker.port();
                Some(Endpoint::Shared(worker, port))
            }
            Err(_) => Worker::new(url).ok().map(Endpoint::Dedicated),
        }
    }

    fn post(&self, message: &JsValue) -> Result<(), JsValue> {
        match self {
            Endpoint::Shared(_, port) => port.post_message(message),
            Endpoint::Dedicated(worker) => worker.post_message(message),
        }
    }

    /// Answers come on the port; a worker that cannot load says so on the worker.
    fn listen(&self, on_message: &js_sys::Function, on_error: &js_sys::Function) {
        match self {
            Endpoint::Shared(worker, port) => {
                worker.set_onerror(Some(on_error));
                port.set_onmessage(Some(on_message)); // starts the port
            }
            Endpoint::Dedicated(worker) => {
                worker.set_onerror(Some(on_error));
                worker.set_onmessage(Some(on_message));
            }
        }
    }
}

pub struct NetworkWorker {
    worker: Rc<Endpoint>,
    exchange: Rc<RefCell<Exchange>>,
    _on_message: Closure<dyn Fn(MessageEvent)>,
    _on_error: Closure<dyn Fn(web_sys::Event)>,
}

thread_local! {
    static NETWORK: RefCell<Option<Rc<NetworkWorker>>> = const { RefCell::new(None) };
}

/// The tab's network worker, started now if need be, fetching only from `origins`; `None`
/// once it has failed to start.
pub fn worker(origins: &[String]) -> Option<Rc<NetworkWorker>> {
    let network = NETWORK.with(|n| {
        let mut network = n.borrow_mut();
        if network.is_none() {
            *network = NetworkWorker::start(origins).map(Rc::new);
        }
        network.clone()
    })?;
    let failed = network.exchange.borrow().failed;
    (!failed).then_some(network)
}

impl NetworkWorker {
    fn start(origins: &[String]) -> Option<NetworkWorker> {
        let worker = Rc::new(Endpoint::start(&super::site_path(WORKER_PATH))?);
        let exchange = Rc::new(RefCell::new(Exchange::default()));
        let (answers, port) = (exchange.clone(), worker.clone());
        let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
            let batch: js_sys::Array = event.data().unchecked_into();
            if !answers.borrow().ready {
                // The first (empty) batch: the worker runs; what waited for it goes now.
                answers.borrow_mut().ready = true;
                post(&port, &answers);
            }
            // Taken out first: a receiver may send more requests as soon as it runs.
            let mut delivered = Vec::with_capacity(batch.length() as usize);
            {
                let mut exchange = answers.borrow_mut();
                for answer in batch.iter() {
                    let answer: Answer = answer.unchecked_into();
                    if let Some(caller) = exchange.waiting.remove(&answer.id()) {
                        delivered.push((caller, answer));
                    }
                }
            }
            for (caller, answer) in delivered {
                let _ = caller.send(outcome(&answer));
            }
        });
        // A worker that cannot load or has stopped answers nothing: end every wait (requests
        // never posted are made from the page), and fetch from the page from now on.
        let stopped = exchange.clone();
        let on_error = Closure::<dyn Fn(web_sys::Event)>::new(move |_| {
            let (waiting, sent) = {
                let mut exchange = stopped.borrow_mut();
                exchange.failed = true;
                (std::mem::take(&mut exchange.waiting), exchange.ready)
            };
            for caller in waiting.into_values() {
                let _ = caller.send(if sent {
                    Outcome::Failed(TransportError::Network(FAILED.into()))
                } else {
                    Outcome::NotSent
                });
            }
        });
        worker.listen(on_message.as_ref().unchecked_ref(), on_error.as_ref().unchecked_ref());
        let allowed = js_sys::Object::new();
        let list: js_sys::Array = origins.iter().map(|o| JsValue::from_str(o)).collect();
        js_sys::Reflect::set(&allowed, &"origins".into(), &list).ok()?;
        worker.post(&allowed).ok()?;
        Some(NetworkWorker { worker, exchange, _on_message: on_message, _on_error: on_error })
    }

    /// Sends `request` with the others of this task; dropping the future before the answer
    /// aborts the request in the worker.
    pub fn send(self: &Rc<Self>, request: &Request, timeout_ms: u64) -> impl Future<Output = Outcome> + 'static {
        let headers = request.headers().iter().filter_map(|(n, v)| Some((n.as_str(), v.to_str().ok()?))).collect();
        let (caller, outcome) = oneshot::channel();
        let id = {
            let mut exchange = self.exchange.borrow_mut();
            let id = exchange.next_id;
            exchange.next_id = id.wrapping_add(1);
            let call = Call {
                id,
                method: request.method().as_str(),
                url: request.uri().to_string(),
                headers,
                body: String::from_utf8_lossy(request.body()),
                timeout_ms,
            };
            exchange.calls.push(serde_json::to_string(&call).expect("a call serializes"));
            exchange.waiting.insert(id, caller);
            id
        };
        self.post_soon();
        let mut pending = Pending { network: self.clone(), id: Some(id) };
        async move {
            let outcome = outcome.await.unwrap_or(Outcome::Failed(TransportError::Network(FAILED.into())));
            pending.answered();
            outcome
        }
    }

    /// Posts what this task queued once it ends (a microtask), as one message.
    fn post_soon(self: &Rc<Self>) {
        let mut exchange = self.exchange.borrow_mut();
        if exchange.posting {
            return;
        }
        exchange.posting = true;
        let network = self.clone();
        wasm_bindgen_futures::spawn_local(async move { post(&network.worker, &network.exchange) });
    }
}

/// Posts the calls and aborts queued in `exchange` to `worker` as one message, once it runs.
fn post(worker: &Endpoint, exchange: &RefCell<Exchange>) {
    let (calls, aborts) = {
        let mut exchange = exchange.borrow_mut();
        exchange.posting = false;
        if !exchange.ready || exchange.failed {
            return;
        }
        (std::mem::take(&mut exchange.calls), std::mem::take(&mut exchange.aborts))
    };
    if calls.is_empty() && aborts.is_empty() {
        return;
    }
    let message = js_sys::Object::new();
    if !calls.is_empty() {
        let _ = js_sys::Reflect::set(&message, &"calls".into(), &format!("[{}]", calls.join(",")).into());
    }
    if !aborts.is_empty() {
        let ids: js_sys::Array = aborts.into_iter().map(JsValue::from).collect();
        let _ = js_sys::Reflect::set(&message, &"abort".into(), &ids);
    }
    let _ = worker.post(&message);
}

/// A request the page still waits for: dropped early, it is aborted in the worker.
struct Pending {
    network: Rc<NetworkWorker>,
    id: Option<u32>,
}

impl Pending {
    fn answered(&mut self) {
        self.id = None;
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        let Some(id) = self.id else { return };
        let waited = {
            let mut exchange = self.network.exchange.borrow_mut();
            let waited = exchange.waiting.remove(&id).is_some();
            if waited {
                exchange.aborts.push(id);
            }
            waited
        };
        if waited {
            self.network.post_soon();
        }
    }
}

fn outcome(answer: &Answer) -> Outcome {
    match answer.error() {
        Some(error) if error == "timeout" => Outcome::TimedOut,
        Some(error) => Outcome::Failed(TransportError::Network(error)),
        None => {
            // Only the headers CORS exposes reach the worker.
            let headers: Vec<String> =
                answer.headers().map(|h| h.iter().filter_map(|v| v.as_string()).collect()).unwrap_or_default();
            let pairs = headers.chunks_exact(2).map(|pair| (pair[0].as_str(), pair[1].as_str()));
            let body = answer.body().map(|b| js_sys::Uint8Array::new(&b).to_vec()).unwrap_or_default();
            match super::response(answer.status(), pairs, body) {
                Ok(response) => Outcome::Answered(response),
                Err(e) => Outcome::Failed(e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shared_workers_name_follows_the_files_bytes() {
        // FNV-1a's published test vectors, then the file as it is now.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        let file = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/public/network-worker.js")).unwrap();
        assert_eq!(shared_name(), format!("mde-network-{:016x}", fnv1a(&file)));
        let mut changed = file.clone();
        changed.push(b'\n');
        assert_ne!(fnv1a(&changed), fnv1a(&file));
    }
}

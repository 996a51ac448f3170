//! Demo mode's transport: the fake Azure tenant answers from a Web Worker (`crates/demo-tenant`)
//! that only demo mode loads. Nothing here touches the network.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

pub use demo_protocol::Call;
use demo_protocol::{Answer, FromTenant, ToTenant};
use futures::channel::{mpsc, oneshot};
use futures::future::LocalBoxFuture;
use futures::{FutureExt, StreamExt};
use mde_core::transport::{Request, Response, Transport, TransportError};
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker};

/// Where the demo tenant comes from (from the site's root): a trainer can replace this file in
/// a deployed site.
pub const SCENARIO_PATH: &str = "/demo/scenario.json";

/// The most a scenario loaded by URL (`/try?scenario=…`) may weigh: a lab's tenant is a few
/// hundred kilobytes (the shipped one, 145 kB); a link must not make the page download and
/// parse whatever a server sends.
pub const MAX_SCENARIO_BYTES: u64 = 16 * 1024 * 1024;

/// Why the scenario at `url`, of `bytes`, is refused; `None` when it is small enough.
pub fn too_large(url: &str, bytes: u64) -> Option<String> {
    (bytes > MAX_SCENARIO_BYTES).then(|| {
        format!(
            "{url} is {:.1} MB: a scenario loaded by URL may be at most {} MB. Load a larger one from \
             your computer instead (Load a scenario file).",
            bytes as f64 / 1_048_576.0,
            MAX_SCENARIO_BYTES / 1_048_576
        )
    })
}

/// Trunk's loader for the worker, from the site's root; a worker's file is named at run time,
/// so it is not hashed.
const WORKER_PATH: &str = "/demo-tenant_loader.js";

/// How long the worker may take to load before the demo gives up on it.
const READY_WITHIN_MS: u64 = 15_000;

/// A little latency makes the demo stream in as the real thing does.
const DEMO_LATENCY_MS: u64 = 120;

/// Where the tenant runs: a Web Worker in the app; tests may run it in the page.
pub trait TenantPort {
    /// Sends one request; `None` when the tenant is gone.
    fn call(&self, request: &Request) -> LocalBoxFuture<'static, Option<Answer>>;
}

#[derive(Clone)]
pub struct DemoTransport {
    port: Rc<dyn TenantPort>,
}

impl DemoTransport {
    pub fn new(port: impl TenantPort + 'static) -> Self {
        DemoTransport { port: Rc::new(port) }
    }

    /// Starts the worker, waits until it listens (messages sent earlier would be lost), loads
    /// the scenario file's text into it, replays the writes of this tab's earlier visits
    /// (`replay`, oldest first), and from then on hands every write the tenant answers to
    /// `record`, in the order the tenant carried them out.
    pub async fn start_worker(scenario: &str, replay: Vec<Call>, record: Recorder) -> Result<Self, StartError> {
        let (port, mut events) = WorkerPort::open()?;
        // A worker whose wasm fails to load raises no error on this side: give it a while.
        let ready = futures::future::select(events.next(), Box::pin(super::sleep(READY_WITHIN_MS))).await;
        match ready {
            futures::future::Either::Left((Some(Ok(FromTenant::Ready)), _)) => {}
            futures::future::Either::Left((Some(Err(e)), _)) => return Err(StartError::Worker(e)),
            _ => return Err(WORKER_FAILED.into()),
        }
        port.post(&ToTenant::Start { scenario: scenario.to_string(), latency_ms: DEMO_LATENCY_MS });
        match events.next().await {
            Some(Ok(FromTenant::Started { error: None })) => {}
            Some(Ok(FromTenant::Started { error: Some(e) })) => return Err(StartError::Scenario(e)),
            Some(Err(e)) => return Err(StartError::Worker(e)),
            _ => return Err(WORKER_FAILED.into()),
        }
        // The tenant is deterministic for a given sequence of writes: replaying them rebuilds
        // the state the user left, faults of the scenario included, with no snapshot format.
        for call in replay {
            if port.send(call, false).await.is_none() {
                return Err(WORKER_FAILED.into());
            }
        }
        *port.recorder.borrow_mut() = Some(record);
        Ok(DemoTransport::new(port))
    }
}

/// Why the demo tenant did not start: the scenario's fault (the loader's message), or the
/// worker's.
#[derive(Debug, Clone, PartialEq)]
pub enum StartError {
    Scenario(String),
    Worker(String),
}

impl From<String> for StartError {
    fn from(message: String) -> Self {
        StartError::Worker(message)
    }
}

impl From<&str> for StartError {
    fn from(message: &str) -> Self {
        StartError::Worker(message.to_string())
    }
}

/// Where the writes the tenant answered go, to be replayed after a reload.
pub type Recorder = Rc<dyn Fn(Call)>;

/// Whether a call changes the tenant: any method but GET, HEAD and OPTIONS, except Resource
/// Graph's queries (POSTs that only read).
pub fn is_write(call: &Call) -> bool {
    let reads = ["GET", "HEAD", "OPTIONS"].iter().any(|m| call.method.eq_ignore_ascii_case(m));
    !reads && !call.url.to_ascii_lowercase().contains("/providers/microsoft.resourcegraph/")
}

const WORKER_FAILED: &str =
    "The demo tenant could not be started: the site is missing demo-tenant_loader.js or its wasm.";

impl Transport for DemoTransport {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        let gone = || TransportError::Network("the demo tenant stopped answering".into());
        let answer = self.port.call(&request).await.ok_or_else(gone)?;
        super::sleep(answer.delay_ms).await;
        let reply =
            answer.response.ok_or_else(|| TransportError::Network("the demo tenant dropped the request".into()))?;
        let headers = reply.headers.iter().map(|(name, value)| (name.as_str(), value.as_str()));
        super::response(reply.status, headers, reply.body.into_bytes())
    }

    async fn sleep(&self, ms: u64) {
        super::sleep(ms).await
    }

    fn now_ms(&self) -> u64 {
        super::now_ms()
    }
}

/// A request as it crosses the port to the tenant.
pub fn call(id: u32, request: &Request) -> Call {
    let headers =
        request.headers().iter().filter_map(|(n, v)| Some((n.to_string(), v.to_str().ok()?.to_string()))).collect();
    Call {
        id,
        method: request.method().to_string(),
        url: request.uri().to_string(),
        headers,
        body: String::from_utf8_lossy(request.body()).into_owned(),
    }
}

/// Calls waiting for their answer, each with itself when it is a write to record.
type Waiting = Rc<RefCell<HashMap<u32, (oneshot::Sender<Answer>, Option<Call>)>>>;

/// The page's end of the worker: calls wait for the answer with their id.
struct WorkerPort {
    worker: Worker,
    next_id: Cell<u32>,
    waiting: Waiting,
    /// Set once the earlier writes are replayed.
    recorder: Rc<RefCell<Option<Recorder>>>,
    _on_message: Closure<dyn Fn(MessageEvent)>,
    _on_error: Closure<dyn Fn(web_sys::Event)>,
}

/// What the worker says besides answers (`Ready`, `Started`), or why it stopped.
type Events = mpsc::UnboundedReceiver<Result<FromTenant, String>>;

impl WorkerPort {
    fn open() -> Result<(WorkerPort, Events), String> {
        let worker = Worker::new(&super::site_path(WORKER_PATH)).map_err(|_| WORKER_FAILED.to_string())?;
        let (events_in, events) = mpsc::unbounded();
        let waiting = Waiting::default();
        let (answers, stopped) = (waiting.clone(), waiting.clone());
        let recorder = Rc::new(RefCell::new(None::<Recorder>));
        let records = recorder.clone();
        let failures = events_in.clone();
        let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
            let text = event.data().as_string().unwrap_or_default();
            match serde_json::from_str::<FromTenant>(&text) {
                Ok(FromTenant::Answer(answer)) => {
                    let waiting = answers.borrow_mut().remove(&answer.id);
                    if let Some((caller, write)) = waiting {
                        // Recorded here, as the answers arrive: the order the tenant took.
                        let record = records.borrow().clone();
                        if let (Some(record), Some(call)) = (record, write) {
                            record(call);
                        }
                        let _ = caller.send(answer);
                    }
                }
                Ok(other) => {
                    let _ = events_in.unbounded_send(Ok(other));
                }
                Err(_) => {}
            }
        });
        // A worker that fails to load or crashes answers nothing more: end every wait.
        let on_error = Closure::<dyn Fn(web_sys::Event)>::new(move |_| {
            stopped.borrow_mut().clear();
            let _ = failures.unbounded_send(Err(WORKER_FAILED.to_string()));
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let port = WorkerPort {
            worker,
            next_id: Cell::new(0),
            waiting,
            recorder,
            _on_message: on_message,
            _on_error: on_error,
        };
        Ok((port, events))
    }

    fn post(&self, message: &ToTenant) {
        let text = serde_json::to_string(message).expect("calls serialize");
        let _ = self.worker.post_message(&JsValue::from_str(&text));
    }

    /// Sends a call under a fresh id; `record`: hand it to the recorder once answered, if a
    /// write.
    fn send(&self, mut call: Call, record: bool) -> LocalBoxFuture<'static, Option<Answer>> {
        let id = self.next_id.get();
        self.next_id.set(id.wrapping_add(1));
        call.id = id;
        let (caller, answer) = oneshot::channel();
        let write = (record && is_write(&call)).then(|| call.clone());
        self.waiting.borrow_mut().insert(id, (caller, write));
        self.post(&ToTenant::Call(call));
        answer.map(Result::ok).boxed_local()
    }
}

impl TenantPort for WorkerPort {
    fn call(&self, request: &Request) -> LocalBoxFuture<'static, Option<Answer>> {
        self.send(call(0, request), true)
    }
}

impl Drop for WorkerPort {
    fn drop(&mut self) {
        // Leaving the demo ends its tenant.
        self.worker.terminate();
    }
}

//! One pipeline for every write the app makes: plan → engine → record → read-back → audit.
//!
//! A kind of write (a subscription's settings, a machine's tag or extension, a Run Command)
//! is one [`Kind`]: what its plan holds, how one item is sent and read back, what the audit
//! log and the results' CSV say of it. Everything else is here, once: the engine ([`apply`]:
//! at most `concurrency` lanes at once, the items of one lane one after another, Pause and
//! Cancel), the [`Record`] the page shows and the session keeps (a reload loses nothing;
//! Retry and Continue send items again, each re-read first), and the audit entries.

pub mod record;

use std::cell::{Cell, RefCell};
use std::future::Future;

use futures::StreamExt;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::audit::{AuditEntry, Context};
use crate::client::ArmClient;
use crate::error::ArmFailure;
use crate::transport::{Response, Transport, CORRELATION_ID, REQUEST_ID};

pub use record::{Progress, Record, Row, RowState};

/// How often a paused run looks whether it may go on.
const PAUSE_POLL_MS: u64 = 250;

/// A kind of write: what to plan, send and read back. Adding a kind of write is one module
/// that implements this (see `bulk::run::SubscriptionChanges`, `deployment::actions::run::MachineChanges`
/// and `verify::commands::RunCommands`).
pub trait Kind {
    /// The plan as the page shows it and the exports write it; it holds the items.
    type Plan: Clone + PartialEq + Serialize + DeserializeOwned + Send + Sync + 'static;
    /// What is done to one target (a subscription, a machine).
    type Item: Clone + PartialEq + Serialize + DeserializeOwned + Send + Sync + 'static;
    /// How one item ended: what was read first, what was sent, what ARM read back.
    type Finished: Clone + PartialEq + Serialize + DeserializeOwned + Send + Sync + 'static;

    /// The record's name in storage and in the results' file names (`bulk`, `machines`).
    const NAME: &'static str;
    /// The results' CSV: the columns naming an item, and the columns of how it ended.
    const CSV_TARGET: &'static [&'static str];
    const CSV_DETAIL: &'static [&'static str];

    fn items(plan: &Self::Plan) -> &[Self::Item];
    /// The row's key: the subscription's or the machine's id.
    fn target(item: &Self::Item) -> &str;
    /// What the row shows: the subscription's or the machine's name.
    fn name(item: &Self::Item) -> &str;
    fn subscription(item: &Self::Item) -> &str;
    /// Items of one lane are written one after another: ARM answers 409 to concurrent writes to
    /// a subscription's settings; machines are lanes of their own.
    fn lane(item: &Self::Item) -> &str;
    /// Why the item is left out, in words a user can act on (`None`: it has writes).
    fn skip(item: &Self::Item) -> Option<String>;

    /// Sends the item's writes (an item of `plan`) and reads the result back. `again` (Retry,
    /// Continue): read the target first and send only what it still lacks, so a write done is
    /// never sent twice.
    fn send<T: Transport>(
        &self,
        client: &ArmClient<T>,
        plan: &Self::Plan,
        item: &Self::Item,
        again: bool,
    ) -> impl Future<Output = Self::Finished>;

    /// Why the item is not done (`None`: done, as read back).
    fn failure(finished: &Self::Finished) -> Option<&Failure>;
    /// One line per write sent, for the audit log.
    fn audited(item: &Self::Item, finished: &Self::Finished) -> Vec<Audited>;
    /// The CSV cells of [`Kind::CSV_TARGET`] and [`Kind::CSV_DETAIL`].
    fn csv_target(row: &Row<Self::Finished>) -> Vec<String>;
    fn csv_detail(finished: Option<&Self::Finished>) -> Vec<String>;
}

/// Pause, resume and cancel, shared between the page and the running [`apply`].
#[derive(Debug, Default)]
pub struct Control {
    paused: Cell<bool>,
    cancelled: Cell<bool>,
}

impl Control {
    pub fn pause(&self, paused: bool) {
        self.paused.set(paused);
    }

    /// Ready for a new run: not paused, not cancelled.
    pub fn reset(&self) {
        self.paused.set(false);
        self.cancelled.set(false);
    }

    pub fn cancel(&self) {
        self.cancelled.set(true);
    }

    pub fn is_paused(&self) -> bool {
        self.paused.get()
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.get()
    }
}

/// A failure as a row shows it and the session keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    /// HTTP status (`None`: no answer, or not an HTTP refusal).
    pub status: Option<u16>,
    pub code: String,
    pub message: String,
    pub advice: String,
    #[serde(default)]
    pub request_id: Option<String>,
}

impl From<&ArmFailure> for Failure {
    fn from(failure: &ArmFailure) -> Self {
        Failure {
            status: failure.status(),
            code: failure.code().to_string(),
            message: failure.to_string(),
            advice: failure.advice(),
            request_id: failure.request_ids().0.map(str::to_string),
        }
    }
}

impl Failure {
    /// A verdict of the read-back rather than ARM's refusal (`NotApplied`, ...).
    pub fn verdict(code: &str, message: String, advice: &str) -> Failure {
        Failure { status: None, code: code.into(), message, advice: advice.into(), request_id: None }
    }
}

/// One write as ARM answered it: its status and ids, or its refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sent {
    /// HTTP status (`0`: no answer).
    pub status: u16,
    pub error: Option<Failure>,
    pub request_id: Option<String>,
    pub correlation_id: Option<String>,
}

impl Sent {
    /// What ARM answered a write; the answer itself too when it took it.
    pub fn of(answer: Result<Response, ArmFailure>) -> (Sent, Option<Response>) {
        match answer {
            Ok(response) => {
                let header = |name| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
                let sent = Sent {
                    status: response.status().as_u16(),
                    error: None,
                    request_id: header(&REQUEST_ID),
                    correlation_id: header(&CORRELATION_ID),
                };
                (sent, Some(response))
            }
            Err(failure) => (Sent::refused(&failure), None),
        }
    }

    /// A write ARM refused (or that got no answer): its status, ARM's words and ids.
    pub fn refused(failure: &ArmFailure) -> Sent {
        let (request, correlation) = failure.request_ids();
        Sent {
            status: failure.status().unwrap_or(0),
            error: Some(Failure::from(failure)),
            request_id: request.map(Into::into),
            correlation_id: correlation.map(Into::into),
        }
    }
}

/// What the audit log says of one write sent; the page adds who, when and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Audited {
    pub subscription_id: String,
    /// What the write changes: the setting's name, or the tag or extension on a machine.
    pub setting: String,
    pub before: Option<bool>,
    pub requested: bool,
    pub after: Option<bool>,
    pub method: http::Method,
    /// The ARM path written to, with its api-version.
    pub path: String,
    pub sent: Sent,
    /// The write was taken but failed later (a removal's operation): that is its answer.
    pub failure: Option<Failure>,
}

impl Audited {
    /// The audit log's entry: `at.subscription_name` names the write's subscription.
    pub fn entry(&self, at: &Context<'_>) -> AuditEntry {
        let error = self.sent.error.as_ref().or(self.failure.as_ref());
        let owned = |s: &Option<String>| s.clone().unwrap_or_default();
        AuditEntry {
            time: at.time.to_string(),
            tenant_id: at.tenant_id.to_string(),
            user: at.user.to_string(),
            subscription_id: self.subscription_id.clone(),
            subscription_name: at.subscription_name.to_string(),
            setting: self.setting.clone(),
            before: self.before,
            requested: self.requested,
            after: self.after,
            request: format!("{} {}{}", self.method, at.arm_url, self.path),
            status: self.sent.status,
            error_code: error.map(|e| e.code.clone()).unwrap_or_default(),
            error_message: error.map(|e| e.message.clone()).unwrap_or_default(),
            request_id: owned(&self.sent.request_id),
            correlation_id: owned(&self.sent.correlation_id),
        }
    }
}

/// Something the run did, per item (keyed by its target).
#[derive(Debug, Clone, PartialEq)]
pub enum Event<F> {
    Started(String),
    /// Boxed: a finished item carries its reads and failures, much more than the others.
    Finished(String, Box<F>),
    /// Cancelled before it started.
    NotStarted(String),
}

/// One item for the engine: planned, or sent again (Retry, Continue).
#[derive(Debug, Clone, PartialEq)]
pub struct Work<I> {
    pub item: I,
    pub again: bool,
}

/// Does `work`: at most `concurrency` lanes at once, the items of a lane in order, emitting
/// events as they happen. Pause holds back items not yet started; Cancel leaves them unstarted;
/// the ones in flight finish.
pub async fn apply<K: Kind, T: Transport>(
    kind: &K,
    client: &ArmClient<T>,
    plan: &K::Plan,
    work: Vec<Work<K::Item>>,
    concurrency: usize,
    control: &Control,
    emit: impl FnMut(Event<K::Finished>),
) {
    let emit = RefCell::new(emit);
    let emit = &emit;
    let lanes = lanes::<K>(work).into_iter().map(|lane| async move {
        for Work { item, again } in lane {
            while control.is_paused() && !control.is_cancelled() {
                client.transport().sleep(PAUSE_POLL_MS).await;
            }
            let target = K::target(&item).to_string();
            if control.is_cancelled() {
                (emit.borrow_mut())(Event::NotStarted(target));
                continue;
            }
            (emit.borrow_mut())(Event::Started(target.clone()));
            let finished = kind.send(client, plan, &item, again).await;
            (emit.borrow_mut())(Event::Finished(target, Box::new(finished)));
        }
    });
    futures::stream::iter(lanes).buffer_unordered(concurrency.max(1)).collect::<()>().await;
}

/// The work by lane, each lane in the order given, lanes in the order of their first item.
fn lanes<K: Kind>(work: Vec<Work<K::Item>>) -> Vec<Vec<Work<K::Item>>> {
    let mut lanes: Vec<Vec<Work<K::Item>>> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for w in work {
        let lane = K::lane(&w.item).to_ascii_lowercase();
        let i = *index.entry(lane).or_insert_with(|| {
            lanes.push(Vec::new());
            lanes.len() - 1
        });
        lanes[i].push(w);
    }
    lanes
}

#[cfg(test)]
mod tests;

//! Applying a machine plan: machines in parallel (at most `concurrency` at once), each one read
//! first, written, then read back, so that a row shows what ARM says, never what was hoped.
//! Pause holds back machines not yet started; Cancel leaves them unstarted; the ones in flight
//! finish (a removal under way is followed to its end or to the time limit).
//!
//! The first read makes a run safe to repeat (Retry, Continue after a reload): a tag already as
//! asked is not written again, an extension already gone is not deleted again, and one already
//! deleting is watched instead of deleted twice.

use std::cell::RefCell;
use std::collections::BTreeMap;

use futures::StreamExt;
use http::Method;
use serde::{Deserialize, Serialize};

use super::{exclude_tag, MachineItem, MachineWrite};
use crate::arm::tags::{excludes_mde_auto_update, TagsOperation, TagsPatch, TagsResource, EXCLUDE_MDE_AUTO_UPDATE};
use crate::arm::ArmError;
pub use crate::bulk::run::{Control, Failure};
use crate::client::ArmClient;
use crate::error::{ArmFailure, Remedy};
use crate::lro::{self, Limits, Outcome};
use crate::transport::{Response, Transport, CORRELATION_ID, REQUEST_ID};

/// How often a paused run looks whether it may go on.
const PAUSE_POLL_MS: u64 = 250;

/// What ARM says about the machine, read before or after the write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ReadBack {
    /// All the machine's tags.
    Tags(BTreeMap<String, String>),
    /// The extension's provisioning state; `None`: ARM answers 404, it is gone.
    Extension(Option<String>),
}

impl ReadBack {
    /// The value the write follows: the tag set, or the extension there.
    pub fn value(&self) -> bool {
        match self {
            ReadBack::Tags(tags) => excludes_mde_auto_update(tags),
            ReadBack::Extension(state) => state.is_some(),
        }
    }

    /// What it shows, in a few words.
    pub fn describe(&self) -> String {
        match self {
            ReadBack::Tags(tags) if excludes_mde_auto_update(tags) => {
                format!("{EXCLUDE_MDE_AUTO_UPDATE}=true, {} tags in all", tags.len())
            }
            ReadBack::Tags(tags) => format!("{EXCLUDE_MDE_AUTO_UPDATE} not set, {} tags in all", tags.len()),
            ReadBack::Extension(None) => "extension removed (ARM: not found)".into(),
            ReadBack::Extension(Some(state)) if state.is_empty() => "extension still there".into(),
            ReadBack::Extension(Some(state)) => format!("extension still there, provisioning state {state}"),
        }
    }
}

/// The write as ARM answered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sent {
    /// HTTP status (`0`: no answer).
    pub status: u16,
    pub error: Option<Failure>,
    pub request_id: Option<String>,
    pub correlation_id: Option<String>,
}

/// How one machine ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MachineFinished {
    /// What ARM said before the write.
    pub before: Option<ReadBack>,
    /// The write; `None` when the machine was already as asked, or could not be read first.
    pub sent: Option<Sent>,
    /// A removal's long-running operation: how it ended, in words.
    pub operation: Option<String>,
    /// What ARM said afterwards.
    pub read_back: Option<ReadBack>,
    /// Why the machine is not done.
    pub failure: Option<Failure>,
}

impl MachineFinished {
    pub fn is_done(&self) -> bool {
        self.failure.is_none()
    }
}

/// Something the run did, per machine (keyed by machine id).
#[derive(Debug, Clone, PartialEq)]
pub enum MachineEvent {
    Started(String),
    /// Boxed: a finished machine carries its reads and failures, much more than the others.
    Finished(String, Box<MachineFinished>),
    /// Cancelled before it started.
    NotStarted(String),
}

/// Does the writes of `items` (skipped ones are left out), at most `concurrency` machines at
/// once, emitting events as they happen. `limits` bound each removal's wait.
pub async fn apply<T: Transport>(
    client: &ArmClient<T>,
    items: Vec<MachineItem>,
    concurrency: usize,
    control: &Control,
    limits: &Limits,
    emit: impl FnMut(MachineEvent),
) {
    let emit = RefCell::new(emit);
    let emit = &emit;
    let tasks =
        items.into_iter().filter_map(|item| item.write.map(|w| (item.machine_id, w))).map(|(id, write)| async move {
            while control.is_paused() && !control.is_cancelled() {
                client.transport().sleep(PAUSE_POLL_MS).await;
            }
            if control.is_cancelled() {
                return MachineEvent::NotStarted(id);
            }
            (emit.borrow_mut())(MachineEvent::Started(id.clone()));
            MachineEvent::Finished(id, Box::new(apply_one(client, &write, limits).await))
        });
    let mut events = std::pin::pin!(futures::stream::iter(tasks).buffer_unordered(concurrency.max(1)));
    while let Some(event) = events.next().await {
        (emit.borrow_mut())(event);
    }
}

/// One machine: read, write, (follow,) read back.
pub async fn apply_one<T: Transport>(client: &ArmClient<T>, write: &MachineWrite, limits: &Limits) -> MachineFinished {
    match write {
        MachineWrite::Tags { machine_id, patch } => tag(client, machine_id, patch, write).await,
        MachineWrite::DeleteExtension { .. } => remove(client, write, limits).await,
    }
}

fn failed(before: Option<ReadBack>, failure: &ArmFailure) -> MachineFinished {
    MachineFinished { before, sent: None, operation: None, read_back: None, failure: Some(Failure::from(failure)) }
}

async fn read_tags<T: Transport>(client: &ArmClient<T>, path: &str) -> Result<BTreeMap<String, String>, ArmFailure> {
    Ok(client.get::<TagsResource>(path).await?.properties.tags)
}

async fn tag<T: Transport>(
    client: &ArmClient<T>,
    machine_id: &str,
    planned: &TagsPatch,
    write: &MachineWrite,
) -> MachineFinished {
    let path = write.path();
    let before = match read_tags(client, &path).await {
        Ok(tags) => tags,
        Err(failure) => return failed(None, &failure),
    };
    let wanted = planned.operation == TagsOperation::Merge;
    if excludes_mde_auto_update(&before) == wanted {
        let before = ReadBack::Tags(before);
        return MachineFinished {
            before: Some(before.clone()),
            sent: None,
            operation: None,
            read_back: Some(before),
            failure: None,
        };
    }
    // Clearing names the tag as ARM has it now, in case it changed since the plan.
    let patch = match exclude_tag(&before) {
        Some((name, value)) if !wanted => TagsPatch::one(TagsOperation::Delete, name, value),
        _ => planned.clone(),
    };
    let sent = send(client, Method::PATCH, &path, serde_json::to_vec(&patch).ok()).await;
    let after = read_tags(client, &path).await;
    let mut finished = MachineFinished {
        before: Some(ReadBack::Tags(before.clone())),
        sent: Some(sent.0.clone()),
        operation: None,
        read_back: after.as_ref().ok().cloned().map(ReadBack::Tags),
        failure: sent.0.error.clone(),
    };
    match (&finished.failure, after) {
        (Some(_), _) => {}
        (None, Err(failure)) => finished.failure = Some(Failure::from(&failure)),
        (None, Ok(after)) => finished.failure = tag_verdict(machine_id, wanted, &before, &after),
    }
    finished
}

/// Whether the tags read back hold what was asked, and every other tag as it was.
fn tag_verdict(
    machine_id: &str,
    wanted: bool,
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) -> Option<Failure> {
    if excludes_mde_auto_update(after) != wanted {
        let now = if wanted { "is not set" } else { "is still set" };
        return Some(Failure {
            status: None,
            code: "NotApplied".into(),
            message: format!("ARM accepted the write but the tag {EXCLUDE_MDE_AUTO_UPDATE} {now} on {machine_id}."),
            advice: "Azure may apply the change late: read it again in a minute, then retry.".into(),
            request_id: None,
        });
    }
    let other = |k: &String| !k.eq_ignore_ascii_case(EXCLUDE_MDE_AUTO_UPDATE);
    let changed: Vec<&str> =
        before.iter().filter(|(k, v)| other(k) && after.get(*k) != Some(v)).map(|(k, _)| k.as_str()).collect();
    (!changed.is_empty()).then(|| Failure {
        status: None,
        code: "OtherTagsChanged".into(),
        message: format!(
            "After the write, {} other tag(s) are missing or changed: {}.",
            changed.len(),
            changed.iter().take(10).copied().collect::<Vec<_>>().join(", ")
        ),
        advice: "Someone else may have changed the machine's tags meanwhile: compare them with the machine's tags in the Azure portal and restore what is missing.".into(),
        request_id: None,
    })
}

/// The extension as ARM has it: its provisioning state, or `None` when ARM answers 404.
async fn read_extension<T: Transport>(client: &ArmClient<T>, path: &str) -> Result<Option<String>, ArmFailure> {
    #[derive(Deserialize)]
    struct Extension {
        #[serde(default)]
        properties: Option<State>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct State {
        #[serde(default)]
        provisioning_state: Option<String>,
    }
    match client.get::<Extension>(path).await {
        Ok(ext) => Ok(Some(ext.properties.and_then(|p| p.provisioning_state).unwrap_or_default())),
        Err(failure) if failure.status() == Some(404) => Ok(None),
        Err(failure) => Err(failure),
    }
}

async fn remove<T: Transport>(client: &ArmClient<T>, write: &MachineWrite, limits: &Limits) -> MachineFinished {
    let path = write.path();
    let before = match read_extension(client, &path).await {
        Ok(state) => ReadBack::Extension(state),
        Err(failure) => return failed(None, &failure),
    };
    let mut finished =
        MachineFinished { before: Some(before.clone()), sent: None, operation: None, read_back: None, failure: None };
    let followed = match &before {
        ReadBack::Extension(None) => {
            finished.read_back = Some(before);
            return finished;
        }
        // A deletion already under way (a reload, someone else): watch it, do not send another.
        ReadBack::Extension(Some(state)) if state.eq_ignore_ascii_case("Deleting") => {
            lro::watch_deletion(client, &path, limits).await
        }
        _ => {
            let (sent, accepted) = send(client, Method::DELETE, &path, None).await;
            finished.failure = sent.error.clone();
            finished.sent = Some(sent);
            match accepted {
                Some(accepted) => lro::follow_delete(client, &accepted, &path, limits).await,
                None => Ok(lro::Followed { outcome: Outcome::Succeeded, via: lro::Via::Answer, polls: 0 }),
            }
        }
    };
    let state = read_extension(client, &path).await;
    finished.read_back = state.as_ref().ok().cloned().map(ReadBack::Extension);
    if finished.failure.is_some() {
        return finished;
    }
    finished.failure = match (followed, state) {
        (Err(failure), _) | (_, Err(failure)) => Some(Failure::from(&failure)),
        (Ok(followed), Ok(state)) => {
            finished.operation = Some(operation_words(&followed.outcome));
            removal_verdict(&followed.outcome, state.as_deref())
        }
    };
    finished
}

fn operation_words(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Succeeded => "Succeeded".into(),
        Outcome::Failed { status, .. } => status.clone(),
        Outcome::TimedOut { waited_ms } => format!("still running after {} s", waited_ms / 1000),
    }
}

/// Whether the removal is done: the operation succeeded and the extension reads back gone.
fn removal_verdict(outcome: &Outcome, state: Option<&str>) -> Option<Failure> {
    let still = state.map(|s| if s.is_empty() { "unknown".to_string() } else { s.to_string() });
    match (outcome, still) {
        (Outcome::Failed { status, error }, _) => Some(operation_failure(status, error.as_ref())),
        (Outcome::TimedOut { waited_ms }, Some(state)) => Some(Failure {
            status: None,
            code: "OperationTimedOut".into(),
            message: format!(
                "The removal was still running after {} minutes; the extension reads back {state}.",
                waited_ms.div_ceil(60_000)
            ),
            advice: "It may still finish (the machine's agent does it): Retry later watches it again without sending a second delete.".into(),
            request_id: None,
        }),
        (_, None) => None,
        (Outcome::Succeeded, Some(state)) => Some(Failure {
            status: None,
            code: "NotRemoved".into(),
            message: format!("ARM reported the removal done, but the extension is still there (provisioning state {state})."),
            advice: "Azure may show the change late: read it again in a minute, then retry.".into(),
            request_id: None,
        }),
    }
}

/// The operation's own failure, with ARM's code and message, and advice for it.
fn operation_failure(status: &str, error: Option<&ArmError>) -> Failure {
    let error = error.cloned().unwrap_or_else(|| ArmError {
        code: status.to_string(),
        message: format!("The removal ended {status}; ARM gave no reason."),
        ..ArmError::default()
    });
    let as_refusal = ArmFailure::Http {
        status: 0,
        code: error.code.clone(),
        message: error.message.clone(),
        details: error.details,
        additional_info: error.additional_info,
        request_id: None,
        correlation_id: None,
    };
    let advice = match as_refusal.remedy() {
        Remedy::Report => "The removal ran and failed on the machine: the extension stays. Check the machine's agent and the extension's logs there, then retry.".into(),
        _ => as_refusal.advice(),
    };
    Failure { status: None, code: error.code, message: error.message, advice, request_id: None }
}

/// Sends one write; returns what ARM said, and its answer when it took the write.
async fn send<T: Transport>(
    client: &ArmClient<T>,
    method: Method,
    path: &str,
    body: Option<Vec<u8>>,
) -> (Sent, Option<Response>) {
    match client.send(method, client.url(path), body).await {
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
        Err(failure) => {
            let (request, correlation) = failure.request_ids();
            let sent = Sent {
                status: failure.status().unwrap_or(0),
                error: Some(Failure::from(&failure)),
                request_id: request.map(Into::into),
                correlation_id: correlation.map(Into::into),
            };
            (sent, None)
        }
    }
}

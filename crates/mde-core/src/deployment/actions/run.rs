//! The machine changes as a kind of the one run pipeline ([`crate::run`]): each machine read
//! first, written, then read back, so that a row shows what ARM says, never what was hoped (a
//! removal under way is followed to its end or to the time limit).
//!
//! The first read makes a run safe to repeat (Retry, Continue after a reload): a tag already as
//! asked is not written again, an extension already gone is not deleted again, and one already
//! deleting is watched instead of deleted twice.

use std::collections::BTreeMap;

use http::Method;
use serde::{Deserialize, Serialize};

use super::{exclude_tag, MachineItem, MachinePlan, MachineWrite};
use crate::arm::tags::{excludes_mde_auto_update, TagsOperation, TagsPatch, TagsResource, EXCLUDE_MDE_AUTO_UPDATE};
use crate::arm::ArmError;
use crate::client::ArmClient;
use crate::error::{ArmFailure, Remedy};
use crate::lro::{self, Limits, Outcome};
use crate::run::{Audited, Failure, Kind, Row, Sent};
use crate::transport::{Response, Transport};

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

/// The changes to machines: the tag, removing the extension.
pub struct MachineChanges {
    /// How long a removal is followed.
    pub limits: Limits,
}

impl Kind for MachineChanges {
    type Plan = MachinePlan;
    type Item = MachineItem;
    type Finished = MachineFinished;

    const NAME: &'static str = "machines";
    const CSV_TARGET: &'static [&'static str] = &["machineId", "machineName", "subscriptionId"];
    const CSV_DETAIL: &'static [&'static str] = &["operation", "readBack"];

    fn items(plan: &MachinePlan) -> &[MachineItem] {
        &plan.items
    }

    fn target(item: &MachineItem) -> &str {
        &item.machine_id
    }

    fn name(item: &MachineItem) -> &str {
        &item.name
    }

    fn subscription(item: &MachineItem) -> &str {
        &item.subscription_id
    }

    /// Machines do not share a lane: a write to one never conflicts with another's.
    fn lane(item: &MachineItem) -> &str {
        &item.machine_id
    }

    fn skip(item: &MachineItem) -> Option<String> {
        item.skip.as_ref().map(|s| s.reason.clone())
    }

    /// Every run reads the machine first, so a first run and a retry are one path.
    async fn send<T: Transport>(
        &self,
        client: &ArmClient<T>,
        _plan: &MachinePlan,
        item: &MachineItem,
        _again: bool,
    ) -> MachineFinished {
        match &item.write {
            Some(write) => apply_one(client, write, &self.limits).await,
            None => MachineFinished { before: None, sent: None, operation: None, read_back: None, failure: None },
        }
    }

    fn failure(finished: &MachineFinished) -> Option<&Failure> {
        finished.failure.as_ref()
    }

    fn audited(item: &MachineItem, finished: &MachineFinished) -> Vec<Audited> {
        let (Some(write), Some(sent)) = (&item.write, &finished.sent) else { return Vec::new() };
        vec![Audited {
            subscription_id: item.subscription_id.clone(),
            setting: write.target(),
            before: finished.before.as_ref().map(ReadBack::value),
            requested: write.requested(),
            after: finished.read_back.as_ref().map(ReadBack::value),
            method: write.method(),
            path: write.path(),
            sent: sent.clone(),
            // A removal ARM accepted (202) can still fail: its operation's failure is the answer.
            failure: finished.failure.clone(),
        }]
    }

    fn csv_target(row: &Row<MachineFinished>) -> Vec<String> {
        vec![row.target.clone(), row.name.clone(), row.subscription_id.clone()]
    }

    fn csv_detail(finished: Option<&MachineFinished>) -> Vec<String> {
        vec![
            finished.and_then(|f| f.operation.clone()).unwrap_or_default(),
            finished.and_then(|f| f.read_back.as_ref()).map(ReadBack::describe).unwrap_or_default(),
        ]
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
        return Some(Failure::verdict(
            "NotApplied",
            format!("ARM accepted the write but the tag {EXCLUDE_MDE_AUTO_UPDATE} {now} on {machine_id}."),
            "Azure may apply the change late: read it again in a minute, then retry.",
        ));
    }
    let other = |k: &String| !k.eq_ignore_ascii_case(EXCLUDE_MDE_AUTO_UPDATE);
    let changed: Vec<&str> =
        before.iter().filter(|(k, v)| other(k) && after.get(*k) != Some(v)).map(|(k, _)| k.as_str()).collect();
    (!changed.is_empty()).then(|| Failure::verdict(
        "OtherTagsChanged",
        format!(
            "After the write, {} other tag(s) are missing or changed: {}.",
            changed.len(),
            changed.iter().take(10).copied().collect::<Vec<_>>().join(", ")
        ),
        "Someone else may have changed the machine's tags meanwhile: compare them with the machine's tags in the Azure portal and restore what is missing.",
    ))
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
        (Outcome::TimedOut { waited_ms }, Some(state)) => Some(Failure::verdict(
            "OperationTimedOut",
            format!(
                "The removal was still running after {} minutes; the extension reads back {state}.",
                waited_ms.div_ceil(60_000)
            ),
            "It may still finish (the machine's agent does it): Retry later watches it again without sending a second delete.",
        )),
        (_, None) => None,
        (Outcome::Succeeded, Some(state)) => Some(Failure::verdict(
            "NotRemoved",
            format!("ARM reported the removal done, but the extension is still there (provisioning state {state})."),
            "Azure may show the change late: read it again in a minute, then retry.",
        )),
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
    Sent::of(client.send(method, client.url(path), body).await)
}

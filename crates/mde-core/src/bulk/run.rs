//! Applying a plan: subscriptions in parallel (at most `concurrency` at once), the writes to
//! one subscription in order (ARM answers 409 to concurrent writes on a subscription), then
//! one read-back, so that a row shows what ARM says, never what was hoped. Pause holds back
//! subscriptions not yet started; Cancel leaves them unstarted; the ones in flight finish.
//!
//! Everything a row ends with is serialisable: the page keeps the run in sessionStorage and a
//! reload shows what was done and what never started.

use std::cell::{Cell, RefCell};

use futures::StreamExt;
use serde::{Deserialize, Serialize};

use super::{plan_one, Action, PlanItem, Skip, SkipKind, Write};
use crate::api;
use crate::arm::permissions::{self, Permission};
use crate::arm::pricings::{Pricing, VIRTUAL_MACHINES};
use crate::arm::settings::{Setting, WDATP, WDATP_EXCLUDE_LINUX, WDATP_UNIFIED_SOLUTION};
use crate::arm::subscriptions::Subscription;
use crate::client::ArmClient;
use crate::cloud::Cloud;
use crate::error::ArmFailure;
use crate::overview::{Load, SubscriptionRow, SETTINGS_WRITE};
use crate::status::{IntegrationParts, IntegrationStatus, ServersPlan};
use crate::transport::Transport;

/// How often a paused run looks whether it may go on.
const PAUSE_POLL_MS: u64 = 250;

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
    /// HTTP status (`None`: no answer).
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

/// What ARM says about a subscription's integration and plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadBack {
    pub parts: IntegrationParts,
    pub plan: ServersPlan,
}

impl ReadBack {
    pub fn status(&self) -> IntegrationStatus {
        IntegrationStatus::of(self.parts, Some(self.plan))
    }

    /// The value `write` sets, as ARM now reports it: the setting's `enabled` (the Linux
    /// exclusion's inverted one included), or whether Defender for Servers has that plan.
    pub fn value_of(&self, write: &Write) -> bool {
        match write {
            Write::ServersPlan { sub_plan, .. } => self.plan == *sub_plan,
            Write::Setting(change) => match change.setting.as_str() {
                WDATP => self.parts.integration,
                WDATP_EXCLUDE_LINUX => !self.parts.linux,
                WDATP_UNIFIED_SOLUTION => self.parts.unified,
                // Other settings are never planned; read as asked.
                _ => change.enabled,
            },
        }
    }

    /// Whether ARM now holds what `write` asked for.
    pub fn holds(&self, write: &Write) -> bool {
        self.value_of(write) == write.requested()
    }
}

/// One write as it went: ARM's status and ids, or its refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WriteResult {
    pub write: Write,
    /// HTTP status of the write (`0`: no answer).
    pub status: u16,
    pub error: Option<Failure>,
    pub request_id: Option<String>,
    pub correlation_id: Option<String>,
}

/// How one subscription ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finished {
    /// The writes sent, in order (a failed write ends the list: later writes depend on it).
    pub writes: Vec<WriteResult>,
    /// What ARM said when read back afterwards.
    pub read_back: Option<ReadBack>,
    /// Why the subscription is not done: a refused write, a failed read-back, or a read-back
    /// that does not show what was written.
    pub failure: Option<Failure>,
}

impl Finished {
    pub fn is_done(&self) -> bool {
        self.failure.is_none()
    }
}

/// Something the run did.
#[derive(Debug, Clone, PartialEq)]
pub enum RunEvent {
    Started(String),
    Finished(String, Finished),
    /// Cancelled before it started.
    NotStarted(String),
}

/// One subscription for the run to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Work {
    /// Send the planned writes.
    Planned(PlanItem),
    /// Read the subscription again and send what it still lacks (Retry, and Continue after a
    /// reload): a write already done is never sent twice.
    Again { subscription_id: String, action: Action, servers_plan: Option<ServersPlan> },
}

impl Work {
    pub fn subscription_id(&self) -> &str {
        match self {
            Work::Planned(item) => &item.subscription_id,
            Work::Again { subscription_id, .. } => subscription_id,
        }
    }
}

/// Does `work`, at most `concurrency` subscriptions at once, emitting events as they happen.
pub async fn apply<T: Transport>(
    client: &ArmClient<T>,
    cloud: &Cloud,
    work: Vec<Work>,
    concurrency: usize,
    control: &Control,
    emit: impl FnMut(RunEvent),
) {
    let emit = RefCell::new(emit);
    let emit = &emit;
    let tasks = work.into_iter().map(|work| async move {
        while control.is_paused() && !control.is_cancelled() {
            client.transport().sleep(PAUSE_POLL_MS).await;
        }
        let id = work.subscription_id().to_string();
        if control.is_cancelled() {
            return RunEvent::NotStarted(id);
        }
        (emit.borrow_mut())(RunEvent::Started(id.clone()));
        let finished = match work {
            Work::Planned(item) => apply_one(client, &item).await,
            Work::Again { subscription_id, action, servers_plan } => {
                again(client, cloud, &subscription_id, action, servers_plan).await
            }
        };
        RunEvent::Finished(id, finished)
    });
    let mut events = std::pin::pin!(futures::stream::iter(tasks).buffer_unordered(concurrency.max(1)));
    while let Some(event) = events.next().await {
        (emit.borrow_mut())(event);
    }
}

/// Re-reads a subscription, then writes what it still lacks; a subscription that needs nothing
/// more is done, one that cannot be changed is failed with the plan's reason.
async fn again<T: Transport>(
    client: &ArmClient<T>,
    cloud: &Cloud,
    subscription_id: &str,
    action: Action,
    servers_plan: Option<ServersPlan>,
) -> Finished {
    let (item, read_back) = replan(client, cloud, action, servers_plan, subscription_id).await;
    match item.skip {
        None => apply_one(client, &item).await,
        Some(skip) if skip.kind == SkipKind::AlreadyDone => Finished { writes: Vec::new(), read_back, failure: None },
        Some(skip) => Finished {
            writes: Vec::new(),
            read_back,
            failure: Some(Failure {
                status: None,
                code: skip.kind.label().into(),
                // The reason says what to do already.
                message: skip.reason,
                advice: String::new(),
                request_id: None,
            }),
        },
    }
}

/// The writes to one subscription, in order, then one read-back: its settings, and its plan
/// too when the run wrote the plan or did not know it.
pub async fn apply_one<T: Transport>(client: &ArmClient<T>, item: &PlanItem) -> Finished {
    let writes = &item.writes;
    let mut results = Vec::with_capacity(writes.len());
    let mut failure = None;
    for write in writes {
        let result = client.write(http::Method::PUT, &write.path(), &write.body()).await;
        let (status, error, request_id, correlation_id) = match &result {
            Ok(w) => (w.status, None, w.request_id.clone(), w.correlation_id.clone()),
            Err(f) => {
                let (request, correlation) = f.request_ids();
                (f.status().unwrap_or(0), Some(Failure::from(f)), request.map(Into::into), correlation.map(Into::into))
            }
        };
        results.push(WriteResult { write: write.clone(), status, error: error.clone(), request_id, correlation_id });
        if error.is_some() {
            failure = error;
            break;
        }
    }
    let Some(subscription_id) = writes.first().map(Write::subscription_id) else {
        return Finished { writes: results, read_back: None, failure };
    };
    let wrote_plan = writes.iter().any(|w| matches!(w, Write::ServersPlan { .. }));
    let known_plan = item.plan_now.filter(|_| !wrote_plan);
    let read_back = match read(client, subscription_id, known_plan).await {
        Ok(read) => Some(read),
        Err(f) => {
            failure = failure.or(Some(Failure::from(&f)));
            None
        }
    };
    if let (None, Some(read)) = (&failure, &read_back) {
        if let Some(missed) = writes.iter().find(|w| !read.holds(w)) {
            failure = Some(Failure {
                status: None,
                code: "NotApplied".into(),
                message: format!("ARM accepted the write but reads back otherwise: {}", missed.describe()),
                advice: "Azure may apply the change late: read it again in a minute, then retry.".into(),
                request_id: None,
            });
        }
    }
    Finished { writes: results, read_back, failure }
}

/// A subscription's integration as ARM says now, and its plan: `known_plan`, or read together
/// with the settings (one round trip either way).
pub async fn read<T: Transport>(
    client: &ArmClient<T>,
    subscription_id: &str,
    known_plan: Option<ServersPlan>,
) -> Result<ReadBack, ArmFailure> {
    let path = api::settings(subscription_id);
    let plan = async {
        match known_plan {
            Some(plan) => Ok(plan),
            None => read_plan(client, subscription_id).await,
        }
    };
    let (settings, plan) = futures::join!(client.list::<Setting>(&path), plan);
    Ok(ReadBack { parts: IntegrationParts::from_settings(&settings?), plan: plan? })
}

async fn read_plan<T: Transport>(client: &ArmClient<T>, subscription_id: &str) -> Result<ServersPlan, ArmFailure> {
    let pricings: Vec<Pricing> = client.list(&api::pricings(subscription_id)).await?;
    Ok(ServersPlan::from_pricing(pricings.iter().find(|p| p.name.eq_ignore_ascii_case(VIRTUAL_MACHINES))))
}

/// Re-reads one subscription (itself, its settings, plan and permissions) and plans `action`
/// for it afresh; also returns what it read.
pub async fn replan<T: Transport>(
    client: &ArmClient<T>,
    cloud: &Cloud,
    action: Action,
    servers_plan: Option<ServersPlan>,
    subscription_id: &str,
) -> (PlanItem, Option<ReadBack>) {
    let paths = (api::subscription(subscription_id), api::settings(subscription_id), api::permissions(subscription_id));
    let (subscription, settings, plan, permissions) = futures::join!(
        client.get::<Subscription>(&paths.0),
        client.list::<Setting>(&paths.1),
        read_plan(client, subscription_id),
        client.list::<Permission>(&paths.2),
    );
    let unread = |failure: &ArmFailure, name: String| PlanItem {
        subscription_id: subscription_id.to_string(),
        name,
        plan_now: None,
        writes: Vec::new(),
        skip: Some(Skip {
            kind: SkipKind::Unknown,
            reason: format!("It could not be read again: {failure} — {}", failure.advice()),
        }),
    };
    let subscription = match subscription {
        Ok(subscription) => subscription,
        Err(failure) => return (unread(&failure, subscription_id.to_string()), None),
    };
    let read_back = match (&settings, &plan) {
        (Ok(settings), Ok(plan)) => Some(ReadBack { parts: IntegrationParts::from_settings(settings), plan: *plan }),
        _ => None,
    };
    let failed =
        [settings.as_ref().err(), plan.as_ref().err(), permissions.as_ref().err()].into_iter().flatten().next();
    if let Some(failure) = failed {
        return (unread(failure, subscription.display_name), read_back);
    }
    let mut row = SubscriptionRow::new(subscription);
    row.parts = Load::from_result(settings.map(|s| IntegrationParts::from_settings(&s)));
    row.plan = Load::from_result(plan);
    row.can_change = Load::from_result(permissions.map(|p| permissions::allows(&p, SETTINGS_WRITE)));
    (plan_one(action, servers_plan, cloud, &row), read_back)
}

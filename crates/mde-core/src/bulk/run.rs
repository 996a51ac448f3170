//! The writes to subscriptions as a kind of the one run pipeline ([`crate::run`]): the
//! writes to one subscription in order (ARM answers 409 to concurrent writes on a
//! subscription), then one read-back, so that a row shows what ARM says, never what was hoped.
//! Retry and Continue re-read the subscription and send only what it still lacks.

use serde::{Deserialize, Serialize};

use super::{plan_one, Action, Plan, PlanItem, Skip, SkipKind, Write};
use crate::api;
use crate::arm::permissions::{self, Permission};
use crate::arm::settings::{Setting, WDATP, WDATP_EXCLUDE_LINUX, WDATP_UNIFIED_SOLUTION};
use crate::arm::subscriptions::Subscription;
use crate::client::ArmClient;
use crate::cloud::Cloud;
use crate::error::ArmFailure;
use crate::overview::{read_plan, Load, SubscriptionRow, SETTINGS_WRITE};
use crate::run::{Audited, Failure, Kind, Row, Sent};
use crate::status::{IntegrationParts, IntegrationStatus, ServersPlan};
use crate::transport::Transport;

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
    pub sent: Sent,
}

/// How one subscription ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finished {
    /// What the subscription was before: as planned, or as read again for Retry and Continue.
    pub before: Option<ReadBack>,
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

/// The writes to subscriptions: a bulk plan, or one subscription's switches (a plan of one).
pub struct SubscriptionChanges {
    /// Retry and Continue plan again, with the cloud's rules.
    pub cloud: Cloud,
}

impl Kind for SubscriptionChanges {
    type Plan = Plan;
    type Item = PlanItem;
    type Finished = Finished;

    const NAME: &'static str = "bulk";
    const CSV_TARGET: &'static [&'static str] = &["subscriptionId", "subscriptionName"];
    const CSV_DETAIL: &'static [&'static str] = &["writesSent", "integrationReadBack", "plan"];

    fn items(plan: &Plan) -> &[PlanItem] {
        &plan.items
    }

    fn target(item: &PlanItem) -> &str {
        &item.subscription_id
    }

    fn name(item: &PlanItem) -> &str {
        &item.name
    }

    fn subscription(item: &PlanItem) -> &str {
        &item.subscription_id
    }

    fn lane(item: &PlanItem) -> &str {
        &item.subscription_id
    }

    fn skip(item: &PlanItem) -> Option<String> {
        item.skip.as_ref().map(|s| s.reason.clone())
    }

    async fn send<T: Transport>(&self, client: &ArmClient<T>, plan: &Plan, item: &PlanItem, again: bool) -> Finished {
        match again {
            false => apply_one(client, item).await,
            true => self.again(client, plan, &item.subscription_id).await,
        }
    }

    fn failure(finished: &Finished) -> Option<&Failure> {
        finished.failure.as_ref()
    }

    /// The value before the write (as planned, or as re-read for Retry) and as read back.
    fn audited(_item: &PlanItem, finished: &Finished) -> Vec<Audited> {
        let audited = |result: &WriteResult| Audited {
            subscription_id: result.write.subscription_id().to_string(),
            setting: result.write.name().to_string(),
            before: finished.before.map(|b| b.value_of(&result.write)),
            requested: result.write.requested(),
            after: finished.read_back.map(|read| read.value_of(&result.write)),
            method: http::Method::PUT,
            path: result.write.path(),
            sent: result.sent.clone(),
            failure: None,
        };
        finished.writes.iter().map(audited).collect()
    }

    fn csv_target(row: &Row<Finished>) -> Vec<String> {
        vec![row.target.clone(), row.name.clone()]
    }

    fn csv_detail(finished: Option<&Finished>) -> Vec<String> {
        let read_back = finished.and_then(|f| f.read_back);
        vec![
            finished.map(|f| f.writes.len().to_string()).unwrap_or_default(),
            read_back.map(|r| r.status().label().to_string()).unwrap_or_default(),
            read_back.map(|r| r.plan.label().to_string()).unwrap_or_default(),
        ]
    }
}

impl SubscriptionChanges {
    /// Re-reads a subscription, then writes what it still lacks; a subscription that needs
    /// nothing more is done, one that cannot be changed is failed with the plan's reason.
    async fn again<T: Transport>(&self, client: &ArmClient<T>, plan: &Plan, subscription_id: &str) -> Finished {
        let (item, read_back) = replan(client, &self.cloud, plan.action, plan.servers_plan, subscription_id).await;
        match item.skip {
            None => apply_one(client, &item).await,
            Some(skip) if skip.kind == SkipKind::AlreadyDone => {
                Finished { before: read_back, writes: Vec::new(), read_back, failure: None }
            }
            // The reason says what to do already.
            Some(skip) => Finished {
                before: read_back,
                writes: Vec::new(),
                read_back,
                failure: Some(Failure::verdict(skip.kind.label(), skip.reason, "")),
            },
        }
    }
}

/// The writes to one subscription, in order, then one read-back: its settings, and its plan
/// too when the run wrote the plan or did not know it.
pub async fn apply_one<T: Transport>(client: &ArmClient<T>, item: &PlanItem) -> Finished {
    let writes = &item.writes;
    let mut results = Vec::with_capacity(writes.len());
    let mut failure = None;
    for write in writes {
        let answer =
            client.send(http::Method::PUT, client.url(&write.path()), serde_json::to_vec(&write.body()).ok()).await;
        let (sent, _) = Sent::of(answer);
        let error = sent.error.clone();
        results.push(WriteResult { write: write.clone(), sent });
        if error.is_some() {
            failure = error;
            break;
        }
    }
    let Some(subscription_id) = writes.first().map(Write::subscription_id) else {
        return Finished { before: item.before(), writes: results, read_back: None, failure };
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
            failure = Some(Failure::verdict(
                "NotApplied",
                format!("ARM accepted the write but reads back otherwise: {}", missed.describe()),
                "Azure may apply the change late: read it again in a minute, then retry.",
            ));
        }
    }
    Finished { before: item.before(), writes: results, read_back, failure }
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
        parts_now: None,
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

//! A machine run as the page shows it and the session keeps it: the plan and where each machine
//! is now; the summary, the CSV of results, and one audit entry per write sent.

use serde::{Deserialize, Serialize};

use super::run::{Failure, MachineEvent, MachineFinished, ReadBack};
use super::{MachineItem, MachinePlan, Skip};
use crate::audit::{csv_cell, AuditEntry, Context};
use crate::bulk::record::Progress;

/// Where one machine of the run is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RowState {
    Waiting,
    Running,
    Finished(Box<MachineFinished>),
    /// Cancelled before it started, or a reload came first.
    NotFinished,
    Skipped(Skip),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub machine_id: String,
    pub name: String,
    pub subscription_id: String,
    pub state: RowState,
    /// Bumped on every change, so a keyed view re-renders exactly the rows that changed.
    #[serde(skip)]
    pub version: u32,
}

impl Row {
    pub fn finished(&self) -> Option<&MachineFinished> {
        match &self.state {
            RowState::Finished(finished) => Some(finished),
            _ => None,
        }
    }

    pub fn failure(&self) -> Option<&Failure> {
        self.finished().and_then(|f| f.failure.as_ref())
    }

    pub fn read_back(&self) -> Option<&ReadBack> {
        self.finished().and_then(|f| f.read_back.as_ref())
    }

    /// Done, failed, skipped, waiting...: the word the row and the CSV show.
    pub fn label(&self) -> &'static str {
        match &self.state {
            RowState::Waiting => "Waiting",
            RowState::Running => "Running",
            RowState::Finished(f) if f.is_done() => "Done",
            RowState::Finished(_) => "Failed",
            RowState::NotFinished => "Not finished",
            RowState::Skipped(_) => "Skipped",
        }
    }
}

/// The run of one machine plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MachineRecord {
    pub plan: MachinePlan,
    pub rows: Vec<Row>,
}

impl MachineRecord {
    /// A run about to start: the plan's writes wait, its skips are settled.
    pub fn new(plan: MachinePlan) -> MachineRecord {
        let rows = plan
            .items
            .iter()
            .map(|item| Row {
                machine_id: item.machine_id.clone(),
                name: item.name.clone(),
                subscription_id: item.subscription_id.clone(),
                state: match &item.skip {
                    Some(skip) => RowState::Skipped(skip.clone()),
                    None => RowState::Waiting,
                },
                version: 0,
            })
            .collect();
        MachineRecord { plan, rows }
    }

    /// The record as kept before a reload: what was waiting or running did not finish.
    pub fn after_reload(mut self) -> MachineRecord {
        for row in &mut self.rows {
            if matches!(row.state, RowState::Waiting | RowState::Running) {
                row.state = RowState::NotFinished;
            }
        }
        self
    }

    /// Takes one event in; returns the row it changed.
    pub fn apply(&mut self, event: &MachineEvent) -> Option<usize> {
        let (id, state) = match event {
            MachineEvent::Started(id) => (id, RowState::Running),
            MachineEvent::Finished(id, finished) => (id, RowState::Finished(finished.clone())),
            MachineEvent::NotStarted(id) => (id, RowState::NotFinished),
        };
        let i = self.rows.iter().position(|r| &r.machine_id == id)?;
        self.rows[i].state = state;
        self.rows[i].version += 1;
        Some(i)
    }

    /// Marks the rows of `ids` as waiting and returns their planned items: what Retry (one,
    /// or all failed) and Continue hand to [`super::run::apply`] again. A run re-reads each
    /// machine first, so nothing already done is written twice.
    pub fn requeue(&mut self, ids: &[String]) -> Vec<MachineItem> {
        for row in self.rows.iter_mut().filter(|r| ids.contains(&r.machine_id)) {
            row.state = RowState::Waiting;
            row.version += 1;
        }
        self.plan.items.iter().filter(|i| i.write.is_some() && ids.contains(&i.machine_id)).cloned().collect()
    }

    pub fn progress(&self) -> Progress {
        let mut p = Progress::default();
        for row in &self.rows {
            match &row.state {
                RowState::Waiting => p.waiting += 1,
                RowState::Running => p.running += 1,
                RowState::Finished(f) if f.is_done() => p.done += 1,
                RowState::Finished(_) => p.failed += 1,
                RowState::NotFinished => p.not_finished += 1,
                RowState::Skipped(_) => p.skipped += 1,
            }
        }
        p
    }

    /// The run's last word: "3 done, 1 failed, 2 skipped".
    pub fn summary(&self) -> String {
        let p = self.progress();
        let parts = [
            (p.done, "done"),
            (p.failed, "failed"),
            (p.skipped, "skipped"),
            (p.not_finished, "not finished"),
            (p.running, "running"),
            (p.waiting, "waiting"),
        ];
        let words: Vec<String> = parts.iter().filter(|(n, _)| *n > 0).map(|(n, w)| format!("{n} {w}")).collect();
        if words.is_empty() {
            "No machines".into()
        } else {
            words.join(", ")
        }
    }

    /// Failed rows: what "Retry all failed" sends again.
    pub fn failed(&self) -> Vec<String> {
        self.ids(|r| r.failure().is_some())
    }

    /// Rows cancelled or cut off by a reload: what Continue sends again.
    pub fn not_finished(&self) -> Vec<String> {
        self.ids(|r| r.state == RowState::NotFinished)
    }

    fn ids(&self, pick: impl Fn(&Row) -> bool) -> Vec<String> {
        self.rows.iter().filter(|r| pick(r)).map(|r| r.machine_id.clone()).collect()
    }

    /// The audit entry of a finished machine, when a write was sent. `at.subscription_name`
    /// names the machine's subscription.
    pub fn audit(&self, machine_id: &str, at: &Context<'_>) -> Option<AuditEntry> {
        let item = self.plan.items.iter().find(|i| i.machine_id == machine_id)?;
        let write = item.write.as_ref()?;
        let finished = self.rows.iter().find(|r| r.machine_id == machine_id)?.finished()?;
        let sent = finished.sent.as_ref()?;
        // A removal ARM accepted (202) can still fail: its operation's failure is the answer.
        let error = sent.error.as_ref().or(finished.failure.as_ref());
        let owned = |s: &Option<String>| s.clone().unwrap_or_default();
        Some(AuditEntry {
            time: at.time.to_string(),
            tenant_id: at.tenant_id.to_string(),
            user: at.user.to_string(),
            subscription_id: item.subscription_id.clone(),
            subscription_name: at.subscription_name.to_string(),
            setting: write.target(),
            before: finished.before.as_ref().map(ReadBack::value),
            requested: write.requested(),
            after: finished.read_back.as_ref().map(ReadBack::value),
            request: format!("{} {}{}", write.method(), at.arm_url, write.path()),
            status: sent.status,
            error_code: error.map(|e| e.code.clone()).unwrap_or_default(),
            error_message: error.map(|e| e.message.clone()).unwrap_or_default(),
            request_id: owned(&sent.request_id),
            correlation_id: owned(&sent.correlation_id),
        })
    }

    /// The results as CSV (formula-safe, as the audit log): one line per machine.
    pub fn to_csv(&self) -> String {
        let mut out = String::from(
            "machineId,machineName,subscriptionId,result,operation,readBack,errorStatus,errorCode,errorMessage,advice,requestId\r\n",
        );
        for row in &self.rows {
            let finished = row.finished();
            let failure = row.failure();
            let skip = match &row.state {
                RowState::Skipped(skip) => Some(skip.reason.clone()),
                _ => None,
            };
            let text = |f: fn(&Failure) -> String| failure.map(f).unwrap_or_default();
            let cells = [
                row.machine_id.clone(),
                row.name.clone(),
                row.subscription_id.clone(),
                row.label().to_string(),
                finished.and_then(|f| f.operation.clone()).unwrap_or_default(),
                row.read_back().map(ReadBack::describe).unwrap_or_default(),
                text(|f| f.status.map(|s| s.to_string()).unwrap_or_default()),
                text(|f| f.code.clone()),
                failure.map(|f| f.message.clone()).or(skip).unwrap_or_default(),
                text(|f| f.advice.clone()),
                text(|f| f.request_id.clone().unwrap_or_default()),
            ];
            out.push_str(&cells.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","));
            out.push_str("\r\n");
        }
        out
    }

    /// The results as JSON: the plan and every row as the session keeps them.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

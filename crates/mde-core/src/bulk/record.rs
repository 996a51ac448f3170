//! A bulk run as the page shows it and the session keeps it: the plan, what each subscription
//! was before, and where each one is now. Serialisable, so that a reload loses nothing: rows
//! that were waiting or running then are "not finished", and Continue re-reads them.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::run::{Failure, Finished, ReadBack, RunEvent};
use super::{Plan, Skip};
use crate::audit::csv_cell;

/// Where one subscription of the run is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RowState {
    Waiting,
    Running,
    Finished(Finished),
    /// Cancelled before it started, or a reload came first: never started (or not known to
    /// have finished).
    NotFinished,
    Skipped(Skip),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub subscription_id: String,
    pub name: String,
    pub state: RowState,
    /// Bumped on every change, so a keyed view re-renders exactly the rows that changed.
    #[serde(skip)]
    pub version: u32,
}

impl Row {
    pub fn failure(&self) -> Option<&Failure> {
        match &self.state {
            RowState::Finished(finished) => finished.failure.as_ref(),
            _ => None,
        }
    }

    pub fn read_back(&self) -> Option<&ReadBack> {
        match &self.state {
            RowState::Finished(finished) => finished.read_back.as_ref(),
            _ => None,
        }
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

/// Rows by where they are, for the progress bar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    pub done: usize,
    pub failed: usize,
    pub skipped: usize,
    pub waiting: usize,
    pub running: usize,
    pub not_finished: usize,
}

impl Progress {
    pub fn total(&self) -> usize {
        self.done + self.failed + self.skipped + self.waiting + self.running + self.not_finished
    }

    /// Rows the run has nothing more to do for.
    pub fn settled(&self) -> usize {
        self.done + self.failed + self.skipped
    }
}

/// The run of one plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    pub plan: Plan,
    /// What the overview had read of each subscription before the run (for the audit log).
    pub before: HashMap<String, ReadBack>,
    pub rows: Vec<Row>,
}

impl Record {
    /// A run about to start: the plan's writes wait, its skips are settled.
    pub fn new(plan: Plan, before: HashMap<String, ReadBack>) -> Record {
        let rows = plan
            .items
            .iter()
            .map(|item| Row {
                subscription_id: item.subscription_id.clone(),
                name: item.name.clone(),
                state: match &item.skip {
                    Some(skip) => RowState::Skipped(skip.clone()),
                    None => RowState::Waiting,
                },
                version: 0,
            })
            .collect();
        Record { plan, before, rows }
    }

    /// The record as kept before a reload: what was waiting or running did not finish.
    pub fn after_reload(mut self) -> Record {
        for row in &mut self.rows {
            if matches!(row.state, RowState::Waiting | RowState::Running) {
                row.state = RowState::NotFinished;
            }
        }
        self
    }

    /// Takes one event in; returns the row it changed.
    pub fn apply(&mut self, event: &RunEvent) -> Option<usize> {
        let (id, state) = match event {
            RunEvent::Started(id) => (id, RowState::Running),
            RunEvent::Finished(id, finished) => (id, RowState::Finished(finished.clone())),
            RunEvent::NotStarted(id) => (id, RowState::NotFinished),
        };
        let i = self.rows.iter().position(|r| &r.subscription_id == id)?;
        self.rows[i].state = state;
        self.rows[i].version += 1;
        Some(i)
    }

    /// Marks rows about to be sent again (Retry, Continue) as waiting.
    pub fn requeue(&mut self, ids: &[String]) {
        for row in self.rows.iter_mut().filter(|r| ids.contains(&r.subscription_id)) {
            row.state = RowState::Waiting;
            row.version += 1;
        }
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

    /// Failed rows: what "Retry all failed" sends again.
    pub fn failed(&self) -> Vec<String> {
        self.ids(|r| r.failure().is_some())
    }

    /// Rows cancelled or cut off by a reload: what Continue sends again.
    pub fn not_finished(&self) -> Vec<String> {
        self.ids(|r| r.state == RowState::NotFinished)
    }

    fn ids(&self, pick: impl Fn(&Row) -> bool) -> Vec<String> {
        self.rows.iter().filter(|r| pick(r)).map(|r| r.subscription_id.clone()).collect()
    }

    /// The results as CSV (formula-safe, as the audit log): one line per subscription.
    pub fn to_csv(&self) -> String {
        let mut out = String::from(
            "subscriptionId,subscriptionName,result,writesSent,integrationReadBack,plan,errorStatus,errorCode,errorMessage,advice,requestId\r\n",
        );
        for row in &self.rows {
            let (writes, read_back) = match &row.state {
                RowState::Finished(f) => (f.writes.len().to_string(), f.read_back),
                _ => (String::new(), None),
            };
            let failure = row.failure();
            let skip = match &row.state {
                RowState::Skipped(skip) => Some(skip),
                _ => None,
            };
            let text = |f: fn(&Failure) -> String| failure.map(f).unwrap_or_default();
            let cells = [
                row.subscription_id.clone(),
                row.name.clone(),
                row.label().to_string(),
                writes,
                read_back.map(|r| r.status().label().to_string()).unwrap_or_default(),
                read_back.map(|r| r.plan.label().to_string()).unwrap_or_default(),
                text(|f| f.status.map(|s| s.to_string()).unwrap_or_default()),
                text(|f| f.code.clone()),
                failure.map(|f| f.message.clone()).or(skip.map(|s| s.reason.clone())).unwrap_or_default(),
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

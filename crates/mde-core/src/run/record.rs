//! A run as the page shows it and the session keeps it: the plan and where each item is now.
//! Serialisable, so that a reload loses nothing: rows that were waiting or running then are
//! "not finished", and Continue re-reads them. Kept in a versioned envelope ([`Stored`]): a
//! record of another version or kind is set aside whole, never half-read.

use serde::{Deserialize, Serialize};

use super::{Event, Failure, Kind, Work};
use crate::audit::csv_cell;

/// Where one item of the run is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RowState<F> {
    Waiting,
    Running,
    Finished(Box<F>),
    /// Cancelled before it started, or a reload came first: never started (or not known to
    /// have finished).
    NotFinished,
    /// Left out by the plan, with why.
    Skipped(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Row<F> {
    /// The subscription's or the machine's id.
    pub target: String,
    pub name: String,
    pub subscription_id: String,
    pub state: RowState<F>,
    /// Bumped on every change, so a keyed view re-renders exactly the rows that changed.
    #[serde(skip)]
    pub version: u32,
}

impl<F> Row<F> {
    pub fn finished(&self) -> Option<&F> {
        match &self.state {
            RowState::Finished(finished) => Some(finished),
            _ => None,
        }
    }

    pub fn skip(&self) -> Option<&str> {
        match &self.state {
            RowState::Skipped(reason) => Some(reason),
            _ => None,
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

    /// The run's last word: "3 done, 1 failed, 2 skipped".
    pub fn summary(&self) -> String {
        let parts = [
            (self.done, "done"),
            (self.failed, "failed"),
            (self.skipped, "skipped"),
            (self.not_finished, "not finished"),
            (self.running, "running"),
            (self.waiting, "waiting"),
        ];
        let words: Vec<String> = parts.iter().filter(|(n, _)| *n > 0).map(|(n, w)| format!("{n} {w}")).collect();
        if words.is_empty() {
            "Nothing to do".into()
        } else {
            words.join(", ")
        }
    }
}

/// The run of one plan.
#[derive(Serialize, Deserialize)]
#[serde(bound = "", rename_all = "camelCase")]
pub struct Record<K: Kind> {
    pub plan: K::Plan,
    pub rows: Vec<Row<K::Finished>>,
}

impl<K: Kind> Clone for Record<K> {
    fn clone(&self) -> Self {
        Record { plan: self.plan.clone(), rows: self.rows.clone() }
    }
}

impl<K: Kind> PartialEq for Record<K> {
    fn eq(&self, other: &Self) -> bool {
        self.plan == other.plan && self.rows == other.rows
    }
}

impl<K: Kind> std::fmt::Debug for Record<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Record").field("kind", &K::NAME).field("rows", &self.rows.len()).finish()
    }
}

impl<K: Kind> Record<K> {
    /// A run about to start: the plan's writes wait, its skips are settled.
    pub fn new(plan: K::Plan) -> Record<K> {
        let rows = K::items(&plan)
            .iter()
            .map(|item| Row {
                target: K::target(item).to_string(),
                name: K::name(item).to_string(),
                subscription_id: K::subscription(item).to_string(),
                state: match K::skip(item) {
                    Some(reason) => RowState::Skipped(reason),
                    None => RowState::Waiting,
                },
                version: 0,
            })
            .collect();
        Record { plan, rows }
    }

    /// The planned items that write something: what a new run sends.
    pub fn work(&self) -> Vec<Work<K::Item>> {
        let items = K::items(&self.plan).iter().filter(|i| K::skip(i).is_none());
        items.map(|item| Work { item: item.clone(), again: false }).collect()
    }

    /// The record as kept before a reload: what was waiting or running did not finish.
    pub fn after_reload(mut self) -> Record<K> {
        for row in &mut self.rows {
            if matches!(row.state, RowState::Waiting | RowState::Running) {
                row.state = RowState::NotFinished;
            }
        }
        self
    }

    /// Takes one event in; returns the row it changed.
    pub fn apply(&mut self, event: &Event<K::Finished>) -> Option<usize> {
        let (target, state) = match event {
            Event::Started(target) => (target, RowState::Running),
            Event::Finished(target, finished) => (target, RowState::Finished(finished.clone())),
            Event::NotStarted(target) => (target, RowState::NotFinished),
        };
        let i = self.rows.iter().position(|r| &r.target == target)?;
        self.rows[i].state = state;
        self.rows[i].version += 1;
        Some(i)
    }

    /// Marks the rows of `targets` as waiting and returns their items, to be sent again (Retry,
    /// Continue): the kind re-reads each first, so nothing done is written twice.
    pub fn requeue(&mut self, targets: &[String]) -> Vec<Work<K::Item>> {
        for row in self.rows.iter_mut().filter(|r| targets.contains(&r.target)) {
            row.state = RowState::Waiting;
            row.version += 1;
        }
        let items =
            K::items(&self.plan).iter().filter(|i| K::skip(i).is_none() && targets.iter().any(|t| t == K::target(i)));
        items.map(|item| Work { item: item.clone(), again: true }).collect()
    }

    /// Done, failed, skipped, waiting...: the word the row and the CSV show.
    pub fn label(row: &Row<K::Finished>) -> &'static str {
        match &row.state {
            RowState::Waiting => "Waiting",
            RowState::Running => "Running",
            RowState::Finished(f) if K::failure(f).is_none() => "Done",
            RowState::Finished(_) => "Failed",
            RowState::NotFinished => "Not finished",
            RowState::Skipped(_) => "Skipped",
        }
    }

    pub fn progress(&self) -> Progress {
        let mut p = Progress::default();
        for row in &self.rows {
            match &row.state {
                RowState::Waiting => p.waiting += 1,
                RowState::Running => p.running += 1,
                RowState::Finished(f) if K::failure(f).is_none() => p.done += 1,
                RowState::Finished(_) => p.failed += 1,
                RowState::NotFinished => p.not_finished += 1,
                RowState::Skipped(_) => p.skipped += 1,
            }
        }
        p
    }

    /// Failed rows: what "Retry all failed" sends again.
    pub fn failed(&self) -> Vec<String> {
        self.targets(|r| r.finished().and_then(K::failure).is_some())
    }

    /// Rows cancelled or cut off by a reload: what Continue sends again.
    pub fn not_finished(&self) -> Vec<String> {
        self.targets(|r| matches!(r.state, RowState::NotFinished))
    }

    fn targets(&self, pick: impl Fn(&Row<K::Finished>) -> bool) -> Vec<String> {
        self.rows.iter().filter(|r| pick(r)).map(|r| r.target.clone()).collect()
    }

    /// The planned item of a row.
    pub fn item(&self, target: &str) -> Option<&K::Item> {
        K::items(&self.plan).iter().find(|i| K::target(i) == target)
    }

    /// The results as CSV (formula-safe, as the audit log): one line per item.
    pub fn to_csv(&self) -> String {
        let head = K::CSV_TARGET.iter().chain(&["result"]).chain(K::CSV_DETAIL).chain(&[
            "errorStatus",
            "errorCode",
            "errorMessage",
            "advice",
            "requestId",
        ]);
        let mut out = head.copied().collect::<Vec<_>>().join(",");
        out.push_str("\r\n");
        for row in &self.rows {
            let failure = row.finished().and_then(K::failure);
            let text = |f: fn(&Failure) -> String| failure.map(f).unwrap_or_default();
            let mut cells = K::csv_target(row);
            cells.push(Self::label(row).to_string());
            cells.extend(K::csv_detail(row.finished()));
            cells.extend([
                text(|f| f.status.map(|s| s.to_string()).unwrap_or_default()),
                text(|f| f.code.clone()),
                failure.map(|f| f.message.clone()).or(row.skip().map(str::to_string)).unwrap_or_default(),
                text(|f| f.advice.clone()),
                text(|f| f.request_id.clone().unwrap_or_default()),
            ]);
            out.push_str(&cells.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","));
            out.push_str("\r\n");
        }
        out
    }

    /// The results as JSON: the plan and every row as the session keeps them.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The record in its envelope, for storage.
    pub fn stored(&self) -> String {
        let envelope = Stored { version: RECORD_VERSION, kind: K::NAME.to_string(), record: self };
        serde_json::to_string(&envelope).unwrap_or_default()
    }

    /// A record read back from storage, after a reload: rows that were waiting or running did
    /// not finish. Another version's or kind's record, or one that does not read whole, is
    /// refused with why (the caller sets it aside and says so).
    pub fn restore(text: &str) -> Result<Record<K>, String> {
        #[derive(Deserialize)]
        struct Header {
            #[serde(default)]
            version: u32,
            #[serde(default)]
            kind: String,
        }
        let header: Header = serde_json::from_str(text).map_err(|e| format!("it is not a run record ({e})"))?;
        if header.version != RECORD_VERSION || header.kind != K::NAME {
            return Err(format!(
                "it was saved by another version of MDE Console (record version {}, this one reads {RECORD_VERSION})",
                header.version
            ));
        }
        let stored: Stored<Record<K>> =
            serde_json::from_str(text).map_err(|e| format!("it does not read as a {} run ({e})", K::NAME))?;
        Ok(stored.record.after_reload())
    }
}

/// The version of the record's shape. Bump it when the shape changes: an older record is then
/// set aside, never half-read.
pub const RECORD_VERSION: u32 = 2;

#[derive(Serialize, Deserialize)]
struct Stored<R> {
    version: u32,
    kind: String,
    record: R,
}

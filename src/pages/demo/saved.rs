//! What the demo keeps for the tab (sessionStorage): the scenario a trainer loaded, and the
//! writes made in the demo since, which are replayed into a fresh tenant after a reload.
//!
//! Writes rather than a snapshot: the fake tenant is deterministic for a given sequence of
//! requests, so replaying them rebuilds exactly the state the user left (a scenario's
//! scripted failures included) without a second, serialized copy of the fake's internals.

use serde::{Deserialize, Serialize};

use crate::browser::demo::{Call, SCENARIO_PATH};
use crate::browser::storage::Store;

/// Where the running scenario came from.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Source {
    /// The site's own `demo/scenario.json`.
    BuiltIn,
    /// `/try?scenario=URL`, as resolved against the page.
    Url { url: String },
    /// A file the user picked or dropped.
    File { name: String },
}

impl Source {
    /// How the header names it.
    pub fn describe(&self) -> String {
        match self {
            Source::BuiltIn => format!("built in ({})", SCENARIO_PATH.trim_start_matches('/')),
            Source::Url { url } => format!("from {url}"),
            Source::File { name } => format!("from the file {name}"),
        }
    }

    /// How an error names it.
    pub fn subject(&self) -> String {
        match self {
            Source::BuiltIn => SCENARIO_PATH.trim_start_matches('/').to_string(),
            Source::Url { url } => url.clone(),
            Source::File { name } => name.clone(),
        }
    }
}

/// A scenario loaded by URL or from a file, with its text: a reload must not fall back to the
/// built-in tenant (nor fetch the URL again: the tab keeps what it started with).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Loaded {
    pub source: Source,
    pub text: String,
}

const SCENARIO: &str = "demo.scenario";
const WRITES: &str = "demo.writes";
/// The demo's audit log and its runs (`audit_log`, `tenant::runner`, one key per kind of
/// write, and a record set aside): they describe writes that a fresh start undoes.
const RUNS: [&str; 7] = [
    "audit.demo",
    "bulk.demo",
    "subscription.demo",
    "machines.demo",
    "bulk.demo.set-aside",
    "subscription.demo.set-aside",
    "machines.demo.set-aside",
];

pub fn scenario() -> Option<Loaded> {
    Store::Session.get(SCENARIO)
}

/// Keeps the scenario for the tab (nothing for the built-in one, which the site serves);
/// false when sessionStorage refused it (too large).
pub fn keep_scenario(loaded: &Loaded) -> bool {
    if loaded.source == Source::BuiltIn {
        Store::Session.remove(SCENARIO);
        return true;
    }
    Store::Session.set(SCENARIO, loaded);
    scenario().is_some_and(|kept| kept.source == loaded.source)
}

pub fn writes() -> Vec<Call> {
    Store::Session.get(WRITES).unwrap_or_default()
}

pub fn record_write(call: Call) {
    let mut all = writes();
    all.push(call);
    Store::Session.set(WRITES, &all);
}

/// Forgets every change made in the demo: the next start is the scenario as written.
pub fn forget_changes() {
    Store::Session.remove(WRITES);
    for key in RUNS {
        Store::Session.remove(key);
    }
}

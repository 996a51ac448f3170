//! Each machine's test alert, sensor check and alert watch, kept for the tab's life: the watch
//! goes on (and its state is here when the user comes back) while other pages are open.

use std::cell::RefCell;
use std::collections::HashMap;

use futures::future::{AbortHandle, Abortable};
use leptos::prelude::*;
use leptos::task::spawn_local;
use mde_core::audit::Context;
use mde_core::run::{self, Control, Kind, Record};
use mde_core::time::iso_utc;
use mde_core::verify::commands::{CommandFinished, RunCommands};
use mde_core::verify::run_command::{self, Command, Purpose, RunOutput};
use mde_core::verify::test_alert;
use mde_core::verify::watch::{self, State, Target};

use crate::audit_log;
use crate::browser::{now_ms, AppTransport};
use crate::session::Session;

/// A command's progress.
#[derive(Clone, Debug, PartialEq)]
pub enum Ran {
    Sending,
    Done(RunOutput),
    /// ARM refused or could not be followed: why, and what to do.
    Refused(String),
    /// Sent, but its answer was lost: it may have run. "Check whether it ran" reads the
    /// machine's run state before anything is sent again.
    MayHaveRun(Command, String),
}

/// One machine's verification.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Verify {
    pub test: Option<Ran>,
    pub sensor: Option<Ran>,
    pub watch: Option<(Target, State)>,
}

thread_local! {
    static KEPT: RefCell<HashMap<String, ArcRwSignal<Verify>>> = RefCell::default();
    /// The watch in flight per machine: a new one stops the last.
    static WATCHES: RefCell<HashMap<String, AbortHandle>> = RefCell::default();
}

/// The session's (tenant or demo) verification of one machine.
fn key(session: &Session, machine_id: &str) -> String {
    format!("{}|{}", session.base, machine_id.to_ascii_lowercase())
}

pub fn verify_of(session: &Session, machine_id: &str) -> ArcRwSignal<Verify> {
    KEPT.with(|kept| kept.borrow_mut().entry(key(session, machine_id)).or_default().clone())
}

fn slot(verify: &mut Verify, purpose: Purpose) -> &mut Option<Ran> {
    match purpose {
        Purpose::TestAlert => &mut verify.test,
        Purpose::SensorCheck => &mut verify.sensor,
    }
}

pub use mde_core::verify::commands::text;

/// Sends `command` through the run pipeline (`again`: after an answer that was lost, the
/// machine's run state is read first and the command is sent only if it did not run), logs it
/// in the audit log, and after a test alert that ran, watches for the alert. Goes on whatever
/// page is open.
pub fn send(session: &Session, command: Command, again: bool) {
    let verify = verify_of(session, &command.machine_id);
    verify.update(|v| *slot(v, command.purpose) = Some(Ran::Sending));
    let session = session.clone();
    spawn_local(async move {
        let kind = RunCommands { limits: run_command::limits() };
        let plan = vec![command.clone()];
        let mut record = Record::<RunCommands>::new(plan.clone());
        let work = match again {
            true => record.requeue(std::slice::from_ref(&command.machine_id)),
            false => record.work(),
        };
        run::apply(&kind, &*session.client, &plan, work, 1, &Control::default(), |event| {
            record.apply(&event);
        })
        .await;
        let Some(finished) = record.rows.first().and_then(|row| row.finished()).cloned() else { return };
        log(&session, &command, &finished);
        let ran = match (&finished.output, &finished.failure) {
            (Some(out), _) => Ran::Done(out.clone()),
            (None, Some(f)) if finished.may_have_run() => {
                Ran::MayHaveRun(command.clone(), format!("{} {}", f.message, f.advice))
            }
            (None, Some(f)) => Ran::Refused(format!("{}. {}", f.message, f.advice)),
            (None, None) => Ran::Refused("Azure gave no result.".into()),
        };
        let watch_now = command.purpose == Purpose::TestAlert && matches!(&ran, Ran::Done(out) if out.succeeded);
        verify.update(|v| *slot(v, command.purpose) = Some(ran));
        if watch_now {
            start_watch(&session, &command, command.at_ms);
        }
    });
}

/// The audit log's line for the command, when it was sent.
fn log(session: &Session, command: &Command, finished: &CommandFinished) {
    let time = iso_utc(now_ms());
    let name = session.overview.subscription_name(&command.subscription_id);
    let at = Context {
        time: &time,
        tenant_id: &session.tenant_id,
        user: &session.user,
        subscription_name: if name.is_empty() { &command.subscription_id } else { &name },
        arm_url: session.client.arm_url(),
    };
    let entries = RunCommands::audited(command, finished).iter().map(|a| a.entry(&at)).collect();
    audit_log::append_all(session, entries);
}

/// Watches for the test alert of `command`'s machine, from `started_ms` on (the command was
/// sent then, from here or by hand).
pub fn start_watch(session: &Session, command: &Command, started_ms: u64) {
    let Some(expected) = test_alert::for_os(command.os) else { return };
    let target = Target {
        subscription_id: command.subscription_id.clone(),
        machine_id: command.machine_id.clone(),
        machine_name: command.machine_name.clone(),
        expected_name: expected.alert_name.into(),
        started_ms,
    };
    let verify = verify_of(session, &command.machine_id);
    let first = State::Watching { polls: 0, next_poll_ms: now_ms() + watch::wait_before(0) };
    verify.update(|v| v.watch = Some((target.clone(), first)));
    let (handle, registration) = AbortHandle::new_pair();
    let key = key(session, &command.machine_id);
    if let Some(last) = WATCHES.with(|w| w.borrow_mut().insert(key, handle)) {
        last.abort();
    }
    let client = session.client.clone();
    spawn_local(async move {
        let report = |state: &State| verify.update(|v| v.watch = Some((target.clone(), state.clone())));
        let _ = Abortable::new(watch::watch::<AppTransport>(&client, &target, report), registration).await;
    });
}

//! Each machine's test alert, sensor check and alert watch, kept for the tab's life: the watch
//! goes on (and its state is here when the user comes back) while other pages are open.

use std::cell::RefCell;
use std::collections::HashMap;

use futures::future::{AbortHandle, Abortable};
use leptos::prelude::*;
use leptos::task::spawn_local;
use mde_core::audit::Context;
use mde_core::time::iso_utc;
use mde_core::verify::run_command::{self, arc_name, Command, Purpose, RunOutput};
use mde_core::verify::watch::{self, State, Target};
use mde_core::verify::{sensor, test_alert};

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

/// The output as one text (what the sensor check parses, and the raw view shows).
pub fn text(out: &RunOutput) -> String {
    match out.stderr.trim().is_empty() {
        true => out.stdout.clone(),
        false => format!("{}\n{}", out.stdout, out.stderr),
    }
}

/// Sends `command`, logs it and its end in the audit log, and after a test alert that ran,
/// watches for the alert. Goes on whatever page is open.
pub fn send(session: &Session, command: Command) {
    let verify = verify_of(session, &command.machine_id);
    verify.update(|v| *slot(v, command.purpose) = Some(Ran::Sending));
    let session = session.clone();
    spawn_local(async move {
        let started = now_ms();
        let name = arc_name(command.purpose, started);
        let request = format!("{} {}", command.method(), session.client.url(&command.path(&name)));
        let result = run_command::run::<AppTransport>(&session.client, &command, &name, &run_command::limits()).await;
        let summary = match (&result, command.purpose) {
            (Ok(out), Purpose::SensorCheck) => sensor::parse(command.os, &text(out)).summary(),
            (Ok(out), Purpose::TestAlert) if out.succeeded => "ran; watching for the alert".into(),
            (Ok(_), _) => "failed".into(),
            (Err(_), _) => "refused".into(),
        };
        let time = iso_utc(now_ms());
        let at = Context {
            time: &time,
            tenant_id: &session.tenant_id,
            user: &session.user,
            subscription_name: &command.subscription_id,
            arm_url: session.client.arm_url(),
        };
        audit_log::append(&session, run_command::audit_entry(&command, request, &result, &summary, &at));
        let ran = match result {
            Ok(out) => Ran::Done(out),
            Err(failure) => Ran::Refused(format!("{failure}. {}", failure.advice())),
        };
        let watch_now = command.purpose == Purpose::TestAlert && matches!(&ran, Ran::Done(out) if out.succeeded);
        verify.update(|v| *slot(v, command.purpose) = Some(ran));
        if watch_now {
            start_watch(&session, &command, started);
        }
    });
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

//! The bulk run of the session: it goes on while the user looks at other pages, keeps its
//! record in sessionStorage (a reload loses nothing), logs every write in the audit log, and
//! shows what it read back on the overview's rows.

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use mde_core::audit::{self, AuditEntry};
use mde_core::bulk::record::Record;
use mde_core::bulk::run::{self, Control, Finished, RunEvent, Work};
use send_wrapper::SendWrapper;

use crate::audit_log;
use crate::browser::now_ms;
use crate::browser::storage::Store;
use crate::session::Session;

/// The session's run: its record (`None`: no run yet), and how many executions are in flight.
#[derive(Clone)]
pub struct BulkStore {
    record: ArcRwSignal<Option<Record>>,
    active: ArcRwSignal<usize>,
    control: SendWrapper<Rc<Control>>,
    /// When the record was last saved (ms since the epoch).
    saved_at: SendWrapper<Rc<Cell<u64>>>,
}

/// The record is saved at most this often while a run goes on (and when it ends): saving a
/// large run on every answer cost seconds of main thread. A reload in between loses nothing:
/// rows not yet saved as finished are "not finished", and Continue reads them again.
const SAVE_EVERY_MS: u64 = 250;

impl Default for BulkStore {
    fn default() -> Self {
        BulkStore {
            record: ArcRwSignal::default(),
            active: ArcRwSignal::default(),
            control: SendWrapper::new(Rc::default()),
            saved_at: SendWrapper::new(Rc::default()),
        }
    }
}

fn storage_key(session: &Session) -> String {
    if session.demo {
        "bulk.demo".into()
    } else {
        format!("bulk.tenant.{}", session.tenant_id.to_ascii_lowercase())
    }
}

impl BulkStore {
    /// The run, read from sessionStorage the first time (after a reload: rows that were
    /// waiting or running did not finish).
    pub fn record(&self, session: &Session) -> RwSignal<Option<Record>> {
        if self.record.with_untracked(Option::is_none) && self.active.get_untracked() == 0 {
            if let Some(kept) = Store::Session.get::<Record>(&storage_key(session)) {
                self.record.set(Some(kept.after_reload()));
            }
        }
        self.record.clone().into()
    }

    pub fn active(&self) -> Signal<bool> {
        let active = self.active.clone();
        Signal::derive(move || active.get() > 0)
    }

    pub fn control(&self) -> Rc<Control> {
        Rc::clone(&self.control)
    }

    /// Starts the plan's writes.
    pub fn start(&self, session: &Session, record: Record) {
        let work = record.plan.changing().cloned().map(Work::Planned).collect();
        self.record.set(Some(record));
        self.save(session);
        self.run(session, work);
    }

    /// Sends subscriptions again (Retry, Retry all failed, Continue): each is read afresh and
    /// gets only the writes it still lacks.
    pub fn again(&self, session: &Session, ids: Vec<String>) {
        let Some((action, servers_plan)) =
            self.record.with_untracked(|r| r.as_ref().map(|r| (r.plan.action, r.plan.servers_plan)))
        else {
            return;
        };
        self.record.update(|r| {
            if let Some(r) = r {
                r.requeue(&ids);
            }
        });
        self.save(session);
        let work =
            ids.into_iter().map(|subscription_id| Work::Again { subscription_id, action, servers_plan }).collect();
        self.run(session, work);
    }

    /// Forgets the run (a new plan follows).
    pub fn clear(&self, session: &Session) {
        self.record.set(None);
        Store::Session.remove(&storage_key(session));
    }

    fn run(&self, session: &Session, work: Vec<Work>) {
        if self.active.get_untracked() == 0 {
            self.control.reset();
        }
        self.active.update(|n| *n += 1);
        let (store, session) = (self.clone(), session.clone());
        spawn_local(async move {
            let control = store.control();
            run::apply(&session.client, &session.cloud, work, session.concurrency, &control, |event| {
                store.take(&session, &event)
            })
            .await;
            store.save(&session);
            store.active.update(|n| *n -= 1);
        });
    }

    fn take(&self, session: &Session, event: &RunEvent) {
        self.record.update(|r| {
            if let Some(r) = r {
                r.apply(event);
            }
        });
        let now = now_ms();
        if now.saturating_sub(self.saved_at.get()) >= SAVE_EVERY_MS {
            self.save(session);
        }
        if let RunEvent::Finished(id, finished) = event {
            self.log(session, id, finished);
            if let Some(read) = &finished.read_back {
                session.overview.read_back_parts(id, read);
            }
        }
    }

    /// One audit entry per write sent, with the value before the plan and as read back.
    fn log(&self, session: &Session, id: &str, finished: &Finished) {
        let (name, before) = self.record.with_untracked(|r| {
            let r = r.as_ref();
            let name = r.and_then(|r| r.rows.iter().find(|row| row.subscription_id == id)).map(|row| row.name.clone());
            (name.unwrap_or_default(), r.and_then(|r| r.before.get(id).copied()))
        });
        let time = mde_core::time::iso_utc(now_ms());
        let at = audit::Context {
            time: &time,
            tenant_id: &session.tenant_id,
            user: &session.user,
            subscription_name: &name,
            arm_url: session.client.arm_url(),
        };
        let entries = finished.writes.iter().map(|result| {
            let before = before.map(|b| b.value_of(&result.write));
            let after = finished.read_back.map(|read| read.value_of(&result.write));
            AuditEntry::from_write(result, before, after, &at)
        });
        audit_log::append_all(session, entries.collect());
    }

    fn save(&self, session: &Session) {
        self.saved_at.set(now_ms());
        self.record.with_untracked(|r| {
            if let Some(r) = r {
                Store::Session.set(&storage_key(session), r);
            }
        });
    }
}

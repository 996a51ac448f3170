//! The bulk run of the session: it goes on while the user looks at other pages, keeps its
//! record in sessionStorage (a reload loses nothing), logs every write in the audit log, and
//! shows what it read back on the overview's rows.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use mde_core::audit::{self, AuditEntry};
use mde_core::bulk::record::Record;
use mde_core::bulk::run::{self, Control, Finished, RunEvent, Work};

use crate::audit_log;
use crate::browser::now_ms;
use crate::components::run::RunStore;
use crate::session::Session;

/// The session's run: its record (`None`: no run yet), and how many executions are in flight.
#[derive(Clone, Default)]
pub struct BulkStore {
    run: RunStore<Record>,
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
        self.run.record(&storage_key(session), Record::after_reload)
    }

    pub fn active(&self) -> Signal<bool> {
        self.run.active()
    }

    pub fn control(&self) -> Rc<Control> {
        self.run.control()
    }

    /// Starts the plan's writes.
    pub fn start(&self, session: &Session, record: Record) {
        let work = record.plan.changing().cloned().map(Work::Planned).collect();
        self.run.record.set(Some(record));
        self.run.save(&storage_key(session));
        self.execute(session, work);
    }

    /// Sends subscriptions again (Retry, Retry all failed, Continue): each is read afresh and
    /// gets only the writes it still lacks.
    pub fn again(&self, session: &Session, ids: Vec<String>) {
        let Some((action, servers_plan)) =
            self.run.record.with_untracked(|r| r.as_ref().map(|r| (r.plan.action, r.plan.servers_plan)))
        else {
            return;
        };
        self.run.update(&storage_key(session), |r| r.requeue(&ids));
        self.run.save(&storage_key(session));
        let work =
            ids.into_iter().map(|subscription_id| Work::Again { subscription_id, action, servers_plan }).collect();
        self.execute(session, work);
    }

    /// Forgets the run (a new plan follows).
    pub fn clear(&self, session: &Session) {
        self.run.clear(&storage_key(session));
    }

    fn execute(&self, session: &Session, work: Vec<Work>) {
        self.run.begin();
        let (store, session) = (self.clone(), session.clone());
        spawn_local(async move {
            let control = store.control();
            run::apply(&session.client, &session.cloud, work, session.concurrency, &control, |event| {
                store.take(&session, &event)
            })
            .await;
            store.run.end(&storage_key(&session));
        });
    }

    fn take(&self, session: &Session, event: &RunEvent) {
        self.run.update(&storage_key(session), |r| {
            r.apply(event);
        });
        if let RunEvent::Finished(id, finished) = event {
            self.log(session, id, finished);
            if let Some(read) = &finished.read_back {
                session.overview.read_back_parts(id, read);
            }
        }
    }

    /// One audit entry per write sent, with the value before the plan and as read back.
    fn log(&self, session: &Session, id: &str, finished: &Finished) {
        let (name, before) = self.run.record.with_untracked(|r| {
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
}

//! The machine run of the session (the tag, removing the extension): it goes on while the user
//! looks at other pages, keeps its record in sessionStorage (a reload loses nothing), logs every
//! write in the audit log, and puts what it read back on the machine's row.

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use mde_core::audit;
use mde_core::deployment::actions::record::MachineRecord;
use mde_core::deployment::actions::run::{self, Control, MachineEvent, ReadBack};
use mde_core::deployment::MdeExtension;
use mde_core::lro::Limits;
use send_wrapper::SendWrapper;

use super::store::Kept;
use crate::audit_log;
use crate::browser::now_ms;
use crate::browser::storage::Store;
use crate::session::Session;

#[derive(Clone)]
pub struct MachineRun {
    record: ArcRwSignal<Option<MachineRecord>>,
    active: ArcRwSignal<usize>,
    control: SendWrapper<Rc<Control>>,
    /// When the record was last saved (ms since the epoch).
    saved_at: SendWrapper<Rc<Cell<u64>>>,
}

/// The record is saved at most this often while a run goes on, and when it ends (as the bulk
/// run's: saving a large run on every answer costs seconds of main thread).
const SAVE_EVERY_MS: u64 = 250;

impl Default for MachineRun {
    fn default() -> Self {
        MachineRun {
            record: ArcRwSignal::default(),
            active: ArcRwSignal::default(),
            control: SendWrapper::new(Rc::default()),
            saved_at: SendWrapper::new(Rc::default()),
        }
    }
}

fn storage_key(session: &Session) -> String {
    if session.demo {
        "machines.demo".into()
    } else {
        format!("machines.tenant.{}", session.tenant_id.to_ascii_lowercase())
    }
}

impl MachineRun {
    /// The run, read from sessionStorage the first time (after a reload: rows that were
    /// waiting or running did not finish).
    pub fn record(&self, session: &Session) -> RwSignal<Option<MachineRecord>> {
        if self.record.with_untracked(Option::is_none) && self.active.get_untracked() == 0 {
            if let Some(kept) = Store::Session.get::<MachineRecord>(&storage_key(session)) {
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

    pub fn start(&self, session: &Session, record: MachineRecord) {
        let items = record.plan.changing().cloned().collect();
        self.record.set(Some(record));
        self.save(session);
        self.run(session, items);
    }

    /// Retry (one, or all failed) and Continue: each machine is read afresh first, so nothing
    /// done is written twice.
    pub fn again(&self, session: &Session, ids: Vec<String>) {
        let mut items = Vec::new();
        self.record.update(|r| {
            if let Some(r) = r {
                items = r.requeue(&ids);
            }
        });
        self.save(session);
        self.run(session, items);
    }

    pub fn clear(&self, session: &Session) {
        self.record.set(None);
        Store::Session.remove(&storage_key(session));
    }

    fn run(&self, session: &Session, items: Vec<mde_core::deployment::actions::MachineItem>) {
        if self.active.get_untracked() == 0 {
            self.control.reset();
        }
        self.active.update(|n| *n += 1);
        let (runner, session) = (self.clone(), session.clone());
        spawn_local(async move {
            let control = runner.control();
            let limits = Limits::default();
            run::apply(&session.client, items, session.concurrency, &control, &limits, |event| {
                runner.take(&session, &event)
            })
            .await;
            runner.save(&session);
            runner.active.update(|n| *n -= 1);
        });
    }

    fn take(&self, session: &Session, event: &MachineEvent) {
        self.record.update(|r| {
            if let Some(r) = r {
                r.apply(event);
            }
        });
        if now_ms().saturating_sub(self.saved_at.get()) >= SAVE_EVERY_MS {
            self.save(session);
        }
        if let MachineEvent::Finished(id, finished) = event {
            self.log(session, id);
            if let Some(read) = &finished.read_back {
                show_on_row(session.machines.signal(), id, read);
            }
        }
    }

    fn log(&self, session: &Session, machine_id: &str) {
        let time = mde_core::time::iso_utc(now_ms());
        let entry = self.record.with_untracked(|r| {
            let r = r.as_ref()?;
            let subscription_id = r.rows.iter().find(|row| row.machine_id == machine_id)?.subscription_id.clone();
            let name = session.overview.signal().with_untracked(|k| {
                k.model
                    .row(&subscription_id)
                    .map(|row| row.subscription.display_name.clone())
                    .unwrap_or(subscription_id)
            });
            let at = audit::Context {
                time: &time,
                tenant_id: &session.tenant_id,
                user: &session.user,
                subscription_name: &name,
                arm_url: session.client.arm_url(),
            };
            r.audit(machine_id, &at)
        });
        if let Some(entry) = entry {
            audit_log::append_all(session, vec![entry]);
        }
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

/// The machine's row takes what ARM read back: its tags, or its extension (gone, or its state).
fn show_on_row(kept: RwSignal<Kept>, machine_id: &str, read: &ReadBack) {
    kept.update(|k| {
        let Some(row) = k.table.row_of(machine_id) else { return };
        let mut machine = k.table.machine(row).clone();
        match read {
            ReadBack::Tags(tags) => machine.tags = tags.clone(),
            ReadBack::Extension(None) => machine.extension = None,
            ReadBack::Extension(Some(state)) => {
                let name = machine.extension.as_ref().map(|e| e.name.clone()).unwrap_or_default();
                let message = machine.extension.as_ref().and_then(|e| e.message.clone());
                machine.extension = Some(MdeExtension { name, provisioning_state: state.clone(), message });
            }
        }
        let context = k.table.context(&machine.subscription_id).cloned().unwrap_or_default();
        k.table.extend(vec![machine], |_| context.clone());
        k.version += 1;
    });
}

//! The machine run of the session (the tag, removing the extension): it goes on while the user
//! looks at other pages, keeps its record in sessionStorage (a reload loses nothing), logs every
//! write in the audit log, and puts what it read back on the machine's row.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use mde_core::audit;
use mde_core::deployment::actions::record::MachineRecord;
use mde_core::deployment::actions::run::{self, Control, MachineEvent, ReadBack};
use mde_core::deployment::actions::MachineItem;
use mde_core::deployment::MdeExtension;
use mde_core::lro::Limits;

use super::store::Kept;
use crate::audit_log;
use crate::browser::now_ms;
use crate::components::run::RunStore;
use crate::session::Session;

#[derive(Clone, Default)]
pub struct MachineRun {
    run: RunStore<MachineRecord>,
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
        self.run.record(&storage_key(session), MachineRecord::after_reload)
    }

    pub fn active(&self) -> Signal<bool> {
        self.run.active()
    }

    pub fn control(&self) -> Rc<Control> {
        self.run.control()
    }

    pub fn start(&self, session: &Session, record: MachineRecord) {
        let items = record.plan.changing().cloned().collect();
        self.run.record.set(Some(record));
        self.run.save(&storage_key(session));
        self.execute(session, items);
    }

    /// Retry (one, or all failed) and Continue: each machine is read afresh first, so nothing
    /// done is written twice.
    pub fn again(&self, session: &Session, ids: Vec<String>) {
        let mut items = Vec::new();
        self.run.update(&storage_key(session), |r| items = r.requeue(&ids));
        self.run.save(&storage_key(session));
        self.execute(session, items);
    }

    pub fn clear(&self, session: &Session) {
        self.run.clear(&storage_key(session));
    }

    fn execute(&self, session: &Session, items: Vec<MachineItem>) {
        self.run.begin();
        let (runner, session) = (self.clone(), session.clone());
        spawn_local(async move {
            let control = runner.control();
            let limits = Limits::default();
            run::apply(&session.client, items, session.concurrency, &control, &limits, |event| {
                runner.take(&session, &event)
            })
            .await;
            runner.run.end(&storage_key(&session));
        });
    }

    fn take(&self, session: &Session, event: &MachineEvent) {
        self.run.update(&storage_key(session), |r| {
            r.apply(event);
        });
        if let MachineEvent::Finished(id, finished) = event {
            self.log(session, id);
            if let Some(read) = &finished.read_back {
                show_on_row(session.machines.signal(), id, read);
            }
        }
    }

    fn log(&self, session: &Session, machine_id: &str) {
        let time = mde_core::time::iso_utc(now_ms());
        let entry = self.run.record.with_untracked(|r| {
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

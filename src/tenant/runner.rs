//! A run of the session, for any kind of write (`mde_core::run::Kind`): it goes on while the
//! user looks at other pages, keeps its record in sessionStorage (a reload loses nothing), logs
//! every write in the audit log, and hands what it read back to the tenant's stores.

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use mde_core::audit;
use mde_core::run::{self, Control, Event, Kind, Record, Work};
use send_wrapper::SendWrapper;

use crate::audit_log;
use crate::browser::now_ms;
use crate::browser::storage::Store;
use crate::session::Session;

/// The record is saved at most this often while a run goes on (and when it ends): saving a
/// large run on every answer cost seconds of main thread. A reload in between loses nothing:
/// rows not yet saved as finished are "not finished", and Continue reads them again.
const SAVE_EVERY_MS: u64 = 250;

/// What the tenant's stores take from a finished item: the overview's row of a subscription,
/// the machines table's row of a machine.
pub trait ReadBackInto: Kind + 'static {
    fn show(session: &Session, target: &str, finished: &Self::Finished);
}

/// A run's record (`None`: no run yet), its executions in flight, and its kind.
pub struct Runner<K: Kind + 'static> {
    /// The record's key in storage: the kind's name, or another for a second runner of a kind.
    name: &'static str,
    record: ArcRwSignal<Option<Record<K>>>,
    active: ArcRwSignal<usize>,
    /// Why a record kept in this tab was set aside (another version's, or unreadable).
    set_aside: ArcRwSignal<Option<String>>,
    loaded: SendWrapper<Rc<Cell<bool>>>,
    control: SendWrapper<Rc<Control>>,
    saved_at: SendWrapper<Rc<Cell<u64>>>,
    kind: SendWrapper<Rc<K>>,
}

impl<K: Kind> Clone for Runner<K> {
    fn clone(&self) -> Self {
        Runner {
            name: self.name,
            record: self.record.clone(),
            active: self.active.clone(),
            set_aside: self.set_aside.clone(),
            loaded: self.loaded.clone(),
            control: self.control.clone(),
            saved_at: self.saved_at.clone(),
            kind: self.kind.clone(),
        }
    }
}

impl<K: ReadBackInto> Runner<K> {
    /// `name`: the record's key in storage (`bulk`, `subscription`, `machines`).
    pub fn new(name: &'static str, kind: K) -> Self {
        Runner {
            name,
            record: ArcRwSignal::default(),
            active: ArcRwSignal::default(),
            set_aside: ArcRwSignal::default(),
            loaded: SendWrapper::new(Rc::default()),
            control: SendWrapper::new(Rc::default()),
            saved_at: SendWrapper::new(Rc::default()),
            kind: SendWrapper::new(Rc::new(kind)),
        }
    }

    /// The run, read from sessionStorage the first time (after a reload: rows that were
    /// waiting or running did not finish). A record this build cannot read is set aside under
    /// its own key, and [`Runner::set_aside`] says why.
    pub fn record(&self, session: &Session) -> RwSignal<Option<Record<K>>> {
        if !self.loaded.replace(true) && self.record.with_untracked(Option::is_none) {
            let key = self.storage_key(session);
            if let Some(text) = Store::Session.get_text(&key) {
                match Record::<K>::restore(&text) {
                    Ok(record) => self.record.set(Some(record)),
                    Err(why) => {
                        Store::Session.set_text(&format!("{key}.set-aside"), &text);
                        Store::Session.remove(&key);
                        self.set_aside.set(Some(format!(
                            "The run kept in this tab was set aside: {why}. Its writes are in the audit log; plan the change again to see where each one is now."
                        )));
                    }
                }
            }
        }
        self.record.clone().into()
    }

    pub fn set_aside(&self) -> Signal<Option<String>> {
        self.set_aside.clone().into()
    }

    pub fn active(&self) -> Signal<bool> {
        let active = self.active.clone();
        Signal::derive(move || active.get() > 0)
    }

    pub fn control(&self) -> Rc<Control> {
        Rc::clone(&self.control)
    }

    fn storage_key(&self, session: &Session) -> String {
        if session.demo {
            format!("{}.demo", self.name)
        } else {
            format!("{}.tenant.{}", self.name, session.tenant_id.to_ascii_lowercase())
        }
    }

    /// Starts the plan's writes.
    pub fn start(&self, session: &Session, plan: K::Plan) {
        let record = Record::<K>::new(plan);
        let work = record.work();
        self.record.set(Some(record));
        self.save(session);
        self.execute(session, work);
    }

    /// Sends rows again (Retry, Retry all failed, Continue): each is read afresh and gets only
    /// the writes it still lacks.
    pub fn again(&self, session: &Session, targets: Vec<String>) {
        let mut work = Vec::new();
        self.record.update(|r| {
            if let Some(r) = r {
                work = r.requeue(&targets);
            }
        });
        self.save(session);
        self.execute(session, work);
    }

    /// Forgets the run (a new plan follows).
    pub fn clear(&self, session: &Session) {
        self.record.set(None);
        self.set_aside.set(None);
        Store::Session.remove(&self.storage_key(session));
    }

    fn execute(&self, session: &Session, work: Vec<Work<K::Item>>) {
        let Some(plan) = self.record.with_untracked(|r| r.as_ref().map(|r| r.plan.clone())) else { return };
        if self.active.get_untracked() == 0 {
            self.control.reset();
        }
        self.active.update(|n| *n += 1);
        let (runner, session) = (self.clone(), session.clone());
        spawn_local(async move {
            let control = runner.control();
            run::apply(&**runner.kind, &session.client, &plan, work, session.concurrency, &control, |event| {
                runner.take(&session, event)
            })
            .await;
            runner.save(&session);
            runner.active.update(|n| *n -= 1);
        });
    }

    fn take(&self, session: &Session, event: Event<K::Finished>) {
        let mut audited = Vec::new();
        self.record.update(|r| {
            let Some(r) = r else { return };
            let row = r.apply(&event);
            if let Event::Finished(target, finished) = &event {
                if let (Some(item), Some(row)) = (r.item(target), row.map(|i| &r.rows[i])) {
                    // A subscription's own row names it, when the overview has not listed it.
                    let named = (row.target == row.subscription_id).then(|| row.name.clone());
                    audited = K::audited(item, finished).into_iter().map(|a| (a, named.clone())).collect();
                }
            }
        });
        if let Event::Finished(target, finished) = &event {
            self.log(session, audited);
            K::show(session, target, finished);
        }
        if now_ms().saturating_sub(self.saved_at.get()) >= SAVE_EVERY_MS {
            self.save(session);
        }
    }

    /// One audit entry per write sent, with its subscription's name: as the overview lists it,
    /// else as the run's row has it, else its id.
    fn log(&self, session: &Session, audited: Vec<(run::Audited, Option<String>)>) {
        if audited.is_empty() {
            return;
        }
        let time = mde_core::time::iso_utc(now_ms());
        let entries = audited.iter().map(|(write, named)| {
            let listed = session.overview.subscription_name(&write.subscription_id);
            let name = match (listed.is_empty(), named) {
                (false, _) => listed,
                (true, Some(named)) => named.clone(),
                (true, None) => write.subscription_id.clone(),
            };
            let at = audit::Context {
                time: &time,
                tenant_id: &session.tenant_id,
                user: &session.user,
                subscription_name: &name,
                arm_url: session.client.arm_url(),
            };
            write.entry(&at)
        });
        audit_log::append_all(session, entries.collect());
    }

    fn save(&self, session: &Session) {
        self.saved_at.set(now_ms());
        self.record.with_untracked(|r| {
            if let Some(r) = r {
                Store::Session.set_text(&self.storage_key(session), &r.stored());
            }
        });
    }
}

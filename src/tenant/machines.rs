//! The machines kept in the tenant session: coming back to the page shows them at once, and
//! Refresh loads them again. Pages of machines are taken in at most ten times a second (the
//! ARM fallback answers per subscription, which for thousands of subscriptions would otherwise
//! re-filter the table on every answer).

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::rc::Rc;
use std::time::Duration;

use futures::future::{AbortHandle, Abortable};
use leptos::prelude::*;
use leptos::task::spawn_local;
use mde_core::deployment::load::{self, LoadEvent, Source};
use mde_core::deployment::table::{SubscriptionContext, Table};
use mde_core::error::ArmFailure;
use mde_core::overview::Overview;

use crate::browser::now_ms;
use crate::session::Client;

/// How far the load has come.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Progress {
    /// Nothing asked yet (the subscriptions are still being listed).
    #[default]
    Waiting,
    Loading,
    Done {
        source: Source,
        at: u64,
    },
    Failed(ArmFailure),
}

/// What the session keeps of the machines.
#[derive(Default)]
pub struct Kept {
    pub table: Table,
    /// Bumped by every load and every page taken in: keys of rendered rows and memos follow it.
    pub version: u32,
    /// Bumped by every load (the table starts empty): row numbers of an earlier load mean
    /// nothing in this one.
    pub generation: u32,
    pub progress: Progress,
    /// Resource Graph refused: the machines come from ARM, and this says why.
    pub fell_back: Option<ArmFailure>,
    /// Subscriptions whose machines could not be listed (on the ARM path), with ARM's reason.
    pub unlisted: Vec<(String, ArmFailure)>,
}

/// The session's machines and the machines selected for a change (by ARM id: the selection
/// outlives filters, sorting and Refresh).
#[derive(Clone, Default)]
pub struct MachinesStore {
    kept: ArcRwSignal<Kept>,
    selected: ArcRwSignal<BTreeSet<String>>,
}

/// What the table needs to know of each subscription: its name and, once the overview has
/// read them, its plan and integration parts.
pub fn context_of(overview: &Overview) -> impl Fn(&str) -> SubscriptionContext + '_ {
    move |subscription_id: &str| {
        let row = overview.row(subscription_id);
        SubscriptionContext {
            name: row.map_or_else(|| subscription_id.to_string(), |r| r.subscription.display_name.clone()),
            facts: row.map(|r| mde_core::deployment::readiness::SubscriptionFacts {
                plan: r.plan.ready().copied(),
                parts: r.parts.ready().copied(),
            }),
        }
    }
}

impl MachinesStore {
    pub fn signal(&self) -> RwSignal<Kept> {
        self.kept.clone().into()
    }

    pub fn selection(&self) -> RwSignal<BTreeSet<String>> {
        self.selected.clone().into()
    }

    /// Whether the page must load (nothing loaded yet, or the last load was cut short).
    pub fn needs_loading(&self) -> bool {
        self.kept.with_untracked(|k| !matches!(k.progress, Progress::Done { .. } | Progress::Loading))
    }

    /// The overview read more of the subscriptions (names, plans, settings): the rows of each
    /// subscription whose facts changed derive their plan, integration and readiness again.
    pub fn follow_overview(&self, overview: &Overview) {
        let context = context_of(overview);
        let changed: Vec<(String, SubscriptionContext)> = self.kept.with_untracked(|k| {
            overview
                .rows
                .iter()
                .map(|r| &r.subscription.subscription_id)
                .filter_map(|id| {
                    let now = context(id);
                    (k.table.context(id) != Some(&now)).then(|| (id.clone(), now))
                })
                .collect()
        });
        if !changed.is_empty() {
            self.kept.update(|k| {
                for (id, now) in changed {
                    k.table.refresh_context(&id, now);
                }
                k.version += 1;
            });
        }
    }

    /// Loads every machine of `subscriptions` from scratch; `overview` names them and gives
    /// their facts. The handle stops the load.
    pub fn load(
        &self,
        client: Client,
        concurrency: usize,
        subscriptions: Vec<String>,
        overview: RwSignal<super::overview::Kept>,
    ) -> AbortHandle {
        self.kept.update(|k| {
            *k = Kept {
                version: k.version + 1,
                generation: k.generation + 1,
                progress: Progress::Loading,
                ..Kept::default()
            };
        });
        let batches = Rc::new(Batches {
            store: self.kept.clone(),
            overview,
            events: RefCell::default(),
            scheduled: Cell::new(false),
            applied_at: Cell::new(0),
        });
        let (handle, registration) = AbortHandle::new_pair();
        let kept = self.kept.clone();
        spawn_local(async move {
            let loading = load::load(&client, &subscriptions, concurrency, |event| batches.push(event));
            if Abortable::new(loading, registration).await.is_err() {
                // Left the page mid-way: coming back loads again.
                kept.try_update(|k| k.progress = Progress::Waiting);
            }
        });
        handle
    }
}

/// At most this often the page takes in what arrived.
const APPLY_EVERY_MS: u64 = 100;

/// Load events waiting for the next frame.
struct Batches {
    store: ArcRwSignal<Kept>,
    overview: RwSignal<super::overview::Kept>,
    events: RefCell<Vec<LoadEvent>>,
    scheduled: Cell<bool>,
    applied_at: Cell<u64>,
}

impl Batches {
    fn push(self: &Rc<Self>, event: LoadEvent) {
        self.events.borrow_mut().push(event);
        if self.scheduled.replace(true) {
            return;
        }
        let batches = self.clone();
        let next_frame = move || request_animation_frame(move || batches.apply());
        match (self.applied_at.get() + APPLY_EVERY_MS).checked_sub(now_ms()) {
            Some(wait) if wait > 0 => set_timeout(next_frame, Duration::from_millis(wait)),
            _ => next_frame(),
        }
    }

    fn apply(&self) {
        self.scheduled.set(false);
        self.applied_at.set(now_ms());
        let mut events = self.events.take();
        let overview = self.overview;
        self.store.try_update(|k| {
            let mut apply = |context: &dyn Fn(&str) -> SubscriptionContext| {
                for event in events.drain(..) {
                    match event {
                        // A machine sent again (with its extension's reason) replaces its row.
                        LoadEvent::Machines(machines) | LoadEvent::Updated(machines) => {
                            k.table.extend(machines, context)
                        }
                        LoadEvent::FellBack { why } => k.fell_back = Some(why),
                        LoadEvent::SubscriptionFailed { subscription_id, why } => {
                            k.unlisted.push((subscription_id, why))
                        }
                        LoadEvent::Done { source } => k.progress = Progress::Done { source, at: now_ms() },
                        LoadEvent::Failed(why) => k.progress = Progress::Failed(why),
                    }
                }
            };
            // The page that started the load may be gone, and its handle on the overview with it
            // (a frame already scheduled): the rows still go in, and take the overview's facts
            // when the page is back (`follow_overview`).
            if overview.try_with_untracked(|o| apply(&context_of(&o.model))).is_none() {
                apply(&context_of(&Overview::default()));
            }
            k.version += 1;
        });
    }
}

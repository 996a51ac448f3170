//! The overview kept in the tenant session: coming back from a subscription shows it at once,
//! and Refresh loads it again. Answers are taken in together in an animation frame, at most ten
//! times a second, however many arrived in between: a tenant of thousands of subscriptions
//! updates the page a few times a second rather than once per answer.

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::rc::Rc;
use std::time::Duration;

use futures::future::{AbortHandle, Abortable};
use leptos::prelude::*;
use leptos::task::spawn_local;
use mde_core::arm::settings::{Setting, SettingProperties, WDATP, WDATP_EXCLUDE_LINUX, WDATP_UNIFIED_SOLUTION};
use mde_core::bulk::run::ReadBack;
use mde_core::connectors::{self, Connectors, ConnectorsRead};
use mde_core::overview::{self, Overview, OverviewEvent};
use mde_core::status::ServersPlan;

use crate::browser::now_ms;
use crate::session::Client;

/// What the session keeps of the overview.
#[derive(Default)]
pub struct Kept {
    pub model: Overview,
    /// Bumped by every load, so that rows of an earlier load are not mistaken for its rows.
    pub generation: u32,
    /// When the last load finished (ms since the epoch). `None` while one runs, and when one
    /// was cut short by leaving the page: coming back then loads again.
    pub loaded_at: Option<u64>,
    /// A load is under way (another page may have started it and still be waiting on it).
    pub loading: bool,
}

/// The session's overview, shared by every visit to the page, and the subscriptions selected
/// for a bulk change (by id: the selection outlives filters, sorting and Refresh).
#[derive(Clone, Default)]
pub struct OverviewStore {
    kept: ArcRwSignal<Kept>,
    selected: ArcRwSignal<BTreeSet<String>>,
    /// The load under way: a new load (Refresh, or the overview page after another page
    /// started one) stops it, so that one load at a time sends requests.
    running: std::sync::Arc<std::sync::Mutex<Option<AbortHandle>>>,
    /// The connected AWS accounts and GCP projects, read once the rows are in.
    connectors: ArcRwSignal<Connectors>,
    /// Their read: stopped by the next load, not by leaving the page (the rows are kept, and
    /// so must they be).
    connectors_running: std::sync::Arc<std::sync::Mutex<Option<AbortHandle>>>,
}

/// Connector answers are shown this many at a time: a tenant of thousands of subscriptions
/// would otherwise redraw the section once per subscription.
const CONNECTORS_BATCH: usize = 25;

impl OverviewStore {
    /// A handle for the current page's views.
    pub fn signal(&self) -> RwSignal<Kept> {
        self.kept.clone().into()
    }

    pub fn connectors(&self) -> RwSignal<Connectors> {
        self.connectors.clone().into()
    }

    pub fn selection(&self) -> RwSignal<BTreeSet<String>> {
        self.selected.clone().into()
    }

    /// What a run read back of a subscription, shown on its row.
    pub fn read_back_parts(&self, subscription_id: &str, read: &ReadBack) {
        let setting =
            |name: &str, enabled| Setting { name: name.into(), kind: None, properties: SettingProperties { enabled } };
        let settings = vec![
            setting(WDATP, read.parts.integration),
            setting(WDATP_EXCLUDE_LINUX, !read.parts.linux),
            setting(WDATP_UNIFIED_SOLUTION, read.parts.unified),
        ];
        self.read_back(subscription_id, settings, read.plan);
    }

    /// Whether the page must load (the session has no finished overview).
    pub fn needs_loading(&self) -> bool {
        self.kept.with_untracked(|k| k.loaded_at.is_none())
    }

    /// What a subscription page read: its row in the overview shows it when the user comes back.
    pub fn read_back(&self, subscription_id: &str, settings: Vec<Setting>, plan: ServersPlan) {
        let id = subscription_id.to_string();
        self.kept.update(|k| {
            k.model.apply(OverviewEvent::Settings { subscription_id: id.clone(), result: Ok(settings) });
            k.model.apply(OverviewEvent::Plan { subscription_id: id, result: Ok(plan) });
        });
    }

    /// The subscription's name as the overview has it ("" while it is not listed).
    pub fn subscription_name(&self, subscription_id: &str) -> String {
        self.kept.with_untracked(|k| {
            k.model.row(subscription_id).map(|row| row.subscription.display_name.clone()).unwrap_or_default()
        })
    }

    /// Loads the overview from scratch. After each frame's answers are applied, `on_frame` gets
    /// the model and the rows they changed. The handle stops the load (leaving the page).
    pub fn load(
        &self,
        client: Client,
        concurrency: usize,
        on_frame: impl Fn(&Overview, &[usize]) + 'static,
    ) -> AbortHandle {
        if let Some(earlier) = self.running.lock().expect("not poisoned").take() {
            earlier.abort();
        }
        let mut generation = 0;
        self.kept.update(|k| {
            *k = Kept { generation: k.generation + 1, loading: true, ..Kept::default() };
            generation = k.generation;
        });
        let frames = Rc::new(Frames {
            store: self.kept.clone(),
            generation,
            answers: RefCell::default(),
            scheduled: Cell::new(false),
            started_at: now_ms(),
            applied_at: Cell::new(0),
            finished: Cell::new(false),
            on_frame: Box::new(on_frame),
        });
        let (handle, registration) = AbortHandle::new_pair();
        *self.running.lock().expect("not poisoned") = Some(handle.clone());
        if let Some(earlier) = self.connectors_running.lock().expect("not poisoned").take() {
            earlier.abort();
        }
        self.connectors.set(Connectors::default());
        let (shown, connectors_running) = (self.connectors.clone(), self.connectors_running.clone());
        spawn_local(async move {
            let ids = RefCell::new(Vec::new());
            let loading = overview::load(&client, concurrency, |event| {
                if let OverviewEvent::Listed { subscriptions, .. } = &event {
                    ids.borrow_mut().extend(subscriptions.iter().map(|s| s.subscription_id.clone()));
                }
                frames.push(event)
            });
            if Abortable::new(loading, registration).await.is_ok() {
                frames.finished.set(true);
                frames.schedule();
                // Then the connectors: the rows never wait for them.
                let (handle, registration) = AbortHandle::new_pair();
                *connectors_running.lock().expect("not poisoned") = Some(handle);
                let _ = Abortable::new(read_connectors(client, concurrency, ids.take(), shown), registration).await;
            } else {
                frames.store.try_update(|k| {
                    if k.generation == frames.generation {
                        k.loading = false;
                    }
                });
            }
        });
        handle
    }
}

/// Reads every subscription's connectors into `shown`, a batch at a time.
async fn read_connectors(client: Client, concurrency: usize, ids: Vec<String>, shown: ArcRwSignal<Connectors>) {
    shown.update(|c| c.expect(&ids));
    let batch = RefCell::new(Vec::<ConnectorsRead>::new());
    let flush = || {
        let reads = batch.take();
        shown.update(|c| reads.into_iter().for_each(|read| c.apply(read)));
    };
    connectors::load(&client, ids, concurrency, |read| {
        batch.borrow_mut().push(read);
        if batch.borrow().len() >= CONNECTORS_BATCH {
            flush();
        }
    })
    .await;
    flush();
}

/// How often the page takes in the answers that arrived (in an animation frame): a tenth of the
/// time the load has run, between these bounds. The first rows show at once and the first
/// second redraws ten times; a load of minutes redraws once a second. Every frame recounts and
/// redraws the rows in view, and a long load's answers arrive for a minute or more: at a fixed
/// ten frames a second, frames alone would cost the main thread seconds.
const APPLY_EVERY_MS: std::ops::RangeInclusive<u64> = 100..=1_000;

fn apply_every_ms(loading_for_ms: u64) -> u64 {
    (loading_for_ms / 10).clamp(*APPLY_EVERY_MS.start(), *APPLY_EVERY_MS.end())
}

/// What the page does with each frame's answers: the model, and the rows they changed.
type OnFrame = Box<dyn Fn(&Overview, &[usize])>;

/// Answers waiting for the next frame.
struct Frames {
    store: ArcRwSignal<Kept>,
    generation: u32,
    answers: RefCell<Vec<OverviewEvent>>,
    scheduled: Cell<bool>,
    started_at: u64,
    applied_at: Cell<u64>,
    /// The load has returned: the next frame marks the overview loaded.
    finished: Cell<bool>,
    on_frame: OnFrame,
}

impl Frames {
    fn push(self: &Rc<Self>, event: OverviewEvent) {
        self.answers.borrow_mut().push(event);
        self.schedule();
    }

    /// The next frame, once [`apply_every_ms`] have passed since the last one applied answers;
    /// the load's end shows at once (in a frame of its own if one is already waiting: the
    /// waiting one then finds nothing new).
    fn schedule(self: &Rc<Self>) {
        let finished = self.finished.get();
        if self.scheduled.replace(true) && !finished {
            return;
        }
        let frames = self.clone();
        let next_frame = move || request_animation_frame(move || frames.apply());
        let now = now_ms();
        let every = if finished { 0 } else { apply_every_ms(now.saturating_sub(self.started_at)) };
        match (self.applied_at.get() + every).checked_sub(now) {
            Some(wait) if wait > 0 => set_timeout(next_frame, Duration::from_millis(wait)),
            _ => next_frame(),
        }
    }

    fn apply(&self) {
        self.scheduled.set(false);
        self.applied_at.set(now_ms());
        let answers = self.answers.take();
        if self.store.with_untracked(|k| k.generation) != self.generation {
            return; // Refresh started another load.
        }
        let mut changed = Vec::new();
        self.store.update(|k| {
            for answer in answers {
                k.model.apply(answer);
            }
            changed = k.model.take_changed();
            if self.finished.get() {
                k.loaded_at = Some(now_ms());
                k.loading = false;
            }
        });
        self.store.with_untracked(|k| (self.on_frame)(&k.model, &changed));
    }
}

/// "Loaded 2 min ago", from the time since the load finished.
pub fn loaded_ago(elapsed_ms: u64) -> String {
    match elapsed_ms / 60_000 {
        0 => "Loaded just now".into(),
        minutes @ 1..=59 => format!("Loaded {minutes} min ago"),
        minutes => format!("Loaded {} h ago", minutes / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mde_core::arm::subscriptions::Subscription;
    use mde_core::overview::Load;
    use mde_core::status::IntegrationParts;

    #[test]
    fn a_change_shows_in_the_row_as_azure_read_it_back() {
        let store = OverviewStore::default();
        let subscription = Subscription {
            subscription_id: "S1".into(),
            display_name: "One".into(),
            tenant_id: None,
            state: "Enabled".into(),
        };
        store.kept.update(|k| k.model.apply(OverviewEvent::Listed { subscriptions: vec![subscription], more: false }));
        let row = |store: &OverviewStore| {
            store.kept.with_untracked(|k| (k.model.rows[0].parts.clone(), k.model.rows[0].plan.clone()))
        };
        let parts = IntegrationParts { integration: true, linux: false, unified: true };
        store.read_back_parts("s1", &ReadBack { parts, plan: ServersPlan::P1 });
        assert_eq!(row(&store), (Load::Ready(parts), Load::Ready(ServersPlan::P1)));
        assert_eq!(store.subscription_name("s1"), "One");
        assert_eq!(store.subscription_name("s2"), "");
    }

    #[test]
    fn a_long_load_redraws_less_often() {
        // Ten times a second at first, once a second after ten seconds.
        assert_eq!(apply_every_ms(0), 100);
        assert_eq!(apply_every_ms(1_500), 150);
        assert_eq!(apply_every_ms(5_000), 500);
        assert_eq!(apply_every_ms(60_000), 1_000);
    }

    #[test]
    fn how_long_ago_in_words() {
        for (ms, text) in [
            (0, "Loaded just now"),
            (59_999, "Loaded just now"),
            (60_000, "Loaded 1 min ago"),
            (150_000, "Loaded 2 min ago"),
            (3_599_999, "Loaded 59 min ago"),
            (3_600_000, "Loaded 1 h ago"),
            (9_000_000, "Loaded 2 h ago"),
        ] {
            assert_eq!(loaded_ago(ms), text, "{ms} ms");
        }
    }
}

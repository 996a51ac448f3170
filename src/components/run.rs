//! What a bulk run and a machine run share: the record kept in the session and in
//! sessionStorage (a reload loses nothing), how many executions are in flight, Pause / Cancel,
//! and the progress bar with its buttons.

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use mde_core::bulk::record::Progress;
use mde_core::bulk::run::Control;
use send_wrapper::SendWrapper;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::browser::now_ms;
use crate::browser::storage::Store;
use crate::pages::bulk::counted;

/// The record is saved at most this often while a run goes on (and when it ends): saving a
/// large run on every answer cost seconds of main thread. A reload in between loses nothing:
/// rows not yet saved as finished are "not finished", and Continue reads them again.
const SAVE_EVERY_MS: u64 = 250;

/// A run's record (`None`: no run yet) and its executions in flight, kept under `key` in
/// sessionStorage.
pub struct RunStore<R: Send + Sync + 'static> {
    pub record: ArcRwSignal<Option<R>>,
    active: ArcRwSignal<usize>,
    control: SendWrapper<Rc<Control>>,
    saved_at: SendWrapper<Rc<Cell<u64>>>,
}

impl<R: Send + Sync + 'static> Clone for RunStore<R> {
    fn clone(&self) -> Self {
        RunStore {
            record: self.record.clone(),
            active: self.active.clone(),
            control: self.control.clone(),
            saved_at: self.saved_at.clone(),
        }
    }
}

impl<R: Send + Sync + 'static> Default for RunStore<R> {
    fn default() -> Self {
        RunStore {
            record: ArcRwSignal::default(),
            active: ArcRwSignal::default(),
            control: SendWrapper::new(Rc::default()),
            saved_at: SendWrapper::new(Rc::default()),
        }
    }
}

impl<R: Serialize + DeserializeOwned + Send + Sync + 'static> RunStore<R> {
    /// The run, read from sessionStorage the first time; `after_reload` marks what was waiting
    /// or running as not finished.
    pub fn record(&self, key: &str, after_reload: fn(R) -> R) -> RwSignal<Option<R>> {
        if self.record.with_untracked(Option::is_none) && self.active.get_untracked() == 0 {
            if let Some(kept) = Store::Session.get::<R>(key) {
                self.record.set(Some(after_reload(kept)));
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

    /// An execution starts (a new run, Retry or Continue); Pause and Cancel start afresh when
    /// none was running.
    pub fn begin(&self) {
        if self.active.get_untracked() == 0 {
            self.control.reset();
        }
        self.active.update(|n| *n += 1);
    }

    /// An execution ended: the record is saved.
    pub fn end(&self, key: &str) {
        self.save(key);
        self.active.update(|n| *n -= 1);
    }

    /// Takes an event into the record; saved when the last save is old enough.
    pub fn update(&self, key: &str, change: impl FnOnce(&mut R)) {
        self.record.update(|r| {
            if let Some(r) = r {
                change(r);
            }
        });
        if now_ms().saturating_sub(self.saved_at.get()) >= SAVE_EVERY_MS {
            self.save(key);
        }
    }

    pub fn save(&self, key: &str) {
        self.saved_at.set(now_ms());
        self.record.with_untracked(|r| {
            if let Some(r) = r {
                Store::Session.set(key, r);
            }
        });
    }

    /// Forgets the run (a new plan follows).
    pub fn clear(&self, key: &str) {
        self.record.set(None);
        Store::Session.remove(key);
    }
}

/// The progress bar and what can be done to a run: Pause / Resume and Cancel while it runs,
/// Retry all failed, Continue after a reload, and the results' exports. `unit` names what the
/// rows are (`("subscription", "subscriptions")`).
#[component]
pub fn RunControls(
    progress: Memo<Progress>,
    active: Signal<bool>,
    control: Rc<Control>,
    failed: Signal<Vec<String>>,
    not_finished: Signal<Vec<String>>,
    again: Callback<Vec<String>>,
    unit: (&'static str, &'static str),
    export: Callback<&'static str>,
    /// After the buttons: the page's way on (a new plan, back to the list).
    children: Children,
) -> impl IntoView {
    let paused = RwSignal::new(control.is_paused());
    let control = SendWrapper::new(control);
    let (pause, cancel) = (control.clone(), control);
    view! {
        <div class="run-progress">
            <progress aria-label=format!("{} settled", capitalised(unit.1)) max=move || progress.get().total() value=move || progress.get().settled()></progress>
            <p role="status" class="summary">{move || {
                let p = progress.get();
                let mut text = format!("{} done · {} failed · {} skipped · {} waiting", p.done, p.failed, p.skipped, p.waiting + p.running);
                if p.running > 0 { text.push_str(&format!(" ({} running)", p.running)); }
                if p.not_finished > 0 { text.push_str(&format!(" · {} not finished", p.not_finished)); }
                if active.get() && paused.get() { text.push_str(" — paused"); }
                text
            }}</p>
        </div>
        <p class="actions">
            <Show when=move || active.get()>
                <button on:click={let control = pause.clone(); move |_| {
                    let now = !paused.get_untracked();
                    control.pause(now);
                    paused.set(now);
                }}>{move || if paused.get() { "Resume" } else { "Pause" }}</button>
                <button on:click={let control = cancel.clone(); move |_| control.cancel()}>"Cancel"</button>
            </Show>
            <Show when=move || !failed.with(Vec::is_empty)>
                <button on:click=move |_| again.run(failed.get())>{move || format!("Retry all failed ({})", failed.with(Vec::len))}</button>
            </Show>
            <Show when=move || !active.get() && !not_finished.with(Vec::is_empty)>
                <button class="primary" on:click=move |_| again.run(not_finished.get())>
                    {move || format!("Continue: re-read and finish {}", counted(not_finished.with(Vec::len), unit.0, unit.1))}
                </button>
            </Show>
            <button on:click=move |_| export.run("csv")>"Export results (CSV)"</button>
            <button on:click=move |_| export.run("json")>"Export results (JSON)"</button>
            {children()}
        </p>
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

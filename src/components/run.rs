//! The plan and the run of any kind of write, as one pair of views: the plan's table (each
//! item's writes, or why it is skipped), then the run with its progress bar, Pause / Resume /
//! Cancel, a row per item with what ARM read back (never what was hoped), each failure with
//! ARM's code, message and advice, Retry for one row or all failed, Continue after a reload, and
//! the results' exports. A kind says what its columns show ([`RunRows`]).

use std::rc::Rc;

use leptos::prelude::*;
use mde_core::run::{Control, Progress, Record, Row};
use send_wrapper::SendWrapper;

use crate::browser::download;
use crate::session::Session;
use crate::tenant::{ReadBackInto, Runner};

/// What a kind's plan and run tables show.
pub trait RunRows: ReadBackInto + Sized {
    /// What the rows are: `("subscription", "subscriptions")`.
    const UNIT: (&'static str, &'static str);
    /// The columns between the item and its writes in the plan, and between the result and
    /// the problem in the run.
    const PLAN_COLUMNS: &'static [&'static str];
    const RUN_COLUMNS: &'static [&'static str];

    fn runner(session: &Session) -> Runner<Self>;
    /// The run's heading, and the results' file name without its extension.
    fn title(plan: &Self::Plan) -> String;
    fn file_stem(plan: &Self::Plan) -> String;
    /// The plan's cells of an item after its name: its writes, or why it is skipped.
    fn plan_cells(session: &Session, item: &Self::Item) -> Vec<AnyView>;
    /// The run's cells of a row between its result and its problem.
    fn run_cells(row: &Row<Self::Finished>) -> Vec<AnyView>;
}

/// "1 subscription", "3 subscriptions".
pub fn counted(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Every item of a plan: its writes in order, or why it is skipped. (Functions rather than
/// components: a component's props cannot name the kind, which only its types' owner knows.)
pub fn plan_table<K: RunRows>(plan: Memo<K::Plan>) -> impl IntoView {
    let session = expect_context::<Session>();
    let caption = format!("The plan, {} by {}", K::UNIT.0, K::UNIT.0);
    let items = move || plan.with(|p| K::items(p).to_vec()).into_iter().enumerate().collect::<Vec<_>>();
    view! {
        <table class="plan">
            <caption class="visually-hidden">{caption}</caption>
            <thead><tr>
                <th scope="col">{capitalised(K::UNIT.0)}</th>
                {K::PLAN_COLUMNS.iter().map(|c| view! { <th scope="col">{*c}</th> }).collect_view()}
            </tr></thead>
            <tbody>
                <For each=items key=|(i, item)| (*i, serde_json::to_string(item).unwrap_or_default()) children=move |(_, item)| {
                    let target = K::target(&item).to_string();
                    let subscription = K::subscription(&item).to_string();
                    let machine = (target != subscription).then(|| target.clone());
                    view! {
                        <tr data-subscription=machine.is_none().then_some(subscription) data-machine=machine.clone() class:skipped=K::skip(&item).is_some()>
                            <th scope="row">{K::name(&item).to_string()}{machine.is_none().then(|| view! { <br/><small class="id">{target.clone()}</small> })}</th>
                            {K::plan_cells(&session, &item)}
                        </tr>
                    }
                }/>
            </tbody>
        </table>
    }
}

/// The run, live. `way_on` follows the run's buttons (a new plan, back to the list); `below`
/// comes under them (the plan's exports).
pub fn run_view<K: RunRows>(
    record: RwSignal<Option<Record<K>>>,
    way_on: AnyView,
    below: Option<AnyView>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let runner = K::runner(&session);
    let progress = Memo::new(move |_| record.with(|r| r.as_ref().map(Record::progress).unwrap_or_default()));
    let title = record.with_untracked(|r| r.as_ref().map(|r| K::title(&r.plan)).unwrap_or_default());
    let again = {
        let (runner, session) = (runner.clone(), session.clone());
        Callback::new(move |ids: Vec<String>| runner.again(&session, ids))
    };
    let failed = Signal::derive(move || record.with(|r| r.as_ref().map(Record::failed).unwrap_or_default()));
    let not_finished =
        Signal::derive(move || record.with(|r| r.as_ref().map(Record::not_finished).unwrap_or_default()));
    let export = Callback::new(move |format: &'static str| {
        record.with_untracked(|r| {
            let Some(r) = r else { return };
            let file = format!("{}.{format}", K::file_stem(&r.plan));
            match format {
                "csv" => download(&file, "text/csv", &r.to_csv()),
                _ => download(&file, "application/json", &r.to_json()),
            }
        })
    });
    let rows = move || {
        record
            .with(|r| {
                r.as_ref().map(|r| r.rows.iter().map(|row| (row.target.clone(), row.version)).collect::<Vec<_>>())
            })
            .unwrap_or_default()
    };
    view! {
        <h1>{title}</h1>
        <RunControls progress=progress active=runner.active() control=runner.control() failed=failed
            not_finished=not_finished again=again unit=K::UNIT export=export>
            {way_on}
        </RunControls>
        {below}
        <table class="run">
            <caption class="visually-hidden">{format!("Each {} of the run", K::UNIT.0)}</caption>
            <thead><tr>
                <th scope="col">{capitalised(K::UNIT.0)}</th><th scope="col">"Result"</th>
                {K::RUN_COLUMNS.iter().map(|c| view! { <th scope="col">{*c}</th> }).collect_view()}
                <th scope="col">"Problem"</th>
            </tr></thead>
            <tbody>
                <For each=rows key=|key| key.clone() children=move |(target, _)| {
                    let row = record.with_untracked(|r| r.as_ref().and_then(|r| r.rows.iter().find(|row| row.target == target).cloned()));
                    row.map(|row| run_row::<K>(row, again))
                }/>
            </tbody>
        </table>
    }
}

fn run_row<K: RunRows>(row: Row<K::Finished>, retry: Callback<Vec<String>>) -> impl IntoView {
    let label = Record::<K>::label(&row);
    let failure = row.finished().and_then(K::failure).cloned();
    let problem = match (row.skip(), &failure) {
        (Some(reason), _) => Some(view! { <span>{reason.to_string()}</span> }.into_any()),
        // ARM's words (they carry its status and code), then what to do.
        (None, Some(f)) => {
            let advice = (!f.advice.is_empty()).then(|| view! { <span class="advice">{f.advice.clone()}</span> });
            Some(view! { <strong>{f.message.clone()}</strong>{advice} }.into_any())
        }
        (None, None) => None,
    };
    let target = row.target.clone();
    let machine = (row.target != row.subscription_id).then(|| row.target.clone());
    // The failure's status and code as data, for scripts and tests that read the table.
    let status = failure.as_ref().and_then(|f| f.status).map(|s| s.to_string());
    let code = failure.as_ref().map(|f| f.code.clone());
    view! {
        <tr data-subscription=(machine.is_none()).then(|| row.subscription_id.clone()) data-machine=machine
            class=format!("run-{}", label.to_ascii_lowercase().replace(' ', "-"))>
            <th scope="row">{row.name.clone()}</th>
            <td>{label}</td>
            {K::run_cells(&row)}
            <td data-status=status data-code=code>
                {problem}
                {failure.is_some().then(|| view! {
                    <button class="small retry" on:click=move |_| retry.run(vec![target.clone()])>"Retry"</button>
                })}
            </td>
        </tr>
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

/// Why the run kept in this tab was set aside, when it was.
#[component]
pub fn SetAside(why: Signal<Option<String>>) -> impl IntoView {
    move || why.get().map(|why| view! { <p class="notice" role="note">{why}</p> })
}

pub fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

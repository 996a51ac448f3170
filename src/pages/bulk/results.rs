//! The run, live: a progress bar, Pause / Resume / Cancel, a row per subscription with what
//! ARM read back (never what was hoped), each failure with ARM's code, message and advice, and
//! Retry for one row or all failed; after a reload, Continue for the rows that did not finish.

use leptos::prelude::*;
use mde_core::bulk::record::{Record, Row, RowState};

use super::{counted, Exports};
use crate::browser::download;
use crate::session::Session;

#[component]
pub fn RunView(record: RwSignal<Option<Record>>) -> impl IntoView {
    let session = expect_context::<Session>();
    let bulk = session.bulk.clone();
    let active = bulk.active();
    let paused = RwSignal::new(bulk.control().is_paused());
    let progress = Memo::new(move |_| record.with(|r| r.as_ref().map(Record::progress).unwrap_or_default()));
    let action = record.with_untracked(|r| r.as_ref().map(|r| r.plan.action.label()).unwrap_or_default());
    let stem = move || {
        let key = record.with_untracked(|r| r.as_ref().map(|r| r.plan.action.key()).unwrap_or_default());
        format!("mde-results-{key}")
    };
    let again = {
        let (bulk, session) = (bulk.clone(), session.clone());
        Callback::new(move |ids: Vec<String>| bulk.again(&session, ids))
    };
    let failed = move || record.with(|r| r.as_ref().map(Record::failed).unwrap_or_default());
    let not_finished = move || record.with(|r| r.as_ref().map(Record::not_finished).unwrap_or_default());
    let (pause_bulk, cancel_bulk, clear_bulk) = (bulk.clone(), bulk.clone(), bulk.clone());
    let clear_session = session.clone();
    let base = session.base.clone();
    let arm_url = session.client.arm_url().to_string();
    let plan = Signal::derive(move || record.with(|r| r.as_ref().map(|r| r.plan.clone())).unwrap_or_else(empty_plan));
    view! {
        <h1>{action}</h1>
        <div class="run-progress">
            <progress aria-label="Subscriptions settled" max=move || progress.get().total() value=move || progress.get().settled()></progress>
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
                <button on:click={let bulk = pause_bulk.clone(); move |_| {
                    let now = !paused.get_untracked();
                    bulk.control().pause(now);
                    paused.set(now);
                }}>{move || if paused.get() { "Resume" } else { "Pause" }}</button>
                <button on:click={let bulk = cancel_bulk.clone(); move |_| bulk.control().cancel()}>"Cancel"</button>
            </Show>
            <Show when=move || !failed().is_empty()>
                <button on:click=move |_| again.run(failed())>{move || format!("Retry all failed ({})", failed().len())}</button>
            </Show>
            <Show when=move || !active.get() && !not_finished().is_empty()>
                <button class="primary" on:click=move |_| again.run(not_finished())>
                    {move || format!("Continue: re-read and finish {}", counted(not_finished().len(), "subscription", "subscriptions"))}
                </button>
            </Show>
            <button on:click=move |_| record.with_untracked(|r| if let Some(r) = r { download(&format!("{}.csv", stem()), "text/csv", &r.to_csv()) })>"Export results (CSV)"</button>
            <button on:click=move |_| record.with_untracked(|r| if let Some(r) = r { download(&format!("{}.json", stem()), "application/json", &r.to_json()) })>"Export results (JSON)"</button>
            <Show when=move || !active.get()>
                <a class="button" href=base.clone() on:click={
                    let (bulk, session) = (clear_bulk.clone(), clear_session.clone());
                    move |_| bulk.clear(&session)
                }>"New plan"</a>
            </Show>
        </p>
        <Exports plan=plan arm_url=arm_url/>
        <table class="run">
            <caption class="visually-hidden">"Each subscription of the run"</caption>
            <thead><tr>
                <th scope="col">"Subscription"</th><th scope="col">"Result"</th>
                <th scope="col">"Reads back"</th><th scope="col">"Writes sent"</th><th scope="col">"Problem"</th>
            </tr></thead>
            <tbody>
                <For each=move || record.with(|r| r.as_ref().map(|r| r.rows.iter().map(|row| (row.subscription_id.clone(), row.version)).collect::<Vec<_>>()).unwrap_or_default())
                    key=|key| key.clone()
                    children=move |(id, _)| {
                        let row = record.with_untracked(|r| r.as_ref().and_then(|r| r.rows.iter().find(|row| row.subscription_id == id).cloned()));
                        row.map(|row| view! { <RunRow row=row retry=again/> })
                    }/>
            </tbody>
        </table>
    }
}

fn empty_plan() -> mde_core::bulk::Plan {
    mde_core::bulk::Plan { action: mde_core::bulk::Action::Fix, servers_plan: None, items: Vec::new() }
}

#[component]
fn RunRow(row: Row, retry: Callback<Vec<String>>) -> impl IntoView {
    let label = row.label();
    let read = row.read_back().map(|r| format!("{} · Defender for Servers {}", r.status().label(), r.plan.label()));
    let writes = match &row.state {
        RowState::Finished(f) => f.writes.len().to_string(),
        _ => String::new(),
    };
    let problem = match &row.state {
        RowState::Skipped(skip) => Some(view! { <span>{skip.reason.clone()}</span> }.into_any()),
        // ARM's words (they carry its status and code), then what to do.
        _ => row.failure().map(|f| {
            let advice = (!f.advice.is_empty()).then(|| view! { <span class="advice">{f.advice.clone()}</span> });
            view! { <strong>{f.message.clone()}</strong>{advice} }.into_any()
        }),
    };
    let id = row.subscription_id.clone();
    let can_retry = row.failure().is_some();
    // The failure's status and code as data, for scripts and tests that read the table.
    let status = row.failure().and_then(|f| f.status).map(|s| s.to_string());
    let code = row.failure().map(|f| f.code.clone());
    view! {
        <tr data-subscription=row.subscription_id.clone() class=format!("run-{}", label.to_ascii_lowercase().replace(' ', "-"))>
            <th scope="row">{row.name.clone()}</th>
            <td>{label}</td>
            <td>{read}</td>
            <td>{writes}</td>
            <td data-status=status data-code=code>
                {problem}
                {can_retry.then(|| view! {
                    <button class="small retry" on:click=move |_| retry.run(vec![id.clone()])>"Retry"</button>
                })}
            </td>
        </tr>
    }
}

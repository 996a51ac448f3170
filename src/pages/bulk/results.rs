//! The run, live: a progress bar, Pause / Resume / Cancel, a row per subscription with what
//! ARM read back (never what was hoped), each failure with ARM's code, message and advice, and
//! Retry for one row or all failed; after a reload, Continue for the rows that did not finish.

use leptos::prelude::*;
use mde_core::bulk::record::{Record, Row, RowState};

use super::Exports;
use crate::browser::download;
use crate::components::run::RunControls;
use crate::session::Session;

#[component]
pub fn RunView(record: RwSignal<Option<Record>>) -> impl IntoView {
    let session = expect_context::<Session>();
    let bulk = session.bulk.clone();
    let progress = Memo::new(move |_| record.with(|r| r.as_ref().map(Record::progress).unwrap_or_default()));
    let action = record.with_untracked(|r| r.as_ref().map(|r| r.plan.action.label()).unwrap_or_default());
    let again = {
        let (bulk, session) = (bulk.clone(), session.clone());
        Callback::new(move |ids: Vec<String>| bulk.again(&session, ids))
    };
    let failed = Signal::derive(move || record.with(|r| r.as_ref().map(Record::failed).unwrap_or_default()));
    let not_finished =
        Signal::derive(move || record.with(|r| r.as_ref().map(Record::not_finished).unwrap_or_default()));
    let export = Callback::new(move |format: &'static str| {
        record.with_untracked(|r| {
            let Some(r) = r else { return };
            let file = format!("mde-results-{}.{format}", r.plan.action.key());
            match format {
                "csv" => download(&file, "text/csv", &r.to_csv()),
                _ => download(&file, "application/json", &r.to_json()),
            }
        })
    });
    let active = bulk.active();
    let clear = {
        let (bulk, session) = (bulk.clone(), session.clone());
        move |_| bulk.clear(&session)
    };
    let base = session.base.clone();
    let arm_url = session.client.arm_url().to_string();
    let plan = Signal::derive(move || record.with(|r| r.as_ref().map(|r| r.plan.clone())).unwrap_or_else(empty_plan));
    view! {
        <h1>{action}</h1>
        <RunControls progress=progress active=active control=bulk.control() failed=failed not_finished=not_finished
            again=again unit=("subscription", "subscriptions") export=export>
            <Show when=move || !active.get()>
                <a class="button" href=base.clone() on:click=clear.clone()>"New plan"</a>
            </Show>
        </RunControls>
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

//! A change to the selected machines: set or clear the Linux auto-update tag, or remove the MDE
//! extension. The plan first (each machine's write, or why it is skipped; for removal the
//! seed's steps and the subscriptions that would put the extension back), then the run with
//! live rows that show what ARM read back. See `mde_core::deployment::actions` for the rules.

use std::collections::BTreeSet;

use leptos::prelude::*;
use mde_core::deployment::actions::record::{MachineRecord, Row, RowState};
use mde_core::deployment::actions::{self, MachineAction, MachineItem, MachinePlan};

use crate::browser::download;
use crate::components::run::RunControls;
use crate::pages::bulk::counted;
use crate::router::use_location;
use crate::session::Session;

#[component]
pub fn MachineChangePage() -> impl IntoView {
    let session = expect_context::<Session>();
    let record = session.machines.run.record(&session);
    let running = Memo::new(move |_| record.with(Option::is_some));
    move || match running.get() {
        true => view! { <RunView record=record/> }.into_any(),
        false => view! { <PlanView/> }.into_any(),
    }
}

#[component]
fn PlanView() -> impl IntoView {
    let session = expect_context::<Session>();
    let location = use_location();
    let (kept, selected) = (session.machines.signal(), session.machines.selection());
    let action = Memo::new(move |_| {
        MachineAction::from_key(&location.param("action")).unwrap_or(MachineAction::ExcludeAutoUpdate)
    });
    let plan = Memo::new(move |_| {
        let action = action.get();
        selected.with(|ids| {
            kept.with(|k| {
                let t = &k.table;
                let machines: Vec<_> = ids.iter().filter_map(|id| t.row_of(id)).map(|row| t.machine(row)).collect();
                actions::plan(action, &machines, |sub| t.context(sub).and_then(|c| c.facts))
            })
        })
    });
    let names = move |subscription_id: &str| {
        kept.with_untracked(|k| k.table.context(subscription_id).map(|c| c.name.clone()))
            .unwrap_or_else(|| subscription_id.to_string())
    };
    let base = session.base.clone();
    let back = format!("{base}/machines");
    // Removal first needs the integration off where it would put the extension back: the
    // bulk flow does that, with these subscriptions selected.
    let turn_off = {
        let (overview, base) = (session.overview.selection(), base.clone());
        Callback::new(move |()| {
            let ids: BTreeSet<String> =
                plan.with_untracked(MachinePlan::subscriptions_to_turn_off).into_iter().collect();
            overview.set(ids);
            location.navigate(&format!("{base}/bulk?action=off"), false);
        })
    };
    let start = {
        let session = session.clone();
        move |_| session.machines.run.start(&session, MachineRecord::new(plan.get_untracked()))
    };
    view! {
        <h1>"Change machines"</h1>
        <p><a href=back.clone()>"← Machines (change the selection)"</a></p>
        <Show when=move || !selected.with(BTreeSet::is_empty)
            fallback=move || view! {
                <p class="empty">"No machine is selected. "<a href=back.clone()>"Select machines"</a>", then come back to plan the change."</p>
            }>
            <form class="bulk-options" on:submit=|ev| ev.prevent_default()>
                <fieldset>
                    <legend>"Action"</legend>
                    {MachineAction::ALL.into_iter().map(|a| view! {
                        <label class="check">
                            <input type="radio" name="action" prop:checked=move || action.get() == a
                                on:change=move |_| location.set_param("action", a.key())/>
                            " "{a.label()}
                        </label>
                    }).collect_view()}
                    <p class="notice">{move || action.get().caveat()}</p>
                </fieldset>
            </form>
            <Show when=move || plan.with(|p| !p.steps.is_empty())>
                <section class="steps" aria-labelledby="steps-title">
                    <h2 id="steps-title">"Removing Defender for Endpoint, in order"</h2>
                    <ol>
                        {move || plan.with(|p| p.steps.iter().map(|s| view! {
                            <li>{s.text.clone()}{s.link.clone().map(|href| view! {
                                " "<a href=href target="_blank" rel="noopener noreferrer">"How to offboard"</a>
                            })}</li>
                        }).collect_view())}
                    </ol>
                </section>
            </Show>
            <Show when=move || plan.with(|p| !p.warnings.is_empty())>
                <section class="insight" aria-labelledby="comes-back-title">
                    <h2 id="comes-back-title">"The extension would come back"</h2>
                    <ul>
                        {move || plan.with(|p| p.warnings.iter().map(|w| view! {
                            <li><strong>{names(&w.subscription_id)}</strong>" — "{w.reason.clone()}
                                {format!(" ({})", w.machines.join(", "))}</li>
                        }).collect_view())}
                    </ul>
                    <p class="actions">
                        <button on:click=move |_| turn_off.run(())>
                            {move || format!("Turn the integration off for {} first…", counted(plan.with(|p| p.warnings.len()), "subscription", "subscriptions"))}
                        </button>
                    </p>
                </section>
            </Show>
            <p class="summary" role="status">{move || plan.with(|p| {
                let t = p.totals();
                let mut text = format!("{} selected: {} to write", counted(t.machines, "machine", "machines"), t.writes);
                if !t.skipped.is_empty() {
                    let skipped: Vec<String> = t.skipped.iter().map(|(kind, n)| format!("{n} {}", kind.label())).collect();
                    text.push_str(&format!("; skipped: {}", skipped.join(", ")));
                }
                text
            })}</p>
            <p class="actions">
                <button class="primary" disabled=move || plan.with(|p| p.totals().writes == 0) on:click=start.clone()>
                    {move || plan.with(|p| format!("{} on {}", p.action.label(), counted(p.totals().writes, "machine", "machines")))}
                </button>
            </p>
            <table class="plan">
                <caption class="visually-hidden">"The plan, machine by machine"</caption>
                <thead><tr><th scope="col">"Machine"</th><th scope="col">"Subscription"</th><th scope="col">"Write"</th></tr></thead>
                <tbody>
                    <For each=move || plan.get().items key=|item| (item.machine_id.clone(), item.write.as_ref().map(|w| w.describe()), item.skip.as_ref().map(|s| s.reason.clone())) children=move |item: MachineItem| view! {
                        <tr data-machine=item.machine_id.clone() class:skipped=item.skip.is_some()>
                            <th scope="row">{item.name.clone()}</th>
                            <td>{names(&item.subscription_id)}</td>
                            <td>{match (&item.skip, &item.write) {
                                (Some(skip), _) => view! { <span class="skip">{format!("Skipped ({}): {}", skip.kind.label(), skip.reason)}</span> }.into_any(),
                                (None, Some(write)) => view! { <span>{write.describe()}</span> }.into_any(),
                                (None, None) => ().into_any(),
                            }}</td>
                        </tr>
                    }/>
                </tbody>
            </table>
        </Show>
    }
}

#[component]
fn RunView(record: RwSignal<Option<MachineRecord>>) -> impl IntoView {
    let session = expect_context::<Session>();
    let run = session.machines.run.clone();
    let progress = Memo::new(move |_| record.with(|r| r.as_ref().map(MachineRecord::progress).unwrap_or_default()));
    let title = record.with_untracked(|r| r.as_ref().map(|r| r.plan.action.label()).unwrap_or_default());
    let again = {
        let (run, session) = (run.clone(), session.clone());
        Callback::new(move |ids: Vec<String>| run.again(&session, ids))
    };
    let failed = Signal::derive(move || record.with(|r| r.as_ref().map(MachineRecord::failed).unwrap_or_default()));
    let not_finished =
        Signal::derive(move || record.with(|r| r.as_ref().map(MachineRecord::not_finished).unwrap_or_default()));
    let export = Callback::new(move |format: &'static str| {
        record.with_untracked(|r| {
            let Some(r) = r else { return };
            let file = format!("mde-machines-{}.{format}", r.plan.action.key());
            match format {
                "csv" => download(&file, "text/csv", &r.to_csv()),
                _ => download(&file, "application/json", &r.to_json()),
            }
        })
    });
    let active = run.active();
    let clear = {
        let (run, session) = (run.clone(), session.clone());
        move |_| run.clear(&session)
    };
    let back = format!("{}/machines", session.base);
    view! {
        <h1>{title}</h1>
        <RunControls progress=progress active=active control=run.control() failed=failed not_finished=not_finished
            again=again unit=("machine", "machines") export=export>
            <Show when=move || !active.get()>
                <a class="button" href=back.clone() on:click=clear.clone()>"Done: back to the machines"</a>
            </Show>
        </RunControls>
        <table class="run">
            <caption class="visually-hidden">"Each machine of the run"</caption>
            <thead><tr>
                <th scope="col">"Machine"</th><th scope="col">"Result"</th>
                <th scope="col">"ARM reads back"</th><th scope="col">"Problem"</th>
            </tr></thead>
            <tbody>
                <For each=move || record.with(|r| r.as_ref().map(|r| r.rows.iter().map(|row| (row.machine_id.clone(), row.version)).collect::<Vec<_>>()).unwrap_or_default())
                    key=|key| key.clone()
                    children=move |(id, _)| {
                        let row = record.with_untracked(|r| r.as_ref().and_then(|r| r.rows.iter().find(|row| row.machine_id == id).cloned()));
                        row.map(|row| view! { <RunRow row=row retry=again/> })
                    }/>
            </tbody>
        </table>
    }
}

#[component]
fn RunRow(row: Row, retry: Callback<Vec<String>>) -> impl IntoView {
    let label = row.label();
    let read = row.read_back().map(|r| r.describe());
    let operation = row.finished().and_then(|f| f.operation.clone());
    let problem = match &row.state {
        RowState::Skipped(skip) => Some(view! { <span>{skip.reason.clone()}</span> }.into_any()),
        _ => row.failure().map(|f| {
            let advice = (!f.advice.is_empty()).then(|| view! { <span class="advice">{f.advice.clone()}</span> });
            view! { <strong>{f.message.clone()}</strong>{advice} }.into_any()
        }),
    };
    let id = row.machine_id.clone();
    let status = row.failure().and_then(|f| f.status).map(|s| s.to_string());
    let code = row.failure().map(|f| f.code.clone());
    let can_retry = row.failure().is_some();
    view! {
        <tr data-machine=row.machine_id.clone() class=format!("run-{}", label.to_ascii_lowercase().replace(' ', "-"))>
            <th scope="row">{row.name.clone()}</th>
            <td>{label}</td>
            <td>{read}{operation.map(|o| view! { <span class="advice">{format!("Operation: {o}")}</span> })}</td>
            <td data-status=status data-code=code>
                {problem}
                {can_retry.then(|| view! {
                    <button class="small retry" on:click=move |_| retry.run(vec![id.clone()])>"Retry"</button>
                })}
            </td>
        </tr>
    }
}

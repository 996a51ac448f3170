//! A change to the selected machines: set or clear the Linux auto-update tag, or remove the MDE
//! extension. The plan first (each machine's write, or why it is skipped; for removal the
//! seed's steps and the subscriptions that would put the extension back), then the run with
//! live rows that show what ARM read back. See `mde_core::deployment::actions` for the rules.

use std::collections::BTreeSet;

use leptos::prelude::*;
use mde_core::bulk::export::Format;
use mde_core::deployment::actions::export::{self, MachineExportRequest};
use mde_core::deployment::actions::run::{MachineChanges, MachineFinished, ReadBack};
use mde_core::deployment::actions::{self, MachineAction, MachineItem, MachinePlan};
use mde_core::run::Row;

use crate::components::exports::{Export, Exports};
use crate::components::run::{counted, plan_table, run_view, RunRows, SetAside};
use crate::router::{use_location, Page};
use crate::session::Session;
use crate::tenant::Runner;

#[component]
pub fn MachineChangePage() -> impl IntoView {
    let session = expect_context::<Session>();
    let runner = session.runs.machines.clone();
    let record = runner.record(&session);
    let running = Memo::new(move |_| record.with(Option::is_some));
    let back = session.href(Page::Machines, &[]);
    view! {
        <SetAside why=runner.set_aside()/>
        {move || match running.get() {
            true => {
                let (runner, session, back) = (runner.clone(), session.clone(), back.clone());
                let active = runner.active();
                let clear = move |_| runner.clear(&session);
                let way_on = view! {
                    <Show when=move || !active.get()>
                        <a class="button" href=back.clone() on:click=clear.clone()>"Done: back to the machines"</a>
                    </Show>
                };
                run_view::<MachineChanges>(record, way_on.into_any(), None).into_any()
            }
            false => view! { <PlanView/> }.into_any(),
        }}
    }
}

/// The plan's exports: the formats a machine plan has (scripts and JSON; no template deletes
/// an extension).
fn exports(plan: Memo<MachinePlan>, arm_url: String) -> impl IntoView {
    let formats = export::FORMATS.into_iter().map(|f| (f, export::label(f))).collect();
    let export = Callback::new(move |format: Format| {
        let request = MachineExportRequest { plan: plan.get_untracked(), format, arm_url: arm_url.clone() };
        let file_name = export::file_name(request.plan.action, format);
        Export { request: serde_json::to_string(&request).unwrap_or_default(), file_name }
    });
    view! { <Exports formats=formats export=export/> }
}

impl RunRows for MachineChanges {
    const UNIT: (&'static str, &'static str) = ("machine", "machines");
    const PLAN_COLUMNS: &'static [&'static str] = &["Subscription", "Write"];
    const RUN_COLUMNS: &'static [&'static str] = &["ARM reads back"];

    fn runner(session: &Session) -> Runner<Self> {
        session.runs.machines.clone()
    }

    fn title(plan: &MachinePlan) -> String {
        plan.action.label().to_string()
    }

    fn file_stem(plan: &MachinePlan) -> String {
        format!("mde-machines-{}", plan.action.key())
    }

    fn plan_cells(session: &Session, item: &MachineItem) -> Vec<AnyView> {
        let subscription = session.machines.signal().with_untracked(|k| {
            k.table
                .context(&item.subscription_id)
                .map(|c| c.name.clone())
                .unwrap_or_else(|| item.subscription_id.clone())
        });
        let write = match (&item.skip, &item.write) {
            (Some(skip), _) => {
                view! { <span class="skip">{format!("Skipped ({}): {}", skip.kind.label(), skip.reason)}</span> }
                    .into_any()
            }
            (None, Some(write)) => view! { <span>{write.describe()}</span> }.into_any(),
            (None, None) => ().into_any(),
        };
        vec![view! { <td>{subscription}</td> }.into_any(), view! { <td>{write}</td> }.into_any()]
    }

    fn run_cells(row: &Row<MachineFinished>) -> Vec<AnyView> {
        let finished = row.finished();
        let read = finished.and_then(|f| f.read_back.as_ref()).map(ReadBack::describe);
        let operation = finished.and_then(|f| f.operation.clone());
        vec![view! {
            <td>{read}{operation.map(|o| view! { <span class="advice">{format!("Operation: {o}")}</span> })}</td>
        }
        .into_any()]
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
    let back = session.href(Page::Machines, &[]);
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
        move |_| session.runs.machines.start(&session, plan.get_untracked())
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
            {exports(plan, session.client.arm_url().to_string())}
            {plan_table::<MachineChanges>(plan)}
        </Show>
    }
}

//! Many subscriptions at once: the plan for the selected subscriptions (choose the action and,
//! explicitly, a Defender for Servers plan), its export for change control, then the run with
//! live progress, Pause, Cancel, Retry and Continue. See `mde_core::bulk` for the rules.

use leptos::prelude::*;
use mde_core::bulk::export::{ExportRequest, Format};
use mde_core::bulk::run::{Finished, SubscriptionChanges};
use mde_core::bulk::{Action, Plan, PlanItem};
use mde_core::run::Row;
use mde_core::status::ServersPlan;
use mde_core::tenancy;

use crate::components::exports::{Export, Exports};
use crate::components::run::{counted, plan_table, run_view, RunRows, SetAside};
use crate::router::{use_location, Page};
use crate::session::Session;
use crate::tenant::Runner;

#[component]
pub fn BulkPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let runner = session.runs.subscriptions.clone();
    let record = runner.record(&session);
    // A memo: the page is swapped when a run starts or ends, not on every event of the run.
    let running = Memo::new(move |_| record.with(Option::is_some));
    let arm_url = session.client.arm_url().to_string();
    let base = session.href(Page::Overview, &[]);
    view! {
        <SetAside why=runner.set_aside()/>
        {move || match running.get() {
            true => {
                let (runner, session, base, arm_url) = (runner.clone(), session.clone(), base.clone(), arm_url.clone());
                let active = runner.active();
                let plan = Signal::derive(move || record.with(|r| r.as_ref().map(|r| r.plan.clone())).unwrap_or_else(empty_plan));
                let clear = move |_| runner.clear(&session);
                let way_on = view! {
                    <Show when=move || !active.get()>
                        <a class="button" href=base.clone() on:click=clear.clone()>"New plan"</a>
                    </Show>
                };
                let exports = exports(plan, arm_url);
                run_view::<SubscriptionChanges>(record, way_on.into_any(), Some(exports.into_any())).into_any()
            }
            false => view! { <PlanView/> }.into_any(),
        }}
    }
}

/// The plan's exports: every format the bulk plan has.
fn exports(plan: Signal<Plan>, arm_url: String) -> impl IntoView {
    let formats = Format::ALL.into_iter().map(|f| (f, f.label())).collect();
    let export = Callback::new(move |format: Format| {
        let request = ExportRequest { plan: plan.get_untracked(), format, arm_url: arm_url.clone() };
        let file_name = format.file_name(request.plan.action);
        Export { request: serde_json::to_string(&request).unwrap_or_default(), file_name }
    });
    view! { <Exports formats=formats export=export/> }
}

fn empty_plan() -> Plan {
    Plan { action: Action::Fix, servers_plan: None, items: Vec::new() }
}

impl RunRows for SubscriptionChanges {
    const UNIT: (&'static str, &'static str) = ("subscription", "subscriptions");
    const PLAN_COLUMNS: &'static [&'static str] = &["Writes, in order"];
    const RUN_COLUMNS: &'static [&'static str] = &["Reads back", "Writes sent"];

    fn runner(session: &Session) -> Runner<Self> {
        session.runs.subscriptions.clone()
    }

    fn title(plan: &Plan) -> String {
        plan.action.label().to_string()
    }

    fn file_stem(plan: &Plan) -> String {
        format!("mde-results-{}", plan.action.key())
    }

    /// The writes, or the skip; and, seed: a subscription of another directory (moved?).
    fn plan_cells(session: &Session, item: &PlanItem) -> Vec<AnyView> {
        let moved = session.overview.signal().with_untracked(|k| {
            let row = k.model.row(&item.subscription_id)?;
            tenancy::moved_note(&row.subscription, &session.tenant_id)
        });
        vec![view! {
            <td>{match &item.skip {
                Some(skip) => view! { <span class="skip">{format!("Skipped ({}): {}", skip.kind.label(), skip.reason)}</span> }.into_any(),
                None => view! {
                    <ol>{item.writes.iter().map(|w| view! { <li>{w.describe()}</li> }).collect_view()}</ol>
                }.into_any(),
            }}
            {moved.map(|note| view! { <p class="notice moved-subscription">{note}</p> })}
            </td>
        }
        .into_any()]
    }

    fn run_cells(row: &Row<Finished>) -> Vec<AnyView> {
        let finished = row.finished();
        let read = finished
            .and_then(|f| f.read_back)
            .map(|r| format!("{} · Defender for Servers {}", r.status().label(), r.plan.label()));
        let writes = finished.map(|f| f.writes.len().to_string());
        vec![view! { <td>{read}</td> }.into_any(), view! { <td>{writes}</td> }.into_any()]
    }
}

/// The plan for the selected subscriptions, rebuilt when the action or the opt-in changes.
#[component]
fn PlanView() -> impl IntoView {
    let session = expect_context::<Session>();
    let location = use_location();
    let (kept, selected) = (session.overview.signal(), session.overview.selection());
    let action = Memo::new(move |_| Action::from_key(&location.param("action")).unwrap_or(Action::Fix));
    let servers_plan = Memo::new(move |_| match location.param("servers").as_str() {
        "p1" => Some(ServersPlan::P1),
        "p2" => Some(ServersPlan::P2),
        _ => None,
    });
    let cloud = session.cloud.clone();
    let plan = Memo::new(move |_| {
        let (action, servers_plan) = (action.get(), servers_plan.get());
        selected.with(|ids| {
            kept.with(|k| {
                let rows: Vec<_> =
                    k.model.rows.iter().filter(|r| ids.contains(&r.subscription.subscription_id)).collect();
                Plan::new(action, servers_plan, &cloud, &rows)
            })
        })
    });
    // Whether any selected subscription has Defender for Servers off: only then is the opt-in asked.
    let plan_off_somewhere =
        Memo::new(move |_| plan.with(|p| p.items.iter().any(|i| i.plan_now == Some(ServersPlan::Off))));
    let first_onboarding = Memo::new(move |_| kept.with(|k| tenancy::may_be_first_onboarding(&k.model)));
    let base = session.href(Page::Overview, &[]);
    let back = base.clone();
    let start = {
        let session = session.clone();
        move |_| session.runs.subscriptions.start(&session, plan.get_untracked())
    };
    let arm_url = session.client.arm_url().to_string();
    view! {
        <h1>"Change many subscriptions"</h1>
        <p><a href=back>"← Subscriptions (change the selection)"</a></p>
        <Show when=move || !selected.with(|s| s.is_empty())
            fallback=move || view! {
                <p class="empty">"No subscription is selected. "<a href=base.clone()>"Select subscriptions on the overview"</a>", then come back to plan the change."</p>
            }>
            <form class="bulk-options" on:submit=|ev| ev.prevent_default()>
                <fieldset>
                    <legend>"Action"</legend>
                    {Action::ALL.into_iter().map(|a| view! {
                        <label class="check">
                            <input type="radio" name="action" prop:checked=move || action.get() == a
                                on:change=move |_| location.set_param("action", a.key())/>
                            " "{a.label()}
                        </label>
                    }).collect_view()}
                    {move || action.get().caveat().map(|text| view! { <p class="notice">{text}</p> })}
                </fieldset>
                <Show when=move || action.get().turns_on() && plan_off_somewhere.get()>
                    <fieldset>
                        <legend>"Defender for Servers"</legend>
                        <p>"The integration deploys nothing without Defender for Servers Plan 1 or Plan 2. Some selected subscriptions have it off:"</p>
                        {[("", "Leave it off: skip those subscriptions"), ("p1", "Turn on Plan 1 where it is off"), ("p2", "Turn on Plan 2 where it is off")]
                            .into_iter().map(|(key, text)| view! {
                                <label class="check">
                                    <input type="radio" name="servers" prop:checked=move || location.param("servers") == key
                                        on:change=move |_| location.set_param("servers", key)/>
                                    " "{text}
                                </label>
                            }).collect_view()}
                        <p class="hint">"Defender for Servers is billed per server per hour. Turning it on is a separate write, listed in the plan below."</p>
                    </fieldset>
                </Show>
            </form>
            <Totals plan=plan/>
            <Show when=move || action.get().turns_on() && first_onboarding.get()>
                <p class="notice data-location">{tenancy::DATA_LOCATION}</p>
            </Show>
            <p class="actions">
                <button class="primary" disabled=move || plan.with(|p| p.totals().writes == 0) on:click=start.clone()>
                    {move || plan.with(|p| {
                        let t = p.totals();
                        format!("Apply {} to {}", counted(t.writes, "write", "writes"), counted(t.changing, "subscription", "subscriptions"))
                    })}
                </button>
            </p>
            {exports(Signal::derive(move || plan.get()), arm_url.clone())}
            {plan_table::<SubscriptionChanges>(plan)}
        </Show>
    }
}

/// What the plan adds up to, and why subscriptions are skipped.
#[component]
fn Totals(plan: Memo<Plan>) -> impl IntoView {
    let text = move || {
        plan.with(|p| {
            let t = p.totals();
            let mut text = format!(
                "{} selected: {} change with {}",
                t.subscriptions,
                t.changing,
                counted(t.writes, "write", "writes")
            );
            if t.plan_writes > 0 {
                text.push_str(&format!(
                    " ({} of them turn Defender for Servers on, billed per server per hour)",
                    t.plan_writes
                ));
            }
            if !t.skipped.is_empty() {
                let skipped: Vec<String> = t.skipped.iter().map(|(kind, n)| format!("{n} {}", kind.label())).collect();
                text.push_str(&format!("; skipped: {}", skipped.join(", ")));
            }
            text
        })
    };
    view! { <p class="summary" role="status">{text}</p> }
}

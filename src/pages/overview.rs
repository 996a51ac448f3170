//! The overview: every subscription with its plan, integration status and parts, filling in
//! as answers arrive; search, filter and sort live in the URL so a link reproduces the view.
//! The rows stay in the tenant session (see `store`), and only the rows in view are in the DOM.

mod connectors;
mod order;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::AbortHandle;
use leptos::html::{Tbody, Tr};
use leptos::prelude::*;
use mde_core::bulk::{Action, Pick};
use mde_core::overview::{Load, Overview as OverviewModel, SubscriptionRow};
use mde_core::status::{IntegrationParts, IntegrationStatus};

use crate::tenant::overview::{loaded_ago, Kept};
pub use order::{Filters, Order};

use crate::browser::now_ms;
use crate::components::virtual_rows::{follow_viewport, rows_in_view, OVERSCAN};
use crate::components::Problem;
use crate::router::use_location;
use crate::router::Page;
use crate::session::Session;

/// How many subscriptions the insight panel names; the button shows all of them in the table.
const INSIGHT_NAMES: usize = 10;

#[component]
pub fn Overview() -> impl IntoView {
    let session = expect_context::<Session>();
    let store = session.overview.clone();
    let kept = store.signal();

    let location = use_location();
    let filters = Memo::new(move |_| Filters {
        search: location.param("q"),
        status: location.param("status"),
        plan: location.param("plan"),
        changeable: location.param("can") == "1",
        linux_gap: location.param("gap") == "linux",
        sort: location.param("sort"),
    });
    let set_param = Callback::new(move |(key, value): (&'static str, String)| location.set_param(key, &value));

    // The shown rows: built from every row now, rebuilt when the filters change, and updated
    // row by row as each frame's answers arrive.
    let order = RwSignal::new(kept.with_untracked(|k| Order::new(filters.get_untracked(), &k.model)));
    kept.update_untracked(|k| drop(k.model.take_changed()));
    Effect::new(move |before: Option<Filters>| {
        let now = filters.get();
        if before.is_some_and(|b| b != now) {
            order.set(kept.with_untracked(|k| Order::new(now.clone(), &k.model)));
        }
        now
    });

    let (above, body) = (NodeRef::<Tr>::new(), NodeRef::<Tbody>::new());
    let (viewport, remeasure) = follow_viewport(above, body, None);
    let total = Memo::new(move |_| order.with(Order::len));
    let range = Memo::new(move |_| rows_in_view(viewport.get(), total.get(), OVERSCAN));
    let in_view = move || {
        let (start, end) = range.get();
        let generation = kept.with(|k| k.generation);
        order.with(|o| o.slice(start, end).iter().map(|&i| (generation, i)).collect::<Vec<_>>())
    };
    // The window moves over the rows when the page scrolls (followed), and when what is above
    // the table appears (the insight panel, a failure) or the first rows show their height.
    let layout = Memo::new(move |_| {
        let above = kept.with(|k| (k.model.failure.is_some(), k.model.unreadable().is_some()));
        (above, order.with(|o| (o.is_empty(), o.gap_count() > 0)))
    });
    Effect::new(move |_| {
        let _ = layout.get();
        remeasure();
    });
    // Whole pixels (formatting a float would bring its formatting code into the wasm).
    let px = move |rows: usize| format!("{}px", (rows as f64 * viewport.with(|v| v.row_height)).round() as u64);
    let space = move |above: bool| move || px(if above { range.get().0 } else { total.get() - range.get().1 });

    // Loading: only when the session has no finished overview, or on Refresh. Leaving the page
    // stops a load under way (its requests would hold up the next page's).
    let running: Arc<Mutex<Option<AbortHandle>>> = Arc::default();
    let (client, concurrency) = (session.client.clone(), session.concurrency);
    let load = {
        let (running, store) = (running.clone(), store.clone());
        move || {
            if let Some(earlier) = running.lock().expect("not poisoned").take() {
                earlier.abort();
            }
            order.set(Order::new(filters.get_untracked(), &OverviewModel::default()));
            let handle = store.load(client.clone(), concurrency, move |model, changed| {
                order.try_update(|o| o.update(model, changed));
            });
            *running.lock().expect("not poisoned") = Some(handle);
        }
    };
    if store.needs_loading() {
        load();
    }
    on_cleanup(move || {
        if let Some(handle) = running.lock().expect("not poisoned").take() {
            handle.abort();
        }
    });
    let refresh = Callback::new(move |()| load());

    let selection = store.selection();
    // Selects exactly these rows (by position in the model) and opens the plan for `action`.
    let plan_for = {
        let base = session.base.clone();
        move |rows: Vec<usize>, action: Action| {
            selection.update(BTreeSet::clear);
            select_rows(kept, selection, &rows, true);
            location.navigate(&format!("{base}/bulk?action={}", action.key()), false);
        }
    };
    let show_gaps =
        Callback::new(move |only: bool| set_param.run(("gap", if only { "linux".into() } else { String::new() })));
    let connected = store.connectors();
    view! {
        <h1>"Subscriptions"</h1>
        <DefenderPortal/>
        {move || kept.with(|k| k.model.failure.clone()).map(|f| view! {
            <Problem title="The subscriptions could not be listed" message=format!("{f} — {}", f.advice())/>
        })}
        <Summary kept=kept refresh=refresh/>
        <Insight kept=kept order=order selected=Signal::derive(move || filters.get().linux_gap) select=show_gaps
            enable_linux=Callback::new(move |()| plan_for(order.with_untracked(|o| o.gaps().collect()), Action::LinuxOn))/>
        <form class="filters" role="search" on:submit=|ev| ev.prevent_default()>
            <label>"Search "
                <input type="search" placeholder="Name or id" prop:value=move || filters.get().search
                    on:input=move |ev| set_param.run(("q", event_target_value(&ev)))/>
            </label>
            <Choice label="Status" key="status" value=Signal::derive(move || filters.get().status) set=set_param
                options=&[("", "All"), ("on", "On"), ("partial", "Partial"), ("no-plan", "On — no plan"), ("off", "Off")]/>
            <Choice label="Plan" key="plan" value=Signal::derive(move || filters.get().plan) set=set_param
                options=&[("", "All"), ("p2", "P2"), ("p1", "P1"), ("off", "Off")]/>
            <label class="check">
                <input type="checkbox" prop:checked=move || filters.get().changeable
                    on:change=move |ev| set_param.run(("can", if event_target_checked(&ev) { "1".into() } else { String::new() }))/>
                " Only ones I can change"
            </label>
            <Choice label="Sort by" key="sort" value=Signal::derive(move || filters.get().sort) set=set_param
                options=&[("", "Name"), ("status", "Status"), ("plan", "Plan"), ("state", "State")]/>
        </form>
        <SelectionBar kept=kept order=order selection=selection session=session.clone()/>
        // Only the rows in view are rendered: aria-rowcount and aria-rowindex tell assistive
        // technology where they sit. The spacers stand for the rows above and below.
        <table class="subscriptions" aria-rowcount=move || total.get() + 1>
            <caption class="visually-hidden">"Subscriptions and their Defender for Endpoint integration"</caption>
            <thead>
                <tr aria-rowindex="1">
                    <td class="select">
                        <input type="checkbox" aria-label="Select all shown"
                            prop:checked=move || all_shown_selected(kept, order, selection)
                            on:change=move |ev| select_shown(kept, order, selection, event_target_checked(&ev))/>
                    </td>
                    <th scope="col">"Subscription"</th>
                    <th scope="col">"State"</th>
                    <th scope="col">"Defender for Servers"</th>
                    <th scope="col">"Integration"</th>
                    <th scope="col">"Windows"</th>
                    <th scope="col">"Linux"</th>
                    <th scope="col">"Unified solution"</th>
                    <th scope="col">"MDE coverage"</th>
                    <th scope="col">"You can change"</th>
                </tr>
                <tr class="spacer" aria-hidden="true" node_ref=above><td colspan="10" style:height=space(true)></td></tr>
            </thead>
            <tbody node_ref=body>
                <ForEnumerate each=in_view key=|item| *item
                    children=move |index, (_, i)| {
                        let position = Signal::derive(move || range.get().0 + index.get());
                        view! { <Row kept=kept i=i position=position session=session.clone() selection=selection/> }
                    }/>
            </tbody>
            <tfoot aria-hidden="true">
                <tr class="spacer"><td colspan="10" style:height=space(false)></td></tr>
            </tfoot>
        </table>
        <Show when=move || total.get() == 0 && kept.with(|k| k.model.complete() && !k.model.rows.is_empty())>
            <p class="empty">"No subscription matches these filters."</p>
        </Show>
        <connectors::ConnectedClouds connectors=connected kept=kept/>
    }
}

/// The Microsoft Defender portal of the signed-in tenant (its devices, alerts and incidents),
/// or why there is none in this cloud.
#[component]
pub fn DefenderPortal() -> impl IntoView {
    let session = expect_context::<Session>();
    let link = mde_core::portal::defender_portal_url(&session.cloud, Some(&session.tenant_id));
    match (link, session.cloud.unsupported_reason()) {
        (Some(href), _) => view! {
            <p class="portals">
                <a class="defender-portal" href=href target="_blank" rel="noopener noreferrer">"Microsoft Defender portal ↗"</a>
                <span class="hint">" — devices, alerts and incidents of this tenant"</span>
            </p>
        }
        .into_any(),
        (None, Some(reason)) => view! { <p class="portals hint">{reason}</p> }.into_any(),
        (None, None) => ().into_any(),
    }
}

/// Adds (or removes) rows, by position in the model, to the selection of subscription ids.
fn select_rows(kept: RwSignal<Kept>, selection: RwSignal<BTreeSet<String>>, rows: &[usize], on: bool) {
    let ids: Vec<String> = kept.with_untracked(|k| {
        rows.iter().filter_map(|&i| k.model.rows.get(i)).map(|r| r.subscription.subscription_id.clone()).collect()
    });
    selection.update(|s| {
        for id in ids {
            if on {
                s.insert(id);
            } else {
                s.remove(&id);
            }
        }
    });
}

/// Adds (or removes) every row the filters show.
fn select_shown(kept: RwSignal<Kept>, order: RwSignal<Order>, selection: RwSignal<BTreeSet<String>>, on: bool) {
    order.with_untracked(|o| select_rows(kept, selection, o.slice(0, o.len()), on));
}

fn all_shown_selected(kept: RwSignal<Kept>, order: RwSignal<Order>, selection: RwSignal<BTreeSet<String>>) -> bool {
    selection.with(|s| {
        !s.is_empty()
            && order.with(|o| {
                kept.with_untracked(|k| {
                    !o.is_empty()
                        && o.slice(0, o.len())
                            .iter()
                            .all(|&i| s.contains(&k.model.rows[i].subscription.subscription_id))
                })
            })
    })
}

/// How many are selected (whatever the filters show), select all shown, the quick picks, and
/// the way to the plan.
#[component]
fn SelectionBar(
    kept: RwSignal<Kept>,
    order: RwSignal<Order>,
    selection: RwSignal<BTreeSet<String>>,
    session: Session,
) -> impl IntoView {
    let count = move || selection.with(BTreeSet::len);
    let plan_href = session.href(Page::Bulk, &[]);
    let pick = move |pick: Pick| {
        let rows: Vec<usize> = kept.with_untracked(|k| {
            k.model.rows.iter().enumerate().filter(|(_, r)| pick.matches(r)).map(|(i, _)| i).collect()
        });
        select_rows(kept, selection, &rows, true);
    };
    let shown = move || order.with(Order::len);
    view! {
        <div class="selection-bar" role="group" aria-label="Selection">
            <span role="status" class="selected-count">{move || match count() {
                0 => "No subscription selected".to_string(),
                1 => "1 subscription selected".to_string(),
                n => format!("{n} subscriptions selected"),
            }}</span>
            <button on:click=move |_| select_shown(kept, order, selection, true)>
                {move || format!("Select all shown ({})", shown())}
            </button>
            <span class="picks">"Quick picks: "
                {Pick::ALL.into_iter().map(|p| view! { <button class="small" on:click=move |_| pick(p)>{p.label()}</button> }).collect_view()}
            </span>
            <Show when=move || { count() > 0 }>
                <button on:click=move |_| selection.update(BTreeSet::clear)>"Clear selection"</button>
            </Show>
        </div>
        // Stays in view however far the table is scrolled: the count, and the way to the plan.
        <Show when=move || { count() > 0 }>
            <div class="selection-float">
                <a class="button primary" href=plan_href.clone()>{move || format!("Plan a change for {} →", count())}</a>
            </div>
        </Show>
    }
}

/// A labelled drop-down bound to one query parameter.
#[component]
fn Choice(
    label: &'static str,
    key: &'static str,
    options: &'static [(&'static str, &'static str)],
    value: Signal<String>,
    set: Callback<(&'static str, String)>,
) -> impl IntoView {
    let id = format!("filter-{key}");
    view! {
        <span class="choice">
            <label for=id.clone()>{label}</label>
            <select id=id on:change=move |ev| set.run((key, event_target_value(&ev))) prop:value=move || value.get()>
                {options.iter().map(|(v, text)| view! { <option value=*v>{*text}</option> }).collect_view()}
            </select>
        </span>
    }
}

/// Counts by status, how many rows are still loading, when the rows were loaded, and Refresh.
#[component]
fn Summary(kept: RwSignal<Kept>, refresh: Callback<()>) -> impl IntoView {
    let text = move || {
        kept.with(|k| {
            let m = &k.model;
            if !m.listed {
                return if m.failure.is_some() { String::new() } else { "Listing subscriptions…".to_string() };
            }
            if m.rows.is_empty() {
                return "No subscriptions: your account cannot see any subscription in this tenant.".to_string();
            }
            let mut text = format!(
                "{} subscriptions: {} On, {} Partial, {} On — no plan, {} Off",
                m.rows.len(),
                m.count(IntegrationStatus::On),
                m.count(IntegrationStatus::Partial),
                m.count(IntegrationStatus::NoPlan),
                m.count(IntegrationStatus::Off)
            );
            let pending = m.pending();
            if !m.listing_done {
                text.push_str(" so far — listing more");
            } else if pending > 0 {
                text.push_str(&format!(" — {pending} still loading"));
            }
            text
        })
    };
    // Rows that could not be read say so in a sentence, with Azure's words and what to do.
    let failure = move || {
        kept.with(|k| {
            k.model.unreadable().map(|(n, f)| format!("{n} subscription(s) could not be read. {f} — {}", f.advice()))
        })
    };
    // The age of the rows, in words that stay true while the page is open.
    let now = RwSignal::new(now_ms());
    if let Ok(ticking) = set_interval_with_handle(move || now.set(now_ms()), Duration::from_secs(15)) {
        on_cleanup(move || ticking.clear());
    }
    let loaded = move || kept.with(|k| k.loaded_at).map(|at| loaded_ago(now.get().saturating_sub(at)));
    view! {
        <div class="summary-bar">
            <p class="summary" role="status">{text}</p>
            <p class="freshness">
                <span>{loaded}</span>
                <button on:click=move |_| refresh.run(())>"Refresh"</button>
            </p>
        </div>
        {move || failure().map(|message| view! { <p class="problem" role="alert">{message}</p> })}
    }
}

/// The seed's insight panel: the integration is on for Windows but Linux is left out.
#[component]
fn Insight(
    kept: RwSignal<Kept>,
    order: RwSignal<Order>,
    selected: Signal<bool>,
    select: Callback<bool>,
    enable_linux: Callback<()>,
) -> impl IntoView {
    // The first names and their uncovered Linux machines; a new list only when they change.
    let named = Memo::new(move |_| {
        order.with(|o| {
            kept.with(|k| {
                let named = o.gaps().take(INSIGHT_NAMES).map(|i| {
                    let row = &k.model.rows[i];
                    (row.subscription.display_name.clone(), row.coverage.ready().map(|c| c.linux - c.linux_covered))
                });
                (o.gap_count(), named.collect::<Vec<_>>())
            })
        })
    });
    view! {
        <Show when=move || named.with(|(count, _)| *count > 0)>
            <section class="insight" aria-labelledby="insight-title">
                <h2 id="insight-title">"Windows on, Linux off"</h2>
                <p>"These subscriptions onboard Windows machines to Defender for Endpoint but not Linux ones:"</p>
                <ul>
                    {move || named.get().1.into_iter().map(|(name, linux)| {
                        let count = match linux {
                            Some(0) => "no Linux machines without MDE".to_string(),
                            Some(1) => "1 Linux machine without MDE".to_string(),
                            Some(n) => format!("{n} Linux machines without MDE"),
                            None => "Linux machines: counting…".to_string(),
                        };
                        view! { <li><strong>{name}</strong>" — "{count}</li> }
                    }).collect_view()}
                </ul>
                {move || named.with(|(count, _)| count.checked_sub(INSIGHT_NAMES).filter(|more| *more > 0))
                    .map(|more| view! { <p>{format!("…and {more} more.")}</p> })}
                <p class="actions">
                    <button class="primary" on:click=move |_| enable_linux.run(())>
                        {move || format!("Enable Linux for these {}", named.with(|(count, _)| *count))}
                    </button>
                    <button on:click=move |_| select.run(!selected.get_untracked())>
                        {move || if selected.get() { "Show every subscription" } else { "Show only these" }}
                    </button>
                </p>
            </section>
        </Show>
    }
}

fn on_off(value: bool) -> &'static str {
    if value {
        "On"
    } else {
        "Off"
    }
}

/// The status cell: its class, its title (the advice), its words.
fn status_cell(row: &SubscriptionRow) -> (String, String, String) {
    match (&row.parts, row.status()) {
        (Load::Failed(f), _) => ("failed".into(), f.to_string(), "Unknown".into()),
        (_, Some(status)) => (
            format!("status status-{}", status.key()),
            status.advice().unwrap_or_default().to_string(),
            status.label().into(),
        ),
        (_, None) => ("pending".into(), String::new(), "…".into()),
    }
}

fn part(row: &SubscriptionRow, pick: fn(&IntegrationParts) -> bool) -> String {
    match &row.parts {
        Load::Ready(parts) => on_off(pick(parts)).into(),
        Load::Loading => "…".into(),
        Load::Failed(_) => "?".into(),
    }
}

fn plan(row: &SubscriptionRow) -> String {
    match &row.plan {
        Load::Loading => "…".into(),
        Load::Failed(_) => "Unknown".into(),
        Load::Ready(plan) => plan.label().into(),
    }
}

fn coverage(row: &SubscriptionRow) -> String {
    match &row.coverage {
        Load::Ready(c) if c.machines == 0 => "No machines".into(),
        Load::Ready(c) => format!("{} of {} machines", c.covered, c.machines),
        Load::Loading => "…".into(),
        Load::Failed(_) => "Unknown".into(),
    }
}

fn can_change(row: &SubscriptionRow) -> String {
    match &row.can_change {
        Load::Ready(true) => "Yes",
        Load::Ready(false) => "No (read only)",
        Load::Loading => "…",
        Load::Failed(_) => "Unknown",
    }
    .into()
}

/// One subscription's row. It stays in the DOM while in view and its cells follow the row's
/// answers, so a focused link keeps its focus while the row fills in.
#[component]
fn Row(
    kept: RwSignal<Kept>,
    i: usize,
    position: Signal<usize>,
    session: Session,
    selection: RwSignal<BTreeSet<String>>,
) -> impl IntoView {
    // The cells read this memo (tracking alone would not do: a memo never read never runs).
    let version = Memo::new(move |_| kept.with(|k| k.model.rows.get(i).map(|r| r.version)));
    let cell = move |show: fn(&SubscriptionRow) -> String| {
        move || {
            version.get();
            kept.with_untracked(|k| k.model.rows.get(i).map(show).unwrap_or_default())
        }
    };
    let (id, name, state) = kept.with_untracked(|k| {
        let r = k.model.rows.get(i).map(|r| &r.subscription);
        r.map(|s| (s.subscription_id.clone(), s.display_name.clone(), s.state.clone())).unwrap_or_default()
    });
    let href = session.href(Page::Subscription(id.clone()), &[]);
    // The whole name on hover: a long one is cut short to keep the rows one line high.
    let title = name.clone();
    let checked_id = id.clone();
    view! {
        <tr data-subscription=id aria-rowindex=move || position.get() + 2>
            // The checkbox has a cell of its own, so that the row header is the name alone.
            <td class="select">
                <input type="checkbox" aria-label=format!("Select {name}")
                    prop:checked=move || selection.with(|s| s.contains(&checked_id))
                    on:change=move |ev| select_rows(kept, selection, &[i], event_target_checked(&ev))/>
            </td>
            <th scope="row"><a href=href title=title>{name}</a></th>
            <td>{state}</td>
            <td>{cell(plan)}</td>
            <td>
                <span class=cell(|r| status_cell(r).0) title=cell(|r| status_cell(r).1)>{cell(|r| status_cell(r).2)}</span>
            </td>
            <td>{cell(|r| part(r, |p| p.integration))}</td>
            <td>{cell(|r| part(r, |p| p.integration && p.linux))}</td>
            <td>{cell(|r| part(r, |p| p.integration && p.unified))}</td>
            <td>{cell(coverage)}</td>
            <td>{cell(can_change)}</td>
        </tr>
    }
}

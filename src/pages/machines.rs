//! Machines: every Azure VM and Arc machine with its MDE deployment status (what Microsoft's
//! deployment-status workbook and MDEExtErrorReport.ps1 show), filling in page by page. Filters
//! and sort live in the URL; only the rows in view are in the DOM, so 50,000 rows scroll.
//! The rules are `mde_core::deployment`; this file wires them to the page.

mod change;
mod charts;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use futures::future::AbortHandle;
use leptos::html::{Div, Tbody, Tr};
use leptos::prelude::*;
use mde_core::deployment::actions::MachineAction;
use mde_core::deployment::csv::{error_report_csv, rows_csv};
use mde_core::deployment::load::Source;
use mde_core::deployment::table::{error_groups, page_query, Column, Filters, Sort, Table};
use mde_core::portal::{portal_url, subscription_portal_url};

use crate::tenant::machines::{Kept, Progress};
pub use change::MachineChangePage;

use crate::browser::{download, now_ms};
use crate::components::virtual_rows::{follow_viewport, rows_in_view, OVERSCAN};
use crate::components::Problem;
use crate::router::use_location;
use crate::router::Page;
use crate::session::Session;
use crate::tenant::overview::loaded_ago;

/// The columns the table shows, in order: all but the last, coverage (a chart and a filter,
/// not a column).
const SHOWN: &[Column] = match Column::ALL.split_last() {
    Some((_, shown)) => shown,
    None => &[],
};

/// How many machines a failure group names before "and N more".
const GROUP_NAMES: usize = 5;

#[component]
pub fn MachinesPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let store = session.machines.clone();
    let kept = store.signal();
    let overview = session.overview.signal();
    let location = use_location();
    // The search as typed: it filters at once, and reaches the URL once typing pauses
    // (writing the address bar on every keystroke cost a third of a keystroke's time).
    let typed = RwSignal::new(None::<String>);
    let view_query = Memo::new(move |_| {
        let query = location.query();
        let mut filters = Filters::from_query(&query);
        if let Some(search) = typed.get() {
            filters.search = search;
        }
        (filters, Sort::from_query(&query))
    });
    let filters = Memo::new(move |_| view_query.get().0);
    let sort = Memo::new(move |_| view_query.get().1);
    let set_view = move |filters: &Filters, sort: Sort| location.set_query(&page_query(filters, sort));

    // The subscriptions, their plans and settings come from the overview: load it when this
    // session has none, or one was cut short (leaving the overview stops its load; watched, not
    // checked once, since that happens after this page has started). The load goes on when the
    // user leaves: its answers are the session's.
    let (client, concurrency) = (session.client.clone(), session.concurrency);
    {
        let (overview_store, client) = (session.overview.clone(), client.clone());
        Effect::new(move |_| {
            if overview.with(|k| k.loaded_at.is_none() && !k.loading) {
                drop(overview_store.load(client.clone(), concurrency, |_, _| {}));
            }
        });
    }
    // Then the machines of every listed subscription; leaving the page stops a load under way.
    let running: Arc<Mutex<Option<AbortHandle>>> = Arc::default();
    let load = {
        let (running, store) = (running.clone(), store.clone());
        move || {
            if let Some(earlier) = running.lock().expect("not poisoned").take() {
                earlier.abort();
            }
            let subscriptions: Vec<String> = overview
                .with_untracked(|k| k.model.rows.iter().map(|r| r.subscription.subscription_id.clone()).collect());
            let handle = store.load(client.clone(), concurrency, subscriptions, overview);
            *running.lock().expect("not poisoned") = Some(handle);
        }
    };
    let listed = Memo::new(move |_| overview.with(|k| k.model.listing_done && k.model.failure.is_none()));
    {
        let (load, store) = (load.clone(), store.clone());
        Effect::new(move |_| {
            if listed.get() && store.needs_loading() {
                load();
            }
        });
    }
    on_cleanup(move || {
        if let Some(handle) = running.lock().expect("not poisoned").take() {
            handle.abort();
        }
    });
    // The overview reads plans and settings after the machines may have arrived: rows follow.
    {
        let store = store.clone();
        Effect::new(move |_| overview.with(|k| store.follow_overview(&k.model)));
    }

    // The rows the filters keep, in order; recomputed when rows arrive or the view changes.
    let rows = Memo::new(move |_| {
        let (filters, sort) = view_query.get();
        kept.with(|k| k.table.select(&filters, sort))
    });
    // The charts and the failure groups follow the rows a few times a second: recounting them
    // on every keystroke or page would hold up the table, which is what the user is watching.
    let settled = settle(rows, kept);
    let (above, body, scroller) = (NodeRef::<Tr>::new(), NodeRef::<Tbody>::new(), NodeRef::<Div>::new());
    let (viewport, remeasure) = follow_viewport(above, body, Some(scroller));
    let total = Memo::new(move |_| rows.with(Vec::len));
    let range = Memo::new(move |_| rows_in_view(viewport.get(), total.get(), OVERSCAN));
    let in_view = move || {
        let (start, end) = range.get();
        let version = kept.with(|k| k.version);
        rows.with(|r| r[start.min(r.len())..end.min(r.len())].iter().map(|&row| (version, row)).collect::<Vec<_>>())
    };
    Effect::new(move |_| {
        let _ = (total.get(), kept.with(|k| k.fell_back.is_some()));
        remeasure();
    });
    let px = move |rows: usize| format!("{}px", (rows as f64 * viewport.with(|v| v.row_height)).round() as u64);
    let space = move |above: bool| move || px(if above { range.get().0 } else { total.get() - range.get().1 });

    let selection = store.selection();
    let refresh = Callback::new(move |()| load());
    let apply = Callback::new(move |(column, value): (Column, String)| {
        let mut now = filters.get_untracked();
        now.toggle(column, &value);
        set_view(&now, sort.get_untracked());
    });
    let export = move |_| {
        let csv = kept.with_untracked(|k| rows.with_untracked(|r| rows_csv(&k.table, r)));
        download("machines.csv", "text/csv;charset=utf-8", &csv);
    };
    let (cloud, tenant) = (session.cloud.clone(), (!session.demo).then(|| session.tenant_id.clone()));
    let links = Links { session: session.clone(), cloud, tenant };
    view! {
        <h1>"Machines"</h1>
        <Summary kept=kept listed=listed refresh=refresh/>
        {move || overview.with(|k| k.model.failure.clone()).map(|f| view! {
            <Problem title="The subscriptions could not be listed" message=format!("{f} — {}", f.advice())/>
        })}
        {move || kept.with(|k| k.fell_back.clone()).map(|why| view! {
            <div class="notice" role="note">
                <strong>"Resource Graph did not answer, so the machines are listed per subscription through ARM. "</strong>
                "That is slower and makes more requests; the rows are the same. Resource Graph said: "
                {format!("{why} — {}", why.advice())}
            </div>
        })}
        {move || kept.with(|k| (!k.unlisted.is_empty()).then(|| {
            let names: Vec<String> = k.unlisted.iter().map(|(id, why)| {
                let name = k.table.context(id).map_or(id.as_str(), |c| c.name.as_str());
                format!("{name}: {why}")
            }).collect();
            view! {
                <div class="problem" role="alert">
                    <p>{format!("The machines of {} subscription(s) could not be listed; the table leaves them out.", names.len())}</p>
                    <ul>{names.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                </div>
            }
        }))}
        <charts::Charts kept=kept rows=settled filters=filters apply=apply/>
        <FailureGroups kept=kept rows=settled apply=apply/>
        <FilterBar kept=kept filters=filters sort=sort typed=typed set_view=Callback::new(move |(f, s): (Filters, Sort)| set_view(&f, s))/>
        <SelectionBar kept=kept rows=rows selection=selection session=session.clone()/>
        <p class="table-tools">
            <span role="status">{move || kept.with(|k| format!("{} of {} machines shown", total.get(), k.table.len()))}</span>
            <button on:click=export disabled=move || total.get() == 0>"Download CSV of these"</button>
        </p>
        // The table scrolls in a box of its own, both ways, its header row held at the box's top.
        <div class="table-box machines-box" node_ref=scroller tabindex="0" role="region"
            aria-label="Machines table" on:scroll=move |_| remeasure()>
        <table class="machines" aria-rowcount=move || total.get() + 1>
                <caption class="visually-hidden">"Machines and their Defender for Endpoint deployment status"</caption>
                <thead>
                    <tr aria-rowindex="1">
                        <td class="select">
                            <input type="checkbox" aria-label="Select all shown"
                                prop:checked=move || all_shown_selected(kept, rows, selection)
                                on:change=move |ev| select_shown(kept, rows, selection, event_target_checked(&ev))/>
                        </td>
                        {SHOWN.iter().map(|&column| view! {
                            <SortHeader column=column sort=sort
                                set=Callback::new(move |s: Sort| set_view(&filters.get_untracked(), s))/>
                        }).collect_view()}
                    </tr>
                    <tr class="spacer" aria-hidden="true" node_ref=above><td colspan="16" style:height=space(true)></td></tr>
                </thead>
                <tbody node_ref=body>
                    <ForEnumerate each=in_view key=|item| *item
                        children=move |index, (_, row)| {
                            let position = Signal::derive(move || range.get().0 + index.get());
                            view! { <Row kept=kept row=row position=position links=links.clone() selection=selection/> }
                        }/>
                </tbody>
                <tfoot aria-hidden="true">
                    <tr class="spacer"><td colspan="16" style:height=space(false)></td></tr>
                </tfoot>
        </table>
        </div>
        <Show when=move || total.get() == 0 && kept.with(|k| !k.table.is_empty())>
            <p class="empty">"No machine matches these filters."</p>
        </Show>
    }
}

/// How many machines, from where, how fresh; and Refresh.
#[component]
fn Summary(kept: RwSignal<Kept>, listed: Memo<bool>, refresh: Callback<()>) -> impl IntoView {
    let text = move || {
        kept.with(|k| {
            let n = k.table.len();
            match &k.progress {
                Progress::Waiting if !listed.get() => "Listing subscriptions…".to_string(),
                Progress::Waiting => "Starting…".to_string(),
                Progress::Loading => format!("{n} machines so far — loading more…"),
                Progress::Done { source, .. } => {
                    let from = match source {
                        Source::ResourceGraph => "Resource Graph",
                        Source::Arm => "ARM, subscription by subscription",
                    };
                    match n {
                        0 => {
                            format!("No machines: no VM or Arc machine in the subscriptions you can see (from {from}).")
                        }
                        1 => format!("1 machine, from {from}"),
                        n => format!("{n} machines, from {from}"),
                    }
                }
                Progress::Failed(_) => String::new(),
            }
        })
    };
    let failed = move || match kept.with(|k| k.progress.clone()) {
        Progress::Failed(f) => Some(view! {
            <Problem title="The machines could not be listed" message=format!("{f} — {}", f.advice())/>
        }),
        _ => None,
    };
    let now = RwSignal::new(now_ms());
    if let Ok(ticking) = set_interval_with_handle(move || now.set(now_ms()), std::time::Duration::from_secs(15)) {
        on_cleanup(move || ticking.clear());
    }
    let loaded = move || match kept.with(|k| k.progress.clone()) {
        Progress::Done { at, .. } => Some(loaded_ago(now.get().saturating_sub(at))),
        _ => None,
    };
    view! {
        <div class="summary-bar">
            <p class="summary" role="status">{text}</p>
            <p class="freshness">
                <span>{loaded}</span>
                <button on:click=move |_| refresh.run(()) disabled=move || !listed.get()>"Refresh"</button>
            </p>
        </div>
        {failed}
    }
}

/// A column header that sorts by its column (again: the other way).
#[component]
fn SortHeader(column: Column, sort: Memo<Sort>, set: Callback<Sort>) -> impl IntoView {
    let aria = move || match sort.get() {
        s if s.column == column && s.descending => "descending",
        s if s.column == column => "ascending",
        _ => "none",
    };
    let arrow = move || match aria() {
        "ascending" => " ▲",
        "descending" => " ▼",
        _ => "",
    };
    view! {
        <th scope="col" aria-sort=aria class=format!("col-{}", column.key())>
            <button class="sort" on:click=move |_| set.run(sort.get_untracked().toggled(column))>
                {column.label()}<span aria-hidden="true">{arrow}</span>
            </button>
        </th>
    }
}

/// The search, the active filters (each removable), and adding a filter on any column: pick
/// the column, then one of its values with how many machines have it.
#[component]
fn FilterBar(
    kept: RwSignal<Kept>,
    filters: Memo<Filters>,
    sort: Memo<Sort>,
    typed: RwSignal<Option<String>>,
    set_view: Callback<(Filters, Sort)>,
) -> impl IntoView {
    let column = RwSignal::new(Column::Readiness);
    // The chosen column's values: computed for that column only, when it or the rows change.
    let values = Memo::new(move |_| {
        let column = column.get();
        kept.with(|k| k.table.values(column))
    });
    let set = move |change: &dyn Fn(&mut Filters)| {
        let mut now = filters.get_untracked();
        change(&mut now);
        set_view.run((now, sort.get_untracked()));
    };
    view! {
        <form class="filters" role="search" on:submit=|ev| ev.prevent_default()>
            <label>"Search "
                <input type="search" placeholder="Name, OS, group, error, tag…" prop:value=move || filters.get().search
                    on:input=move |ev| search_typed(typed, event_target_value(&ev), move |text| set(&|f| f.search = text.clone()))/>
            </label>
            <span class="choice">
                <label for="filter-column">"Filter on"</label>
                <select id="filter-column" prop:value=move || column.get().key()
                    on:change=move |ev| if let Some(c) = Column::from_key(&event_target_value(&ev)) { column.set(c) }>
                    {Column::ALL.into_iter().filter(|c| *c != Column::Machine).map(|c| view! {
                        <option value=c.key()>{c.label()}</option>
                    }).collect_view()}
                </select>
                <label for="filter-value" class="visually-hidden">"Value"</label>
                <select id="filter-value" prop:value=move || filters.with(|f| f.columns.get(&column.get()).cloned().unwrap_or_default())
                    on:change=move |ev| {
                        let (c, value) = (column.get_untracked(), event_target_value(&ev));
                        set(&|f| { if value.is_empty() { f.columns.remove(&c); } else { f.columns.insert(c, value.clone()); } });
                    }>
                    <option value="">"Any"</option>
                    {move || values.get().into_iter().map(|(text, n)| view! {
                        <option value=text.clone()>{format!("{text} ({n})")}</option>
                    }).collect_view()}
                </select>
            </span>
        </form>
        <Show when=move || filters.with(|f| !f.columns.is_empty())>
            <p class="active-filters" role="group" aria-label="Active filters">
                {move || filters.get().columns.into_iter().map(|(c, value)| {
                    let label = format!("{}: {value}", c.label());
                    view! {
                        <button class="chip" aria-label=format!("Remove filter {label}")
                            on:click=move |_| set(&|f| { f.columns.remove(&c); })>
                            {label.clone()}<span aria-hidden="true">" ×"</span>
                        </button>
                    }
                }).collect_view()}
                <button class="small" on:click=move |_| set(&|f| { f.columns.clear(); f.search.clear(); })>"Clear all filters"</button>
            </p>
        </Show>
    }
}

/// Failed extensions grouped by their message (MDEExtErrorReport.ps1's report), each with its
/// machines and a way to show only them; the report downloads as CSV.
#[component]
fn FailureGroups(kept: RwSignal<Kept>, rows: Signal<Vec<u32>>, apply: Callback<(Column, String)>) -> impl IntoView {
    let groups = Memo::new(move |_| {
        kept.with(|k| {
            rows.with(|r| {
                error_groups(&k.table, r)
                    .into_iter()
                    .map(|g| {
                        let names: Vec<String> =
                            g.machines.iter().take(GROUP_NAMES).map(|&m| k.table.machine(m).name.clone()).collect();
                        (g.message.clone(), g.title().to_string(), g.machines.len(), names)
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    let report = move |_| {
        let csv = kept.with_untracked(|k| rows.with_untracked(|r| error_report_csv(&k.table, r)));
        download("mde-extension-errors.csv", "text/csv;charset=utf-8", &csv);
    };
    view! {
        <Show when=move || groups.with(|g| !g.is_empty())>
            <details class="failures">
                <summary>{move || {
                    let (groups, machines) = groups.with(|g| (g.len(), g.iter().map(|x| x.2).sum::<usize>()));
                    format!("Failed MDE extensions: {machines} machine(s), {groups} distinct error(s)")
                }}</summary>
                <table class="failure-groups">
                    <thead><tr><th scope="col">"Error"</th><th scope="col">"Machines"</th><th scope="col">"Which"</th><td></td></tr></thead>
                    <tbody>
                        {move || groups.get().into_iter().map(|(message, title, count, names)| {
                            let more = count.saturating_sub(names.len());
                            view! {
                                <tr>
                                    <th scope="row">{title}</th>
                                    <td>{count}</td>
                                    <td>{names.join(", ")}{(more > 0).then(|| format!(" and {more} more"))}</td>
                                    <td><button class="small" on:click=move |_| apply.run((Column::Error, message.clone()))>"Show these"</button></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                <button on:click=report>"Download the error report (CSV)"</button>
            </details>
        </Show>
    }
}

/// How long typing must pause before the search goes to the URL; how often the charts recount.
const SETTLE_MS: u64 = 250;

/// Takes a keystroke's search at once, and hands it to `to_url` once typing pauses.
fn search_typed(typed: RwSignal<Option<String>>, text: String, to_url: impl Fn(String) + 'static) {
    typed.set(Some(text.clone()));
    set_timeout(
        move || {
            // Still the latest keystroke (and the page still there).
            if typed.try_get_untracked().flatten().as_ref() == Some(&text) {
                to_url(text);
                typed.try_set(None);
            }
        },
        std::time::Duration::from_millis(SETTLE_MS),
    );
}

/// `rows`, at most every `SETTLE_MS` (the latest at each turn, and at once the first time).
/// Rows of an earlier load (Refresh empties the table) are never handed on.
fn settle(rows: Memo<Vec<u32>>, kept: RwSignal<Kept>) -> Signal<Vec<u32>> {
    let settled = RwSignal::new((kept.with_untracked(|k| k.generation), rows.get_untracked()));
    let pending = StoredValue::new(false);
    Effect::new(move |first: Option<()>| {
        rows.track();
        if first.is_none() || pending.get_value() {
            return;
        }
        pending.set_value(true);
        set_timeout(
            move || {
                pending.try_set_value(false);
                // The page may have gone in the meantime.
                if let (Some(now), Some(of)) = (rows.try_get_untracked(), kept.try_with_untracked(|k| k.generation)) {
                    settled.try_set((of, now));
                }
            },
            std::time::Duration::from_millis(SETTLE_MS),
        );
    });
    Signal::derive(move || {
        let now = kept.with(|k| k.generation);
        settled.with(|(of, rows)| if *of == now { rows.clone() } else { Vec::new() })
    })
}

fn select_rows(kept: RwSignal<Kept>, selection: RwSignal<BTreeSet<String>>, rows: &[u32], on: bool) {
    let ids: Vec<String> = kept.with_untracked(|k| rows.iter().map(|&r| k.table.machine(r).id.clone()).collect());
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

fn select_shown(kept: RwSignal<Kept>, rows: Memo<Vec<u32>>, selection: RwSignal<BTreeSet<String>>, on: bool) {
    rows.with_untracked(|r| select_rows(kept, selection, r, on));
}

fn all_shown_selected(kept: RwSignal<Kept>, rows: Memo<Vec<u32>>, selection: RwSignal<BTreeSet<String>>) -> bool {
    selection.with(|s| {
        !s.is_empty()
            && rows.with(|r| {
                !r.is_empty() && kept.with_untracked(|k| r.iter().all(|&row| s.contains(&k.table.machine(row).id)))
            })
    })
}

/// The selection's count and the changes it can get: the Linux auto-update tag, or removing
/// the MDE extension (each opens its plan).
#[component]
fn SelectionBar(
    kept: RwSignal<Kept>,
    rows: Memo<Vec<u32>>,
    selection: RwSignal<BTreeSet<String>>,
    session: Session,
) -> impl IntoView {
    let count = move || selection.with(BTreeSet::len);
    let shown = move || rows.with(Vec::len);
    let change = move |action: MachineAction| session.href(Page::MachineChange, &[("action", action.key())]);
    view! {
        <div class="selection-bar" role="group" aria-label="Selection">
            <span role="status" class="selected-count">{move || match count() {
                0 => "No machine selected".to_string(),
                1 => "1 machine selected".to_string(),
                n => format!("{n} machines selected"),
            }}</span>
            <button on:click=move |_| select_shown(kept, rows, selection, true)>
                {move || format!("Select all shown ({})", shown())}
            </button>
            <Show when=move || { count() > 0 }>
                <a class="button" href=change(MachineAction::ExcludeAutoUpdate)>"Exclude from MDE auto-update…"</a>
                <a class="button" href=change(MachineAction::IncludeAutoUpdate)>"Include in MDE auto-update…"</a>
                <a class="button" href=change(MachineAction::RemoveExtension)>"Remove the MDE extension…"</a>
                <button on:click=move |_| selection.update(BTreeSet::clear)>"Clear selection"</button>
            </Show>
        </div>
    }
}

/// What a row links to: the app's subscription page, and the Azure portal of the right cloud.
#[derive(Clone)]
struct Links {
    session: Session,
    cloud: mde_core::cloud::Cloud,
    tenant: Option<String>,
}

/// One machine's row; rendered while in view. Cut-short cells show their whole text on hover.
#[component]
fn Row(
    kept: RwSignal<Kept>,
    row: u32,
    position: Signal<usize>,
    links: Links,
    selection: RwSignal<BTreeSet<String>>,
) -> impl IntoView {
    let (id, cells, readiness, advice, subscription_id) = kept.with_untracked(|k| {
        let t: &Table = &k.table;
        let cells: Vec<String> = SHOWN.iter().map(|&c| t.cell(row, c).to_string()).collect();
        let readiness = t.readiness(row);
        (t.machine(row).id.clone(), cells, readiness.key(), readiness.advice(), t.subscription_id(row).to_string())
    });
    let tenant = links.tenant.as_deref();
    let machine_link = portal_url(&links.cloud, tenant, &id);
    let subscription_link = links.session.href(Page::Subscription(subscription_id.clone()), &[]);
    let subscription_portal = subscription_portal_url(&links.cloud, tenant, &subscription_id);
    let name = cells[0].clone();
    let verify_link = links.session.href(Page::Machine, &[("id", &id)]);
    let checked_id = id.clone();
    let cell = |i: usize| {
        let text = cells[i].clone();
        view! { <td title=text.clone()>{cells[i].clone()}</td> }
    };
    view! {
        <tr data-machine=id aria-rowindex=move || position.get() + 2 class=format!("readiness-{readiness}")>
            <td class="select">
                <input type="checkbox" aria-label=format!("Select {name}")
                    prop:checked=move || selection.with(|s| s.contains(&checked_id))
                    on:change=move |ev| select_rows(kept, selection, &[row], event_target_checked(&ev))/>
            </td>
            <th scope="row" title=name.clone()>
                {match machine_link {
                    Some(href) => view! { <a href=href target="_blank" rel="noopener noreferrer">{name.clone()}</a> }.into_any(),
                    None => name.clone().into_any(),
                }}
                // An icon without text: the cell's text stays the machine's name.
                <a class="verify" href=verify_link title="Test alert and sensor check" aria-label=format!("Verify {name}: test alert and sensor")>
                    <svg viewBox="-6 0 22 16" width="20" height="14" aria-hidden="true">
                        <path d="M2 8l4 4 8-8" fill="none" stroke="currentColor" stroke-width="2"/>
                    </svg>
                </a>
            </th>
            {(1..5).map(cell).collect_view()}
            <td title=cells[5].clone()>
                <a href=subscription_link>{cells[5].clone()}</a>
                {subscription_portal.map(|href| view! {
                    " "<a class="portal" href=href target="_blank" rel="noopener noreferrer" aria-label=format!("{} in the Azure portal", cells[5])>"↗"</a>
                })}
            </td>
            {(6..14).map(cell).collect_view()}
            <td class=format!("readiness readiness-{readiness}") title=advice>{cells[14].clone()}</td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_shows_every_column_but_coverage_in_the_order_its_row_reads_them() {
        // `Row` reads the subscription at 5 and the readiness at 14.
        assert_eq!(SHOWN.len(), 15);
        assert_eq!((SHOWN[0], SHOWN[5], SHOWN[14]), (Column::Machine, Column::Subscription, Column::Readiness));
        assert!(!SHOWN.contains(&Column::Coverage));
    }
}

//! The overview: every subscription with its plan, integration status and parts, filling in
//! as answers arrive; search, filter and sort live in the URL so a link reproduces the view.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mde_core::error::ArmFailure;
use mde_core::overview::{self, Load, Overview as OverviewModel, SubscriptionRow};
use mde_core::status::IntegrationStatus;

use crate::components::Problem;
use crate::router::use_location;
use crate::session::Session;

/// The view's query parameters: `q` (search), `status`, `plan`, `can`, `sort`.
#[derive(Clone, PartialEq, Default)]
struct Filters {
    search: String,
    status: String,
    plan: String,
    changeable: bool,
    /// Only the subscriptions with Windows on and Linux off (the insight panel's selection).
    linux_gap: bool,
    sort: String,
}

impl Filters {
    fn keeps(&self, row: &SubscriptionRow) -> bool {
        let s = &row.subscription;
        let needle = self.search.to_lowercase();
        (needle.is_empty()
            || s.display_name.to_lowercase().contains(&needle)
            || s.subscription_id.to_lowercase().contains(&needle))
            && (self.status.is_empty() || row.status().is_some_and(|st| st.key() == self.status))
            && (self.plan.is_empty() || row.plan.ready().is_some_and(|p| p.label().eq_ignore_ascii_case(&self.plan)))
            && (!self.changeable || row.can_change.ready() == Some(&true))
            && (!self.linux_gap || row.parts.ready().is_some_and(|p| p.windows_on_linux_off()))
    }

    fn sort(&self, rows: &mut [SubscriptionRow]) {
        match self.sort.as_str() {
            "status" => rows.sort_by_key(|r| (r.status(), r.subscription.display_name.to_lowercase())),
            "plan" => rows.sort_by_key(|r| (r.plan.ready().copied(), r.subscription.display_name.to_lowercase())),
            "state" => rows.sort_by_key(|r| (r.subscription.state.clone(), r.subscription.display_name.to_lowercase())),
            _ => rows.sort_by_key(|r| r.subscription.display_name.to_lowercase()),
        }
    }
}

#[component]
pub fn Overview() -> impl IntoView {
    let session = expect_context::<Session>();
    let model = RwSignal::new(OverviewModel::default());
    let (client, concurrency) = (session.client.clone(), session.concurrency);
    spawn_local(async move {
        overview::load(&client, concurrency, |event| model.update(|m| m.apply(event))).await;
    });
    provide_context(model);

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
    let rows = move || {
        let f = filters.get();
        let mut rows: Vec<SubscriptionRow> = model.with(|m| m.rows.iter().filter(|r| f.keeps(r)).cloned().collect());
        f.sort(&mut rows);
        rows
    };
    let base = session.base.clone();
    let show_gaps =
        Callback::new(move |only: bool| set_param.run(("gap", if only { "linux".into() } else { String::new() })));
    view! {
        <h1>"Subscriptions"</h1>
        {move || model.with(|m| m.failure.clone()).map(|f| view! {
            <Problem title="The subscriptions could not be listed" message=format!("{f} — {}", f.advice())/>
        })}
        <Summary model=model/>
        <Insight model=model selected=Signal::derive(move || filters.get().linux_gap) select=show_gaps/>
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
        <table class="subscriptions">
            <caption class="visually-hidden">"Subscriptions and their Defender for Endpoint integration"</caption>
            <thead>
                <tr>
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
            </thead>
            <tbody>
                <For each=rows key=|row| (row.subscription.subscription_id.clone(), row.version) let:row>
                    <Row row=row base=base.clone()/>
                </For>
            </tbody>
        </table>
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

/// Counts by status, and how many rows are still loading.
#[component]
fn Summary(model: RwSignal<OverviewModel>) -> impl IntoView {
    let text = move || {
        model.with(|m| {
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
        model.with(|m| {
            let failed: Vec<&ArmFailure> = m
                .rows
                .iter()
                .filter_map(|r| match (&r.parts, &r.can_change) {
                    (Load::Failed(f), _) | (_, Load::Failed(f)) => Some(f),
                    _ => None,
                })
                .collect();
            failed.first().map(|f| format!("{} subscription(s) could not be read. {f} — {}", failed.len(), f.advice()))
        })
    };
    view! {
        <p class="summary" role="status">{text}</p>
        {move || failure().map(|message| view! { <p class="problem" role="alert">{message}</p> })}
    }
}

/// The seed's insight panel: the integration is on for Windows but Linux is left out.
#[component]
fn Insight(model: RwSignal<OverviewModel>, selected: Signal<bool>, select: Callback<bool>) -> impl IntoView {
    let gaps = move || {
        model.with(|m| {
            m.rows
                .iter()
                .filter(|r| r.parts.ready().is_some_and(|p| p.windows_on_linux_off()))
                .map(|r| (r.subscription.display_name.clone(), r.coverage.ready().map(|c| c.linux - c.linux_covered)))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <Show when=move || !gaps().is_empty()>
            <section class="insight" aria-labelledby="insight-title">
                <h2 id="insight-title">"Windows on, Linux off"</h2>
                <p>"These subscriptions onboard Windows machines to Defender for Endpoint but not Linux ones:"</p>
                <ul>
                    {move || gaps().into_iter().map(|(name, linux)| {
                        let count = match linux {
                            Some(1) => "1 Linux machine without MDE".to_string(),
                            Some(n) => format!("{n} Linux machines without MDE"),
                            None => "Linux machines: counting…".to_string(),
                        };
                        view! { <li><strong>{name}</strong>" — "{count}</li> }
                    }).collect_view()}
                </ul>
                <button on:click=move |_| select.run(!selected.get_untracked())>
                    {move || if selected.get() { "Show every subscription" } else { "Show only these" }}
                </button>
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

#[component]
fn Row(row: SubscriptionRow, base: String) -> impl IntoView {
    let status = match (&row.parts, row.status()) {
        (Load::Failed(f), _) => view! { <span class="failed" title=f.to_string()>"Unknown"</span> }.into_any(),
        (_, Some(status)) => {
            let class = format!("status status-{}", status.key());
            view! { <span class=class title=status.advice().unwrap_or_default()>{status.label()}</span> }.into_any()
        }
        (_, None) => view! { <span class="pending">"…"</span> }.into_any(),
    };
    let part = |pick: fn(&mde_core::status::IntegrationParts) -> bool| match &row.parts {
        Load::Ready(parts) => on_off(pick(parts)).to_string(),
        Load::Loading => "…".into(),
        Load::Failed(_) => "?".into(),
    };
    let (windows, linux, unified) =
        (part(|p| p.integration), part(|p| p.integration && p.linux), part(|p| p.integration && p.unified));
    let plan = match &row.plan {
        Load::Loading => "…".to_string(),
        Load::Failed(_) => "Unknown".to_string(),
        Load::Ready(plan) => plan.label().to_string(),
    };
    let coverage = match &row.coverage {
        Load::Ready(c) if c.machines == 0 => "No machines".to_string(),
        Load::Ready(c) => format!("{} of {} machines", c.covered, c.machines),
        Load::Loading => "…".to_string(),
        Load::Failed(_) => "Unknown".to_string(),
    };
    let can = match &row.can_change {
        Load::Ready(true) => "Yes",
        Load::Ready(false) => "No (read only)",
        Load::Loading => "…",
        Load::Failed(_) => "Unknown",
    };
    let href = format!("{base}/subscriptions/{}", mde_core::api::seg(&row.subscription.subscription_id));
    view! {
        <tr data-subscription=row.subscription.subscription_id.clone()>
            <th scope="row"><a href=href>{row.subscription.display_name.clone()}</a></th>
            <td>{row.subscription.state.clone()}</td>
            <td>{plan}</td>
            <td>{status}</td>
            <td>{windows}</td>
            <td>{linux}</td>
            <td>{unified}</td>
            <td>{coverage}</td>
            <td>{can}</td>
        </tr>
    }
}

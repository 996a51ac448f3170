//! The deployment charts as inline SVG: coverage (a donut), provisioning states, coverage per
//! subscription, VM vs Arc, Windows vs Linux. Each has a title, and its legend is the text
//! equivalent: one button per part, with the count and share, that filters the table (as a
//! click on the slice or bar does; a second click takes the filter off).

use leptos::prelude::*;
use mde_core::deployment::charts::{self, donut, num, percent, share_length, Chart, Ring};
use mde_core::deployment::table::{Column, Filters};

use crate::tenant::machines::Kept;

/// Subscriptions the per-subscription chart shows.
const TOP_SUBSCRIPTIONS: usize = 8;
/// The length of a full bar, in SVG units.
const BAR: f64 = 100.0;

#[component]
pub fn Charts(
    kept: RwSignal<Kept>,
    rows: Signal<Vec<u32>>,
    filters: Memo<Filters>,
    apply: Callback<(Column, String)>,
) -> impl IntoView {
    let all = Memo::new(move |_| {
        kept.with(|k| {
            rows.with(|r| {
                let t = &k.table;
                (
                    [
                        charts::coverage(t, r),
                        charts::provisioning_states(t, r),
                        charts::kinds(t, r),
                        charts::os_families(t, r),
                    ],
                    charts::subscriptions(t, r, TOP_SUBSCRIPTIONS),
                )
            })
        })
    });
    let chart = move |i: usize| Signal::derive(move || all.with(|(c, _)| c[i].clone()));
    view! {
        <Show when=move || rows.with(|r| !r.is_empty())>
            <section class="charts" aria-label="Charts of the machines shown">
                <Donut chart=chart(0) filters=filters apply=apply/>
                <Bars chart=chart(1) filters=filters apply=apply/>
                <Subscriptions data=Signal::derive(move || all.with(|(_, s)| s.clone())) filters=filters apply=apply/>
                <div class="chart-pair">
                    <Bars chart=chart(2) filters=filters apply=apply/>
                    <Bars chart=chart(3) filters=filters apply=apply/>
                </div>
            </section>
        </Show>
    }
}

/// Whether a part's filter is the one applied (its legend button shows pressed).
fn pressed(filters: &Filters, (column, value): &(Column, String)) -> bool {
    filters.columns.get(column).is_some_and(|v| v.eq_ignore_ascii_case(value))
}

fn legend_text(label: &str, count: usize, total: usize) -> String {
    format!("{label}: {count} ({})", percent(count, total))
}

#[component]
fn Donut(chart: Signal<Chart>, filters: Memo<Filters>, apply: Callback<(Column, String)>) -> impl IntoView {
    let ring = Ring { cx: 60.0, cy: 60.0, outer: 56.0, inner: 34.0 };
    let title = move || chart.with(|c| c.title);
    view! {
        <figure class="chart">
            <figcaption>{title}</figcaption>
            <svg viewBox="0 0 120 120" width="120" height="120" role="img" aria-label=move || {
                chart.with(|c| format!("{}: {}", c.title, c.parts.iter().map(|p| legend_text(&p.label, p.count, c.total)).collect::<Vec<_>>().join(", ")))
            }>
                {move || chart.with(|c| {
                    let paths = donut(&c.counts(), ring);
                    c.parts.iter().zip(paths).filter(|(_, d)| !d.is_empty()).map(|(p, d)| {
                        let filter = p.filter.clone();
                        view! { <path class=format!("part part-{}", p.key) d=d on:click=move |_| apply.run(filter.clone())/> }
                    }).collect_view()
                })}
                <text x="60" y="58" text-anchor="middle" class="donut-total">{move || chart.with(|c| percent(c.parts.first().map_or(0, |p| p.count), c.total))}</text>
                <text x="60" y="74" text-anchor="middle" class="donut-label">"covered"</text>
            </svg>
            <Legend chart=chart filters=filters apply=apply/>
        </figure>
    }
}

#[component]
fn Legend(chart: Signal<Chart>, filters: Memo<Filters>, apply: Callback<(Column, String)>) -> impl IntoView {
    view! {
        <ul class="legend">
            {move || chart.with(|c| c.parts.iter().map(|p| {
                let filter = p.filter.clone();
                let on = filters.with(|f| pressed(f, &filter));
                view! {
                    <li>
                        <button class="legend-part" aria-pressed=on.to_string() on:click=move |_| apply.run(filter.clone())>
                            <span class=format!("swatch part-{}", p.key) aria-hidden="true"></span>
                            {legend_text(&p.label, p.count, c.total)}
                        </button>
                    </li>
                }
            }).collect_view())}
        </ul>
    }
}

/// A bar per part, in proportion to the largest; the label is the button.
#[component]
fn Bars(chart: Signal<Chart>, filters: Memo<Filters>, apply: Callback<(Column, String)>) -> impl IntoView {
    view! {
        <figure class="chart">
            <figcaption>{move || chart.with(|c| c.title)}</figcaption>
            <ul class="bars">
                {move || chart.with(|c| {
                    let lengths = charts::bar_lengths(&c.counts(), BAR);
                    c.parts.iter().zip(lengths).map(|(p, length)| {
                        let (filter, again) = (p.filter.clone(), p.filter.clone());
                        let on = filters.with(|f| pressed(f, &filter));
                        view! {
                            <li>
                                <button class="legend-part" aria-pressed=on.to_string() on:click=move |_| apply.run(filter.clone())>
                                    {legend_text(&p.label, p.count, c.total)}
                                </button>
                                <svg viewBox=format!("0 0 {BAR} 8") preserveAspectRatio="none" class="bar" aria-hidden="true">
                                    <rect class=format!("part part-{}", p.key) width=num(length) height="8" on:click=move |_| apply.run(again.clone())/>
                                </svg>
                            </li>
                        }
                    }).collect_view()
                })}
            </ul>
        </figure>
    }
}

/// Covered machines out of all, for the subscriptions with the most machines.
#[component]
fn Subscriptions(
    data: Signal<(Vec<charts::SubscriptionCoverage>, usize)>,
    filters: Memo<Filters>,
    apply: Callback<(Column, String)>,
) -> impl IntoView {
    view! {
        <figure class="chart">
            <figcaption>"Coverage per subscription"</figcaption>
            <ul class="bars">
                {move || data.with(|(subs, _)| subs.iter().map(|s| {
                    let (filter, again) = (s.filter.clone(), s.filter.clone());
                    let on = filters.with(|f| pressed(f, &filter));
                    view! {
                        <li>
                            <button class="legend-part" aria-pressed=on.to_string() on:click=move |_| apply.run(filter.clone())>
                                {format!("{}: {} of {} covered", s.name, s.covered, s.total)}
                            </button>
                            <svg viewBox=format!("0 0 {BAR} 8") preserveAspectRatio="none" class="bar" aria-hidden="true"
                                on:click=move |_| apply.run(again.clone())>
                                <rect class="track" width=num(BAR) height="8"/>
                                <rect class="part part-covered" width=num(share_length(s.covered, s.total, BAR)) height="8"/>
                            </svg>
                        </li>
                    }
                }).collect_view())}
            </ul>
            {move || data.with(|(_, more)| (*more > 0).then(|| view! { <p class="hint">{format!("…and {more} more subscription(s)")}</p> }))}
        </figure>
    }
}

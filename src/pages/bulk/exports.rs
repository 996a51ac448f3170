//! The plan for change control: a button per language (see `mde_core::bulk::export`).

use leptos::prelude::*;
use mde_core::bulk::export::{export, Format};
use mde_core::bulk::Plan;

use crate::browser::download;

/// The plan for change control, in each language it is asked in.
#[component]
pub fn Exports(plan: Signal<Plan>, arm_url: String) -> impl IntoView {
    view! {
        <p class="exports">"Export the plan: "
            {Format::ALL.into_iter().map(|format| {
                let arm_url = arm_url.clone();
                view! {
                    <button on:click=move |_| plan.with_untracked(|p| download(&format.file_name(p.action), format.mime(), &export(p, format, &arm_url)))>
                        {format.label()}
                    </button>
                }
            }).collect_view()}
        </p>
    }
}

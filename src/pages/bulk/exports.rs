//! The plan for change control: a button per language. The files are made by the export worker
//! (`crate::browser::export`), which loads on the first click.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mde_core::bulk::export::{ExportRequest, Format};
use mde_core::bulk::Plan;

use crate::browser::{download, export};

#[component]
pub fn Exports(plan: Signal<Plan>, arm_url: String) -> impl IntoView {
    let problem = RwSignal::new(None::<String>);
    let save = move |format: Format, arm_url: String| {
        let request = ExportRequest { plan: plan.get_untracked(), format, arm_url };
        spawn_local(async move {
            match export::export(&request).await {
                Ok(file) => {
                    problem.set(None);
                    download(&format.file_name(request.plan.action), format.mime(), &file);
                }
                Err(why) => problem.set(Some(why)),
            }
        });
    };
    view! {
        <p class="exports">"Export the plan: "
            {Format::ALL.into_iter().map(|format| {
                let arm_url = arm_url.clone();
                view! { <button on:click=move |_| save(format, arm_url.clone())>{format.label()}</button> }
            }).collect_view()}
        </p>
        {move || problem.get().map(|why| view! { <p class="problem" role="alert">{why}</p> })}
    }
}

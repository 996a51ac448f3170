//! A plan for change control: a button per format. The files are made by the export worker
//! (`crate::browser::export`), which loads on the first click, for a bulk plan and a machine
//! plan alike.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mde_core::bulk::export::Format;

use crate::browser::{download, export};

/// What a format's button sends: the worker's request (as JSON) and the file's name.
pub struct Export {
    pub request: String,
    pub file_name: String,
}

/// `formats`: each format with its button's words; `export` makes the request for one.
#[component]
pub fn Exports(formats: Vec<(Format, &'static str)>, export: Callback<Format, Export>) -> impl IntoView {
    let problem = RwSignal::new(None::<String>);
    let save = move |format: Format| {
        let Export { request, file_name } = export.run(format);
        spawn_local(async move {
            match export::export(request).await {
                Ok(file) => {
                    problem.set(None);
                    download(&file_name, format.mime(), &file);
                }
                Err(why) => problem.set(Some(why)),
            }
        });
    };
    view! {
        <p class="exports">"Export the plan: "
            {formats.into_iter().map(|(format, label)| view! {
                <button on:click=move |_| save(format)>{label}</button>
            }).collect_view()}
        </p>
        {move || problem.get().map(|why| view! { <p class="problem" role="alert">{why}</p> })}
    }
}

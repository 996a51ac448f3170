//! The demo's scenario bar under the header: which scenario runs and where it came from, a
//! file picker for another, and "Reset the demo". Dropping a file anywhere on the demo loads it
//! too (see [`drop_handlers`]).

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::load::{first_file, read_file};
use super::saved::Source;
use super::Opening;

/// Reads a picked or dropped file and asks for the demo to start from it.
fn open_file(file: JsValue, opening: RwSignal<Opening>, problem: RwSignal<Option<String>>) {
    leptos::task::spawn_local(async move {
        match read_file(file).await {
            Ok((name, text)) => opening.set(Opening::File { name, text }),
            Err(e) => problem.set(Some(e)),
        }
    });
}

/// The file input, for the bar and the error page alike.
#[component]
pub fn ScenarioPicker(opening: RwSignal<Opening>) -> impl IntoView {
    let problem = RwSignal::new(None::<String>);
    let picked = move |event: web_sys::Event| {
        let Some(input) = event.target() else { return };
        if let Some(file) = first_file(&input, "files") {
            open_file(file, opening, problem);
        }
    };
    view! {
        <label class="scenario-picker">
            "Load a scenario file "
            <input type="file" accept=".json,application/json" on:change=picked/>
        </label>
        {move || problem.get().map(|p| view! { <span role="alert">{p}</span> })}
    }
}

#[component]
pub fn ScenarioBar(name: String, source: Source, kept: bool, opening: RwSignal<Opening>) -> impl IntoView {
    view! {
        // The overview's summary bar's layout: what runs on the left, what to do on the right.
        <div class="demo-banner summary-bar" role="region" aria-label="Scenario">
            <span>
                "Scenario: " <strong>{name}</strong> " — " {source.describe()}
                {(!kept).then_some(" (too large to keep for a reload in this tab)")}
            </span>
            <span class="actions">
                <ScenarioPicker opening=opening/>
                <span>"or drop one on this page"</span>
                <button on:click=move |_| opening.set(Opening::Reset)>"Reset the demo"</button>
            </span>
        </div>
    }
}

/// `dragover` and `drop` handlers for the demo's whole page: a dropped file is loaded as the
/// scenario. `dragover` must be cancelled, or the browser opens the file instead.
pub fn drop_handlers(
    opening: RwSignal<Opening>,
    problem: RwSignal<Option<String>>,
) -> (impl Fn(web_sys::DragEvent) + 'static, impl Fn(web_sys::DragEvent) + 'static) {
    let over = |event: web_sys::DragEvent| event.prevent_default();
    let dropped = move |event: web_sys::DragEvent| {
        event.prevent_default();
        let transfer = js_sys::Reflect::get(&event, &"dataTransfer".into()).unwrap_or(JsValue::NULL);
        if let Some(file) = first_file(&transfer, "files") {
            open_file(file, opening, problem);
        }
    };
    (over, dropped)
}

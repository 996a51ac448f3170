//! Demo mode: loads a scenario (the one shipped with the site, one named by `/try?scenario=URL`,
//! or a file the user picks or drops) and starts the fake tenant beside the page. Changes made
//! in the demo last for the tab (see [`saved`]); "Reset the demo" starts afresh.

mod bar;
mod load;
mod saved;

use std::cell::Cell;

use std::rc::Rc;

use leptos::prelude::*;
use mde_core::client::ArmClient;
use mde_core::cloud::Cloud;
use send_wrapper::SendWrapper;

use crate::browser::demo::{DemoTransport, StartError, SCENARIO_PATH};
use crate::browser::{fetch_text, spawn_scoped, AppTransport};
use crate::components::{Header, Problem};
use crate::routes::TenantPage;
use crate::session::{Session, DEMO_ARM_URL};
use bar::{ScenarioBar, ScenarioPicker};
use saved::{Loaded, Source};

/// The parts of a scenario the header needs, read without parsing the tenant twice.
#[derive(serde::Deserialize, Default)]
struct ScenarioHead {
    #[serde(default)]
    name: String,
    #[serde(default)]
    tenants: Vec<mde_core::arm::tenants::Tenant>,
    #[serde(default)]
    user: ScenarioUser,
}

#[derive(serde::Deserialize, Default)]
struct ScenarioUser {
    #[serde(default)]
    username: String,
}

/// A demo session over a started tenant, labelled from the scenario file's text.
pub fn demo_session(transport: DemoTransport, json: &str) -> Session {
    let head: ScenarioHead = serde_json::from_str(json).unwrap_or_default();
    Session {
        client: SendWrapper::new(Rc::new(ArmClient::new(AppTransport::Demo(transport), DEMO_ARM_URL))),
        label: if head.name.is_empty() { "Demo tenant".into() } else { head.name },
        demo: true,
        cloud: Cloud::public(),
        tenant_id: head.tenants.first().map(|t| t.tenant_id.clone()).unwrap_or_default(),
        user: head.user.username,
        base: "/try".into(),
        concurrency: mde_core::config::DEFAULT_CONCURRENCY,
        overview: Default::default(),
        runs: crate::tenant::Runs::new(&Cloud::public()),
        machines: Default::default(),
    }
}

/// What starts the demo.
#[derive(Clone, Debug, PartialEq)]
pub enum Opening {
    /// Opening `/try` (or reloading): the `?scenario=` URL if any, else the tab's scenario, else
    /// the built-in one; with the tab's earlier changes unless the scenario is new.
    Visit,
    /// The same scenario afresh (a URL is fetched again), without the tab's changes.
    Reset,
    /// The built-in scenario afresh.
    BuiltIn,
    File {
        name: String,
        text: String,
    },
}

/// A started demo and the scenario it runs.
#[derive(Clone)]
struct Started {
    session: Session,
    source: Source,
    /// Whether the tab could keep the scenario for a reload.
    kept: bool,
}

/// Why the demo did not start: a title and what to do about it.
type Failure = (&'static str, String);

const CANNOT_LOAD: &str = "The scenario could not be loaded";

thread_local! {
    /// Which start is current: a tenant left behind (a reset while a run was writing) must not
    /// record its writes into the new one's.
    static GENERATION: Cell<u32> = const { Cell::new(0) };
}

async fn built_in() -> Result<Loaded, Failure> {
    let text = fetch_text(SCENARIO_PATH).await.map_err(|e| (CANNOT_LOAD, e))?;
    Ok(Loaded { source: Source::BuiltIn, text })
}

async fn by_url(url: String) -> Result<Loaded, Failure> {
    let text = load::fetch_scenario(&url).await.map_err(|e| (CANNOT_LOAD, e))?;
    Ok(Loaded { source: Source::Url { url }, text })
}

/// The scenario to start and whether it starts afresh (`true`) or with the tab's changes.
async fn choose(opening: Opening) -> Result<(Loaded, bool), Failure> {
    let kept = saved::scenario();
    Ok(match opening {
        Opening::Visit => {
            let (_, query, _) = crate::browser::location();
            match load::scenario_param(&query) {
                Some(param) => {
                    let url = load::resolve(&param).map_err(|e| (CANNOT_LOAD, e))?;
                    match kept.filter(|k| k.source == Source::Url { url: url.clone() }) {
                        Some(kept) => (kept, false),
                        None => (by_url(url).await?, true),
                    }
                }
                None => match kept {
                    Some(kept) => (kept, false),
                    None => (built_in().await?, false),
                },
            }
        }
        Opening::Reset => match kept {
            Some(Loaded { source: Source::Url { url }, .. }) => (by_url(url).await?, true),
            Some(file) => (file, true),
            None => (built_in().await?, true),
        },
        Opening::BuiltIn => (built_in().await?, true),
        Opening::File { name, text } => (Loaded { source: Source::File { name }, text }, true),
    })
}

/// Starts the tenant; nothing is shown of it unless the whole scenario loaded.
async fn open(opening: Opening) -> Result<Started, Failure> {
    let (loaded, fresh) = choose(opening).await?;
    let generation = GENERATION.with(|g| g.get().wrapping_add(1));
    GENERATION.with(|g| g.set(generation));
    let record = move |call| {
        if GENERATION.with(Cell::get) == generation {
            saved::record_write(call);
        }
    };
    let replay = if fresh { Vec::new() } else { saved::writes() };
    let transport = DemoTransport::start_worker(&loaded.text, replay, Rc::new(record)).await.map_err(|e| match e {
        StartError::Scenario(why) => (
            "This scenario cannot be loaded",
            format!(
                "{} is not a valid scenario: {}",
                loaded.source.subject(),
                why.trim_start_matches("invalid scenario: ")
            ),
        ),
        StartError::Worker(why) => ("The demo could not start", why),
    })?;
    if fresh {
        saved::forget_changes();
    }
    if !matches!(loaded.source, Source::Url { .. }) {
        drop_scenario_param();
    }
    let kept = saved::keep_scenario(&loaded);
    Ok(Started { session: demo_session(transport, &loaded.text), source: loaded.source, kept })
}

/// A scenario opened otherwise than by URL replaces the address's `?scenario=`, or a reload
/// would fetch that URL again instead.
fn drop_scenario_param() {
    let (_, query, _) = crate::browser::location();
    if load::scenario_param(&query).is_none() {
        return;
    }
    let Some(window) = web_sys::window() else { return };
    let path = window.location().pathname().unwrap_or_default();
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
}

#[component]
pub fn DemoRoot() -> impl IntoView {
    let opened = RwSignal::new(None::<Result<Started, Failure>>);
    let opening = RwSignal::new(Opening::Visit);
    let attempt = RwSignal::new(0u32);
    let drop_problem = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        attempt.track();
        let next = opening.get();
        opened.set(None);
        drop_problem.set(None);
        // Leaving the demo before it starts drops the scenario's fetch and ends the worker.
        spawn_scoped(async move { opened.set(Some(open(next).await)) });
    });
    let (over, dropped) = bar::drop_handlers(opening, drop_problem);
    let shown = move || match opened.get() {
        None => view! { <p class="loading" role="status">"Loading the demo tenant…"</p> }.into_any(),
        Some(Ok(Started { session, source, kept })) => {
            provide_context(session.clone());
            let name = session.label.clone();
            view! {
                <Header session=session/>
                <ScenarioBar name=name source=source kept=kept opening=opening/>
                <main class="page"><TenantPage/></main>
            }
            .into_any()
        }
        Some(Err((title, message))) => view! {
            <main class="page">
                <Problem title=title message=message retry=attempt/>
                <p class="actions">
                    <ScenarioPicker opening=opening/>
                    <span>"or drop one on this page, or"</span>
                    <button on:click=move |_| opening.set(Opening::BuiltIn)>"Start the built-in demo"</button>
                </p>
            </main>
        }
        .into_any(),
    };
    view! {
        <div class="demo-root" on:dragover=over on:drop=dropped>
            {shown}
            {move || drop_problem.get().map(|p| view! { <p class="problem" role="alert">{p}</p> })}
        </div>
    }
}

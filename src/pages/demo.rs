//! Demo mode: loads the scenario shipped with the site and starts the fake tenant beside the page.

use std::rc::Rc;

use leptos::prelude::*;
use mde_core::client::ArmClient;
use mde_core::cloud::Cloud;
use send_wrapper::SendWrapper;

use crate::app::TenantPage;
use crate::browser::demo::{DemoTransport, SCENARIO_PATH};
use crate::browser::{fetch_text, spawn_scoped, AppTransport};
use crate::components::{Header, Problem};
use crate::session::{Session, DEMO_ARM_URL};

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
        bulk: Default::default(),
        machines: Default::default(),
    }
}

#[component]
pub fn DemoRoot() -> impl IntoView {
    let opened = RwSignal::new(None::<Result<Session, String>>);
    let attempt = RwSignal::new(0u32);
    Effect::new(move |_| {
        attempt.track();
        opened.set(None);
        // Leaving the demo before it starts drops the scenario's fetch and ends the worker.
        spawn_scoped(async move {
            let json = match fetch_text(SCENARIO_PATH).await {
                Ok(json) => json,
                Err(e) => return opened.set(Some(Err(e))),
            };
            opened.set(Some(DemoTransport::start_worker(&json).await.map(|transport| demo_session(transport, &json))));
        });
    });
    move || match opened.get() {
        None => view! { <p class="loading" role="status">"Loading the demo tenant…"</p> }.into_any(),
        Some(Ok(session)) => {
            provide_context(session.clone());
            view! {
                <Header session=session/>
                <main class="page"><TenantPage/></main>
            }
            .into_any()
        }
        Some(Err(message)) => view! {
            <main class="page"><Problem title="The demo could not start" message=message retry=attempt/></main>
        }
        .into_any(),
    }
}

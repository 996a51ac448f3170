//! The app shell: start-up (config and a returning sign-in), then the page the address names.
//! Demo and signed-in sessions share the same pages under `/try` (the demo: not `/demo`, which
//! is the scenario's folder on the host) and `/tenants/{tenant}`.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::lazy_page;
use crate::pages::home::{Home, Setup};
use crate::pages::tenant::TenantRoot;
use crate::router::{use_location, Location, Route};
use crate::session::{self, Start};

#[component]
pub fn App() -> impl IntoView {
    Location::provide();
    let start = RwSignal::new(None::<Start>);
    spawn_local(async move { start.set(Some(session::start().await)) });
    let update = RwSignal::new(false);
    crate::browser::offline::register(move || update.set(true));
    view! {
        // Always in the page, so that a screen reader announces the notice when it fills in.
        <div role="status" class="update-notice">
            {move || update.get().then(|| view! {
                <p>"An update is available — "
                <button type="button" on:click=|_| crate::browser::offline::apply_update()>"Reload"</button></p>
            })}
        </div>
        {move || match start.get() {
            None => view! { <p class="loading" role="status">"Starting MDE Console…"</p> }.into_any(),
            Some(start) => {
                provide_context(start);
                view! { <Routes/> }.into_any()
            }
        }}
    }
}

/// The part of the app a route belongs to: pages within one tenant (or the demo) share its
/// session, so moving between them does not open the tenant again.
#[derive(Clone, PartialEq)]
enum Area {
    Home,
    Setup,
    Demo,
    Tenant(String),
    NotFound,
}

#[component]
fn Routes() -> impl IntoView {
    let location = use_location();
    let area = Memo::new(move |_| match location.route() {
        Route::Home => Area::Home,
        Route::Setup => Area::Setup,
        Route::Demo(_) => Area::Demo,
        Route::Tenant(tenant, _) => Area::Tenant(tenant),
        Route::NotFound => Area::NotFound,
    });
    move || {
        match area.get() {
        Area::Home => view! { <Home/> }.into_any(),
        Area::Setup => view! { <Setup/> }.into_any(),
        Area::Demo => lazy_page::demo_root().into_any(),
        Area::Tenant(tenant) => view! { <TenantRoot tenant=tenant/> }.into_any(),
        Area::NotFound => view! {
            <main class="page"><p>"This page does not exist. "<a href=Route::Home.href()>"Go to the start page"</a></p></main>
        }
        .into_any(),
    }
    }
}

//! Pages whose code is fetched when first opened.
//!
//! The start page and a tenant's overview are what every visitor loads; demo mode and the other
//! pages are split off the app's wasm (each `#[wasm_split]` below is a module of its own, cut by
//! scripts/split-build.sh) and fetched the first time one of them is shown. In a build without
//! the `split` feature they are plain calls.

use std::future::Future;

use leptos::prelude::*;
#[cfg(feature = "split")]
use wasm_split_helpers::wasm_split;
use wasm_split_helpers::SplitLoaderError;

use crate::pages::audit::AuditPage;
use crate::pages::bulk::BulkPage;
use crate::pages::demo::DemoRoot;
use crate::pages::machine::MachinePage;
use crate::pages::machines::{MachineChangePage, MachinesPage};
use crate::pages::subscription::SubscriptionPage;

/// A split point's call, as a future: with the `split` feature (which only scripts/split-build.sh
/// turns on) `#[wasm_split]` made the function async; without it (tests, native builds) it is a
/// plain call, and no module is left to find at run time.
#[cfg(feature = "split")]
macro_rules! load {
    ($call:expr) => {
        $call
    };
}
#[cfg(not(feature = "split"))]
macro_rules! load {
    ($call:expr) => {
        async move { $call }
    };
}

// Demo mode (its worker, its scenario bar and the scenario it keeps), loaded with the demo
// tenant's own worker: a signed-in visitor never fetches it. The pages below it are shared.
#[cfg_attr(feature = "split", wasm_split(demo_root, fallible))]
fn demo() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <DemoRoot/> }.into_any())
}

#[cfg_attr(feature = "split", wasm_split(subscription_page, fallible))]
fn subscription(id: String) -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <SubscriptionPage id=id/> }.into_any())
}

#[cfg_attr(feature = "split", wasm_split(audit_page, fallible))]
fn audit() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <AuditPage/> }.into_any())
}

#[cfg_attr(feature = "split", wasm_split(bulk_page, fallible))]
fn bulk() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <BulkPage/> }.into_any())
}

#[cfg_attr(feature = "split", wasm_split(machines_page, fallible))]
fn machines() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <MachinesPage/> }.into_any())
}

#[cfg_attr(feature = "split", wasm_split(machine_change_page, fallible))]
fn machine_change() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <MachineChangePage/> }.into_any())
}

#[cfg_attr(feature = "split", wasm_split(machine_page, fallible))]
fn machine() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <MachinePage/> }.into_any())
}

pub fn demo_root() -> impl IntoView {
    show(load!(demo()))
}

pub fn subscription_page(id: String) -> impl IntoView {
    show(load!(subscription(id)))
}

pub fn audit_page() -> impl IntoView {
    show(load!(audit()))
}

pub fn bulk_page() -> impl IntoView {
    show(load!(bulk()))
}

pub fn machines_page() -> impl IntoView {
    show(load!(machines()))
}

pub fn machine_change_page() -> impl IntoView {
    show(load!(machine_change()))
}

pub fn machine_page() -> impl IntoView {
    show(load!(machine()))
}

#[derive(Clone, Copy, PartialEq)]
enum Loading {
    Pending,
    Ready,
    Failed,
}

/// The page once its module is in, a line while it loads, and a way out when it cannot load
/// (offline, or the site was updated and this build's files are gone: a reload takes the new
/// build).
///
/// The page is built inside the load, so the load runs under this view's owner (the page finds
/// the session and the address bar in its context, and the load is dropped when the view is,
/// so a page left before it loaded is never built) and outside any observer (a page reading
/// the address bar must not make the route above it render again).
fn show(load: impl Future<Output = Result<AnyView, SplitLoaderError>> + 'static) -> impl IntoView {
    let state = RwSignal::new(Loading::Pending);
    let page = StoredValue::new_local(None::<AnyView>);
    untrack(|| {
        leptos::task::spawn_local_scoped_with_cancellation(async move {
            match load.await {
                Ok(view) => {
                    page.set_value(Some(view));
                    state.set(Loading::Ready);
                }
                Err(_) => state.set(Loading::Failed),
            }
        })
    });
    move || {
        match state.get() {
        Loading::Pending => view! { <p class="loading" role="status">"Loading the page…"</p> }.into_any(),
        Loading::Ready => page.try_update_value(Option::take).flatten().unwrap_or_else(|| ().into_any()),
        // Inside the page's <main>: the look of components::Problem, with a reload for its retry.
        Loading::Failed => view! {
            <section class="problem" role="alert">
                <h2>"This page could not be loaded"</h2>
                <p>"The network may be down, or the site was updated since this tab opened: a reload takes the current version."</p>
                <button type="button" on:click=|_| crate::browser::reload()>"Reload"</button>
            </section>
        }
        .into_any(),
    }
    }
}

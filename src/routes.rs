//! The page of a tenant (or the demo) that the address names, and redirects: what the app
//! shell and the tenant's and the demo's roots render below their header.

use leptos::prelude::*;

use crate::lazy_page;
use crate::pages::overview::Overview;
use crate::router::{use_location, Page};

/// The page within a tenant or the demo that the address names; all but the overview load
/// their code when first shown (see `lazy_page`).
#[component]
pub fn TenantPage() -> impl IntoView {
    let location = use_location();
    let page = Memo::new(move |_| location.route().page().cloned());
    move || match page.get() {
        Some(Page::Overview) => view! { <Overview/> }.into_any(),
        Some(Page::Subscription(id)) => lazy_page::subscription_page(id).into_any(),
        Some(Page::Audit) => lazy_page::audit_page().into_any(),
        Some(Page::Bulk) => lazy_page::bulk_page().into_any(),
        Some(Page::Machines) => lazy_page::machines_page().into_any(),
        Some(Page::MachineChange) => lazy_page::machine_change_page().into_any(),
        Some(Page::Machine) => lazy_page::machine_page().into_any(),
        None => ().into_any(),
    }
}

/// Sends the browser on to `path` in place of the current address (as an HTTP redirect
/// would), once the current render is over.
#[component]
pub fn Redirect(#[prop(into)] path: String) -> impl IntoView {
    let location = use_location();
    queue_microtask(move || location.navigate(&path, true));
}

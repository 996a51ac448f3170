//! Components shared by every page: the header, and the non-ideal states.

use leptos::prelude::*;
use mde_core::api;
use mde_core::arm::tenants::Tenant;
use mde_core::config::AppConfig;

use crate::session::{self, Session};

/// The top bar: product name, the user (or the demo), the tenant picker and sign-out; a clear
/// banner in demo mode and where the cloud does not support the integration.
#[component]
pub fn Header(session: Session, #[prop(optional)] config: Option<AppConfig>) -> impl IntoView {
    let unsupported = session.cloud.unsupported_reason();
    let demo = session.demo;
    let base = session.base.clone();
    view! {
        <header class="top">
            <span class="brand">"MDE Console"</span>
            {demo.then(|| view! { <span class="badge">"Demo"</span> })}
            <nav aria-label="Main">
                <a href=base.clone()>"Subscriptions"</a>
                <a href=format!("{base}/audit")>"Audit log"</a>
            </nav>
            <TenantPicker session=session.clone()/>
            <span class="who">{session.label.clone()}</span>
            {config.map(|config| view! {
                <button on:click=move |_| session::sign_out(&config)>"Sign out"</button>
            })}
        </header>
        {demo.then(|| view! {
            <div class="demo-banner" role="note">
                <strong>"Demo"</strong>
                " — a built-in training tenant running in your browser. Nothing here touches Azure. "
                <a href="/setup">"Use it with your tenant"</a>
            </div>
        })}
        {unsupported.map(|why| view! { <div class="notice" role="note">{why}</div> })}
    }
}

/// The tenants the user belongs to; choosing one opens it (a token from that tenant).
#[component]
fn TenantPicker(session: Session) -> impl IntoView {
    let tenants = RwSignal::new(Vec::<Tenant>::new());
    let client = session.client.clone();
    leptos::task::spawn_local(async move {
        tenants.set(client.list::<Tenant>(&api::tenants()).await.unwrap_or_default());
    });
    let current = session.tenant_id.clone();
    let demo = session.demo;
    let location = crate::router::use_location();
    view! {
        <Show when=move || !tenants.with(Vec::is_empty)>
            <label class="tenant-picker">
                "Tenant "
                <select disabled=demo
                    on:change=move |ev| location.navigate(&format!("/tenants/{}", event_target_value(&ev)), false)>
                    {
                        let current = current.clone();
                        move || tenants.get().into_iter().map(|t| {
                            let selected = t.tenant_id.eq_ignore_ascii_case(&current);
                            view! { <option value=t.tenant_id.clone() selected=selected>{t.label().to_string()}</option> }
                        }).collect_view()
                    }
                </select>
            </label>
        </Show>
    }
}

/// An error state: what failed and what to do, as text.
#[component]
pub fn Problem(#[prop(into)] title: String, #[prop(into)] message: String) -> impl IntoView {
    view! {
        <section class="problem" role="alert">
            <h2>{title}</h2>
            <p>{message}</p>
        </section>
    }
}

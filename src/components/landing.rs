//! The start page's sign-in: sign in with Microsoft, or try the demo; shown by the start page
//! and by a tenant whose sign-in must be done again.

use leptos::prelude::*;
use mde_core::config::AppConfig;

use crate::router::{Page, Route};
use crate::session;

/// Sign in, or try the demo.
#[component]
pub fn Landing(
    config: AppConfig,
    #[prop(optional, into)] error: String,
    #[prop(optional, into)] return_to: Option<String>,
) -> impl IntoView {
    let tenant = config.tenant.clone();
    let china = config.cloud.unsupported_reason();
    let failure = RwSignal::new((!error.is_empty()).then_some(error));
    let start = move |_| {
        let path = return_to.clone().unwrap_or_else(|| "/".into());
        if let Err(e) = session::sign_in(&config, &tenant, &path) {
            failure.set(Some(e.message));
        }
    };
    view! {
        <main class="page landing">
            <h1>"MDE Console"</h1>
            <p class="lead">"Turn on and prove the Microsoft Defender for Cloud integration with Defender for Endpoint across every Azure subscription you can see, from one page."</p>
            {move || failure.get().map(|message| view! {
                <section class="problem" role="alert"><h2>"Sign-in failed"</h2><p>{message}</p></section>
            })}
            {china.map(|why| view! { <p class="notice" role="note">{why}</p> })}
            {shared_origin_warning().map(|why| view! { <p class="notice" role="note">{why}</p> })}
            <p class="actions">
                <button class="primary" on:click=start>"Sign in with Microsoft"</button>
                <a class="button" href=Route::Demo(Page::Overview).href()>"Open the demo tenant"</a>
                <span class="hint">"The demo needs no sign-in and touches nothing in Azure."</span>
            </p>
            <ul class="features">
                <li><strong>"Every subscription"</strong>" — which have the integration on, partly on (Linux or the unified solution left out) or off, and whether you may change it."</li>
                <li><strong>"Many at once"</strong>" — select, see the exact writes, apply with progress and read-back, or export the plan as az, PowerShell, Bicep or Terraform for change control."</li>
                <li><strong>"Every machine"</strong>" — each VM and Arc machine's MDE extension, why it is missing or failed, and the Linux auto-update tag."</li>
                <li><strong>"A record"</strong>" — every change in an audit log you can export."</li>
            </ul>
            <p class="fine-print">"It runs in your browser: it talks to Microsoft Entra ID and Azure Resource Manager only, with your own permissions (Security Admin or Owner to change, Reader or Security Reader to look). Your sign-in stays in this tab."</p>
        </main>
    }
}

/// The warning for a site on a host that shares its origin with other sites
/// (`mde_core::origin`), once per tab.
fn shared_origin_warning() -> Option<String> {
    let host = web_sys::window()?.location().hostname().ok()?;
    let warning = mde_core::origin::shared_origin(&host, &crate::browser::site_base())?;
    let store = crate::browser::storage::Store::Session;
    if store.get::<bool>("origin-warned").is_some() {
        return None;
    }
    store.set("origin-warned", &true);
    Some(warning)
}

//! The start page: a config problem, the sign-in button, or straight on to where the user was.

use leptos::prelude::*;
use mde_core::config::AppConfig;

use crate::app::Redirect;
use crate::session::{self, Start};

#[component]
pub fn Home() -> impl IntoView {
    match expect_context::<Start>() {
        Start::BadConfig(e) => view! { <ConfigProblem error=e/> }.into_any(),
        Start::DemoOnly => view! { <Redirect path="/try"/> }.into_any(),
        Start::SignIn { return_to: Some(path), .. } => view! { <Redirect path=path/> }.into_any(),
        Start::SignIn { config, error, return_to: None } => match (error, session::signed_in_account(&config)) {
            (None, Some(tokens)) => view! { <Redirect path=format!("/tenants/{}", tokens.tenant_id)/> }.into_any(),
            (error, _) => {
                view! { <Landing config=config error=error.map(|e| e.message).unwrap_or_default()/> }.into_any()
            }
        },
    }
}

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
                <a class="button" href="/try">"Open the demo tenant"</a>
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

/// `config.json` is wrong: which key, what is wrong, how to fix it.
#[component]
fn ConfigProblem(error: mde_core::config::ConfigError) -> impl IntoView {
    let key = if error.key.is_empty() { "config.json".to_string() } else { format!("config.json: \"{}\"", error.key) };
    view! {
        <main class="page">
            <section class="problem" role="alert">
                <h2>"This site's configuration needs fixing"</h2>
                <p><strong>{key}</strong>" "{error.problem}</p>
                <p>{error.fix}</p>
                <button on:click=|_| crate::browser::reload()>"Reload"</button>
            </section>
            <p>"The demo works without any configuration: "<a href="/try">"open the demo tenant"</a>"."</p>
        </main>
    }
}

/// How to connect this site to a tenant: shown when `config.json` has no client id.
#[component]
pub fn Setup() -> impl IntoView {
    view! {
        <main class="page landing">
            <h1>"Connect MDE Console to your tenant"</h1>
            <p>"This site runs the demo only: its config.json has no clientId. To use it with Azure:"</p>
            <p class="notice" role="note">"Serve it from an origin of its own (a custom domain or a sub-domain, not a folder of a shared host such as a github.io project site). The browser keeps your sign-in, the offline copy and the workers per origin, not per folder: any other page on the same origin could read your tokens or replace the app."</p>
            <ol>
                <li>"In the Microsoft Entra admin center, open App registrations and choose New registration."</li>
                <li>"Under Redirect URI, pick the platform Single-page application and enter this site's address (for example https://mde.contoso.com/)."</li>
                <li>"Under API permissions, add Azure Service Management, delegated permission user_impersonation, and grant consent if your organisation requires it."</li>
                <li>"Copy the Application (client) ID into config.json next to index.html as \"clientId\". No rebuild is needed."</li>
            </ol>
            <p><a href="/try">"Back to the demo"</a></p>
        </main>
    }
}

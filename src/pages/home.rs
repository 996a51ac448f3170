//! The start page: a config problem, the sign-in button, or straight on to where the user was.

use leptos::prelude::*;

use crate::components::landing::Landing;
use crate::router::{Page, Route};
use crate::routes::Redirect;
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
            <p>"The demo works without any configuration: "<a href=Route::Demo(Page::Overview).href()>"open the demo tenant"</a>"."</p>
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
            <p><a href=Route::Demo(Page::Overview).href()>"Back to the demo"</a></p>
        </main>
    }
}

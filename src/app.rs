//! The app shell: start-up (config and a returning sign-in), then the routes. Demo and
//! signed-in sessions share the same pages under `/try` (the demo: not `/demo`, which is the scenario's folder on the host) and `/tenants/:tenant`.

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

use crate::pages::audit::AuditPage;
use crate::pages::demo::DemoRoot;
use crate::pages::home::{Home, Setup};
use crate::pages::overview::Overview;
use crate::pages::subscription::SubscriptionPage;
use crate::pages::tenant::TenantRoot;
use crate::session;

#[component]
pub fn App() -> impl IntoView {
    let start = LocalResource::new(session::start);
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Starting MDE Console…"</p> }>
            {move || Suspend::new(async move {
                provide_context(start.await);
                view! {
                    <Router>
                        <Routes fallback=|| view! { <main class="page"><p>"This page does not exist. "<a href="/">"Go to the start page"</a></p></main> }>
                            <Route path=path!("/") view=Home/>
                            <Route path=path!("/setup") view=Setup/>
                            <ParentRoute path=path!("/try") view=DemoRoot>
                                <Route path=path!("") view=Overview/>
                                <Route path=path!("subscriptions/:id") view=SubscriptionPage/>
                                <Route path=path!("audit") view=AuditPage/>
                            </ParentRoute>
                            <ParentRoute path=path!("/tenants/:tenant") view=TenantRoot>
                                <Route path=path!("") view=Overview/>
                                <Route path=path!("subscriptions/:id") view=SubscriptionPage/>
                                <Route path=path!("audit") view=AuditPage/>
                            </ParentRoute>
                        </Routes>
                    </Router>
                }
            })}
        </Suspense>
    }
}

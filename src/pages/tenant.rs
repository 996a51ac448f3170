//! A tenant, signed in: the session for the tenant in the URL, then the overview.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use mde_core::auth::AuthError;

use crate::components::{Header, Problem};
use crate::pages::home::Landing;
use crate::session::{self, Start};
use leptos_router::components::Outlet;

#[component]
pub fn TenantRoot() -> impl IntoView {
    let Start::SignIn { config, .. } = expect_context::<Start>() else {
        return view! { <leptos_router::components::Redirect path="/"/> }.into_any();
    };
    let params = use_params_map();
    // A memo, so that moving between this tenant's pages does not rebuild its session.
    let tenant = Memo::new(move |_| params.with(|p| p.get("tenant").unwrap_or_default()));
    let tenant = move || tenant.get();
    let sign_in_needed = RwSignal::new(None::<AuthError>);
    let config_for_session = config.clone();
    let session = LocalResource::new(move || {
        let config = config_for_session.clone();
        let tenant = tenant();
        async move { session::tenant_session(&config, &tenant, sign_in_needed).await }
    });
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Signing in to the tenant…"</p> }>
            {move || {
                let config = config.clone();
                Suspend::new(async move {
                    match session.await {
                        Ok(session) => {
                            provide_context(session.clone());
                            let again = config.clone();
                            view! {
                                <Header session=session.clone() config=config.clone()/>
                                {move || sign_in_needed.get().map(|why| {
                                    let config = again.clone();
                                    let here = session::current_view();
                                    let tenant = tenant();
                                    view! {
                                        <div class="problem" role="alert">
                                            <p>{why.message}</p>
                                            <button class="primary" on:click=move |_| { let _ = session::sign_in(&config, &tenant, &here); }>
                                                "Sign in again"
                                            </button>
                                        </div>
                                    }
                                })}
                                <main class="page"><Outlet/></main>
                            }.into_any()
                        }
                        Err(e) if e.sign_in_again => {
                            let here = session::current_view();
                            view! { <Landing config=config error=e.message return_to=here/> }.into_any()
                        }
                        Err(e) => view! { <main class="page"><Problem title="The tenant could not be opened" message=e.message/></main> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }.into_any()
}

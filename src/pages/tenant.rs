//! A tenant, signed in: the session for the tenant in the URL, then its page.

use leptos::prelude::*;
use mde_core::auth::AuthError;

use crate::browser;
use crate::components::landing::Landing;
use crate::components::{Header, Problem};
use crate::routes::{Redirect, TenantPage};
use crate::session::{self, Start};

/// Opens the tenant once; its pages then share the session (see `app::Routes`).
#[component]
pub fn TenantRoot(tenant: String) -> impl IntoView {
    let Start::SignIn { config, .. } = expect_context::<Start>() else {
        return view! { <Redirect path="/"/> }.into_any();
    };
    let sign_in_needed = RwSignal::new(None::<AuthError>);
    let opened = RwSignal::new(None);
    let attempt = RwSignal::new(0u32);
    let (opening, for_tenant) = (config.clone(), tenant.clone());
    Effect::new(move |_| {
        attempt.track();
        opened.set(None);
        let (config, tenant) = (opening.clone(), for_tenant.clone());
        // Leaving the tenant before it opens drops the token request.
        browser::spawn_scoped(async move {
            opened.set(Some(session::tenant_session(&config, &tenant, sign_in_needed).await));
        });
    });
    (move || match opened.get() {
        None => view! { <p class="loading" role="status">"Signing in to the tenant…"</p> }.into_any(),
        Some(Ok(session)) => {
            provide_context(session.clone());
            let (config, tenant) = (config.clone(), tenant.clone());
            view! {
                <Header session=session.clone() config=config.clone()/>
                {move || sign_in_needed.get().map(|why| {
                    let (config, tenant) = (config.clone(), tenant.clone());
                    let here = session::current_view();
                    view! {
                        <div class="problem" role="alert">
                            <p>{why.message}</p>
                            <button class="primary" on:click=move |_| { let _ = session::sign_in(&config, &tenant, &here); }>
                                "Sign in again"
                            </button>
                        </div>
                    }
                })}
                <main class="page"><TenantPage/></main>
            }
            .into_any()
        }
        Some(Err(e)) if e.sign_in_again => {
            let here = session::current_view();
            view! { <Landing config=config.clone() error=e.message return_to=here/> }.into_any()
        }
        Some(Err(e)) => view! {
            <main class="page"><Problem title="The tenant could not be opened" message=e.message retry=attempt/></main>
        }
        .into_any(),
    })
    .into_any()
}

//! Registering `Microsoft.Security` on a subscription, offered where ARM refused a call with
//! `MissingSubscriptionRegistration` (the portal registers it silently; this page asks first).

use leptos::prelude::*;
use mde_core::error::SECURITY_PROVIDER;
use mde_core::registration;

use crate::browser;
use crate::session::Session;

#[derive(Clone, PartialEq)]
enum Step {
    Offered,
    Registering,
    /// Azure took longer than the page waited: the state it last said.
    StillPending(String),
    Failed(String),
}

/// A button that registers the provider, reads it back until Azure says `Registered`, then
/// bumps `done` so the page reads the subscription again.
#[component]
pub fn RegisterSecurity(session: Session, subscription_id: String, done: RwSignal<u32>) -> impl IntoView {
    let step = RwSignal::new(Step::Offered);
    let register = move |_| {
        let (session, id) = (session.clone(), subscription_id.clone());
        step.set(Step::Registering);
        browser::spawn_scoped(async move {
            match registration::register_security(&session.client, &id).await {
                Ok(provider) if provider.registered() => done.update(|n| *n += 1),
                Ok(provider) => step.set(Step::StillPending(provider.registration_state.unwrap_or_default())),
                Err(failure) => step.set(Step::Failed(format!("{failure} — {}", failure.advice()))),
            }
        });
    };
    view! {
        <p class="register">
            <button class="primary" on:click=register disabled=move || step.get() == Step::Registering>
                {format!("Register {SECURITY_PROVIDER}")}
            </button>
            <span role="status">
                {move || match step.get() {
                    Step::Offered => String::new(),
                    Step::Registering => format!("Registering {SECURITY_PROVIDER}… (usually under a minute)"),
                    Step::StillPending(state) => format!("Azure still says '{state}'. Registration can take a few minutes: retry later."),
                    Step::Failed(why) => why,
                }}
            </span>
        </p>
    }
}

//! The overview's "Connected AWS accounts and GCP projects": read-only, one row per account with
//! its Defender for Servers offering, its Defender for Endpoint auto-provisioning, an
//! Off / Partial / On status and a link to the connector in the Azure portal.

use leptos::prelude::*;
use mde_core::connectors::Connectors;
use mde_core::portal::portal_url;

use crate::components::connectors::{account_row, ConnectorsTable};
use crate::session::Session;
use crate::tenant::overview::Kept;

/// The accounts as rows, with the subscription each belongs to.
#[component]
pub fn ConnectedClouds(connectors: RwSignal<Connectors>, kept: RwSignal<Kept>) -> impl IntoView {
    let session = expect_context::<Session>();
    let name_of = move |id: &str| {
        kept.with_untracked(|k| k.model.row(id).map(|r| r.subscription.display_name.clone()))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| id.to_string())
    };
    let summary = move || {
        connectors.with(|c| {
            let accounts = c.accounts().len();
            let pending = c.pending();
            let [off, partial, on] = c.counts();
            match (accounts, pending) {
                (0, 0) if c.failures().is_empty() && !kept.with(|k| k.model.complete()) => String::new(),
                (0, 0) => "No AWS account or GCP project is connected to these subscriptions.".into(),
                (0, n) => format!("Reading the security connectors of {n} subscription(s)…"),
                (n, pending) => {
                    let mut text = format!("{n} connected: {on} On, {partial} Partial, {off} Off");
                    if pending > 0 {
                        text.push_str(&format!(" — {pending} subscription(s) still loading"));
                    }
                    text
                }
            }
        })
    };
    let failures = move || {
        connectors.with(|c| {
            c.failures().into_iter().map(|(id, f)| format!("{}: {f} — {}", name_of(id), f.advice())).collect::<Vec<_>>()
        })
    };
    let (cloud, tenant) = (session.cloud, session.tenant_id);
    let rows = move || {
        connectors.with(|c| {
            c.accounts()
                .into_iter()
                .map(|a| account_row(a, name_of(&a.subscription_id), portal_url(&cloud, Some(&tenant), &a.id)))
                .collect_view()
        })
    };
    view! {
        <section class="connectors" aria-labelledby="connectors-title">
            <h2 id="connectors-title">"Connected AWS accounts and GCP projects"</h2>
            <p class="hint">"Machines in AWS and GCP get Defender for Endpoint through their security connector's Defender for Servers offering. Read-only here: change a connector in the Azure portal."</p>
            <p class="connectors-summary" role="status">{summary}</p>
            {move || {
                let failures = failures();
                (!failures.is_empty()).then(|| view! {
                    <div class="problem connectors-failed">
                        <p>{format!("Azure did not list the security connectors of {} subscription(s):", failures.len())}</p>
                        <ul>{failures.into_iter().map(|f| view! { <li>{f}</li> }).collect_view()}</ul>
                    </div>
                })
            }}
            <Show when=move || connectors.with(|c| !c.accounts().is_empty())>
                {let rows = rows.clone(); view! { <ConnectorsTable>{rows}</ConnectorsTable> }}
            </Show>
        </section>
    }
}

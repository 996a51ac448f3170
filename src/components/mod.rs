//! Components shared by every page: the header, and the non-ideal states.

pub mod connectors;
pub mod dialog;
pub mod exports;
pub mod landing;
pub mod registration;
pub mod run;
pub mod virtual_rows;

use leptos::prelude::*;
use mde_core::api;
use mde_core::arm::tenants::Tenant;
use mde_core::audit::{to_csv, AuditEntry};
use mde_core::config::AppConfig;

use crate::audit_log;
use crate::browser::download;
use crate::router::{Page, Route};
use crate::session::{self, Session};
use dialog::Dialog;

/// The top bar: product name, the user (or the demo), the tenant picker and sign-out; a clear
/// banner in demo mode and where the cloud does not support the integration.
#[component]
pub fn Header(session: Session, #[prop(optional)] config: Option<AppConfig>) -> impl IntoView {
    let unsupported = session.cloud.unsupported_reason();
    let demo = session.demo;
    let link = |page| session.href(page, &[]);
    view! {
        <header class="top">
            <span class="brand">"MDE Console"</span>
            {demo.then(|| view! { <span class="badge">"Demo"</span> })}
            <nav aria-label="Main">
                <a href=link(Page::Overview)>"Subscriptions"</a>
                <a href=link(Page::Bulk)>"Bulk changes"</a>
                <a href=link(Page::Machines)>"Machines"</a>
                <a href=link(Page::Audit)>"Audit log"</a>
            </nav>
            <TenantPicker session=session.clone()/>
            <span class="who">{session.label.clone()}</span>
            {config.map(|config| view! { <SignOut config=config/> })}
        </header>
        {demo.then(|| view! {
            <div class="demo-banner" role="note">
                <strong>"Demo"</strong>
                " — a built-in training tenant running in your browser. Nothing here touches Azure. "
                <a href=Route::Setup.href()>"Use it with your tenant"</a>
            </div>
        })}
        {unsupported.map(|why| view! { <div class="notice" role="note">{why}</div> })}
    }
}

/// Sign-out deletes this tab's audit logs with the tokens: when the tenant sessions' logs hold
/// changes, it says how many and offers their export first.
#[component]
fn SignOut(config: AppConfig) -> impl IntoView {
    let asking = RwSignal::new(None::<Vec<Vec<AuditEntry>>>);
    let start = {
        let config = config.clone();
        move |_| {
            let logs = audit_log::tenant_logs();
            if logs.is_empty() {
                session::sign_out(&config);
            } else {
                asking.set(Some(logs));
            }
        }
    };
    view! {
        <button on:click=start>"Sign out"</button>
        {move || asking.get().map(|logs| view! {
            <SignOutDialog config=config.clone() logs=logs asking=asking/>
        })}
    }
}

/// "Export the log", "Sign out", "Cancel": focus starts on the export; Escape or Cancel closes
/// it and the focus goes back to the header's button (see [`Dialog`]).
#[component]
fn SignOutDialog(
    config: AppConfig,
    logs: Vec<Vec<AuditEntry>>,
    asking: RwSignal<Option<Vec<Vec<AuditEntry>>>>,
) -> impl IntoView {
    let held = format!(
        "The audit log of this session holds {} made in {}.",
        counted(logs.iter().map(Vec::len).sum(), "change", "changes"),
        counted(logs.len(), "tenant", "tenants")
    );
    let csv = to_csv(&logs.concat());
    let exported = RwSignal::new(false);
    view! {
        <Dialog labelled_by="sign-out-title" described_by="sign-out-held" on_close=move |_| asking.set(None)>
            <h2 id="sign-out-title">"Sign out?"</h2>
            <p id="sign-out-held">{held}</p>
            <p>"Signing out deletes the log from this browser. Export it first to keep a record of what was changed."</p>
            <p class="actions">
                <button class="primary" autofocus=true on:click=move |_| {
                    download(AUDIT_EXPORT, "text/csv", &csv);
                    exported.set(true);
                }>"Export the log"</button>
                <button on:click=move |_| session::sign_out(&config)>"Sign out"</button>
                <button on:click=move |_| asking.set(None)>"Cancel"</button>
            </p>
            {move || exported.get().then(|| view! { <p role="status">{format!("Saved as {AUDIT_EXPORT}.")}</p> })}
        </Dialog>
    }
}

/// The file sign-out offers: every tenant session's changes (tenant by tenant), with a tenant
/// column.
const AUDIT_EXPORT: &str = "mde-console-audit.csv";

fn counted(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The tenants the user belongs to; choosing one opens it (a token from that tenant).
#[component]
fn TenantPicker(session: Session) -> impl IntoView {
    let tenants = RwSignal::new(Vec::<Tenant>::new());
    let client = session.client.clone();
    crate::browser::spawn_scoped(async move {
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

/// An error state: what failed and what to do, as text. With `retry`, a Retry button bumps
/// that counter, which the page's loader watches.
#[component]
pub fn Problem(
    #[prop(into)] title: String,
    #[prop(into)] message: String,
    #[prop(optional)] retry: Option<RwSignal<u32>>,
) -> impl IntoView {
    view! {
        <section class="problem" role="alert">
            <h2>{title}</h2>
            <p>{message}</p>
            {retry.map(|attempt| view! {
                <button on:click=move |_| attempt.set(attempt.get_untracked().wrapping_add(1))>"Retry"</button>
            })}
        </section>
    }
}

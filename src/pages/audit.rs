//! The audit log of this tenant session (or of the demo, kept apart): every change made here,
//! with ARM's status and request ids, exportable as JSON and CSV.

use leptos::prelude::*;
use mde_core::audit::{to_csv, AuditEntry};

use crate::audit_log;
use crate::browser::download;
use crate::session::Session;

fn flag(v: Option<bool>) -> String {
    v.map_or("unknown".into(), |b| b.to_string())
}

/// What Azure answered to the write: its status, and its message when it refused.
fn answer(e: &AuditEntry) -> String {
    if e.error_message.is_empty() {
        format!("{} OK", e.status)
    } else {
        e.error_message.clone()
    }
}

/// The names the export files get: which tenant (or the demo), so logs of several tenants
/// saved side by side stay apart.
fn file_stem(session: &Session) -> String {
    if session.demo {
        "mde-console-audit-demo".into()
    } else {
        format!("mde-console-audit-{}", session.tenant_id.to_ascii_lowercase())
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let entries = audit_log::entries(&session);
    let stem = file_stem(&session);
    let (json_name, csv_name) = (format!("{stem}.json"), format!("{stem}.csv"));
    let (json_entries, csv_entries) = (entries.clone(), entries.clone());
    let empty = entries.is_empty();
    let rows = entries
        .into_iter()
        .rev()
        .map(|e| {
            let answer = answer(&e);
            let ok = e.status / 100 == 2;
            view! {
                <tr>
                    <td>{e.time}</td>
                    <td>{e.user}</td>
                    <th scope="row">{e.subscription_name}</th>
                    <td>{e.setting}</td>
                    <td>{flag(e.before)}</td>
                    <td>{e.requested.to_string()}</td>
                    <td>{flag(e.after)}</td>
                    <td class=if ok { "answer ok" } else { "answer failed" }>{answer}</td>
                    <td class="ids">
                        <code title="x-ms-request-id">{e.request_id}</code>
                        <code title="x-ms-correlation-request-id">{e.correlation_id}</code>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let (title, scope) = if session.demo {
        (
            "Audit log of the demo".to_string(),
            "Changes made in the demo tenant, kept apart from any real tenant's log.".to_string(),
        )
    } else {
        (
            "Audit log of this tenant".to_string(),
            format!("Changes made in tenant {} during this browser session.", session.tenant_id),
        )
    };
    view! {
        <h1>{title}</h1>
        <p class="tenant">{scope}</p>
        <p class="actions">
            <button disabled=empty on:click=move |_| download(&json_name, "application/json",
                &serde_json::to_string_pretty(&json_entries).unwrap_or_default())>"Export JSON"</button>
            <button disabled=empty on:click=move |_| download(&csv_name, "text/csv", &to_csv(&csv_entries))>"Export CSV"</button>
        </p>
        {empty.then(|| view! { <p class="empty">"No changes yet."</p> })}
        // Focusable so that a keyboard can scroll the wide table.
        <div class="scroll-x" tabindex="0" role="region" aria-label="Audit log entries">
            <table class="audit">
                <thead>
                    <tr>
                        <th scope="col">"Time (UTC)"</th><th scope="col">"User"</th><th scope="col">"Subscription"</th>
                        <th scope="col">"Setting"</th><th scope="col">"Before"</th><th scope="col">"Requested"</th>
                        <th scope="col">"After (read back)"</th><th scope="col">"Azure's answer"</th>
                        <th scope="col">"Request / correlation id"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

//! The session's audit log: every change made here, exportable as JSON and CSV.

use leptos::prelude::*;
use mde_core::audit::to_csv;

use crate::audit_log;
use crate::browser::download;

fn flag(v: Option<bool>) -> String {
    v.map_or("unknown".into(), |b| b.to_string())
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let entries = audit_log::entries();
    let (json_entries, csv_entries) = (entries.clone(), entries.clone());
    let rows = entries
        .into_iter()
        .rev()
        .map(|e| {
            let answer = if e.error_code.is_empty() && e.status / 100 == 2 {
                format!("{} OK", e.status)
            } else {
                e.error_message.clone()
            };
            view! {
                <tr>
                    <td>{e.time}</td>
                    <td>{e.user}</td>
                    <th scope="row">{e.subscription_name}</th>
                    <td>{e.setting}</td>
                    <td>{flag(e.before)}</td>
                    <td>{e.requested.to_string()}</td>
                    <td>{flag(e.after)}</td>
                    <td>{answer}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h1>"Audit log of this session"</h1>
        <p class="actions">
            <button on:click=move |_| download("mde-console-audit.json", "application/json",
                &serde_json::to_string_pretty(&json_entries).unwrap_or_default())>"Export JSON"</button>
            <button on:click=move |_| download("mde-console-audit.csv", "text/csv", &to_csv(&csv_entries))>"Export CSV"</button>
        </p>
        <table class="subscriptions audit">
            <thead>
                <tr>
                    <th scope="col">"Time (UTC)"</th><th scope="col">"User"</th><th scope="col">"Subscription"</th>
                    <th scope="col">"Setting"</th><th scope="col">"Before"</th><th scope="col">"Requested"</th>
                    <th scope="col">"After (read back)"</th><th scope="col">"Azure's answer"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

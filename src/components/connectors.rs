//! The connected AWS accounts and GCP projects as a table: the overview's (of every
//! subscription) and a subscription page's.

use leptos::prelude::*;
use mde_core::connectors::ConnectedAccount;

/// The connectors' table (the overview's, of every subscription, and a subscription page's),
/// around its rows.
#[component]
pub fn ConnectorsTable(children: Children) -> impl IntoView {
    view! {
        <table class="parts connectors">
            <caption class="visually-hidden">"Connected AWS accounts and GCP projects"</caption>
            <thead><tr>
                <th scope="col">"Cloud"</th>
                <th scope="col">"Account or project"</th>
                <th scope="col">"Connector"</th>
                <th scope="col">"Subscription"</th>
                <th scope="col">"Defender for Servers"</th>
                <th scope="col">"MDE auto-provisioning"</th>
                <th scope="col">"Status"</th>
            </tr></thead>
            <tbody>{children()}</tbody>
        </table>
    }
}

/// One account's row; also used by the subscription page. The subscription is named, not
/// linked, and the status is not a `.status` cell: the subscriptions' own rows keep those.
pub fn account_row(account: &ConnectedAccount, subscription_name: String, portal: Option<String>) -> impl IntoView {
    let status = account.status();
    let on_off = |on: bool| if on { "On" } else { "Off" };
    let label = format!("{} {} in the Azure portal", account.cloud.account_word(), account.account);
    view! {
        <tr data-connector=account.name.clone()>
            <td>{account.cloud.label()}</td>
            <th scope="row">{account.account.clone()}</th>
            <td>
                {account.name.clone()}
                {portal.map(|href| view! {
                    " "<a class="portal" href=href target="_blank" rel="noopener noreferrer" aria-label=label>"↗"</a>
                })}
            </td>
            <td>{subscription_name}</td>
            <td>{on_off(account.servers)}</td>
            <td>{if account.servers { on_off(account.mde_auto_provisioning) } else { "—" }}</td>
            <td class=format!("connector-status status-{}", status.key()) title=status.meaning()>{status.label()}</td>
        </tr>
    }
}

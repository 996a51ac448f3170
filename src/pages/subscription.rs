//! One subscription: its three integration parts, what can be changed and why not, a confirm
//! dialog that lists the exact change, and after each write what ARM reports.

use leptos::prelude::*;
use mde_core::api;
use mde_core::arm::permissions::{self, Permission};
use mde_core::arm::settings::Setting;
use mde_core::arm::subscriptions::Subscription;
use mde_core::bulk::run::{ReadBack, SubscriptionChanges};
use mde_core::bulk::{Plan, Write};
use mde_core::change::{self, Facts, Intent, SettingChange, LINUX_OFF_RULE, UNIFIED_OFF_RULE};
use mde_core::connectors::{self, ConnectedAccount};
use mde_core::error::{ArmFailure, Remedy};
use mde_core::overview::{read_plan, SETTINGS_WRITE};
use mde_core::portal::{defender_portal_url, portal_url, subscription_portal_url};
use mde_core::run::Record;
use mde_core::status::{IntegrationParts, IntegrationStatus, ServersPlan};
use mde_core::tenancy;

use crate::browser::{self, copy_text};
use crate::components::connectors::{account_row, ConnectorsTable};
use crate::components::dialog::Dialog;
use crate::components::registration::RegisterSecurity;
use crate::components::Problem;
use crate::router::Page;
use crate::session::Session;

/// Everything the page knows about the subscription.
#[derive(Clone)]
struct Loaded {
    subscription: Subscription,
    settings: Vec<Setting>,
    plan: ServersPlan,
    can_change: bool,
    /// Its AWS accounts and GCP projects; a failed read leaves the rest of the page.
    connectors: Result<Vec<ConnectedAccount>, ArmFailure>,
}

async fn load(session: &Session, id: &str) -> Result<Loaded, ArmFailure> {
    let client = &session.client;
    let subscription: Subscription = client.get(&api::subscription(id)).await?;
    let (settings_path, permissions_path) = (api::settings(id), api::permissions(id));
    let (settings, plan, permissions, connectors) = futures::join!(
        client.list::<Setting>(&settings_path),
        read_plan(&**client, id),
        client.list::<Permission>(&permissions_path),
        connectors::read(client, id),
    );
    Ok(Loaded {
        subscription,
        settings: settings?,
        plan: plan?,
        can_change: permissions::allows(&permissions?, SETTINGS_WRITE),
        connectors,
    })
}

#[component]
pub fn SubscriptionPage(id: String) -> impl IntoView {
    let session = expect_context::<Session>();
    // Empty until the first read; a re-read after a change keeps showing the last answer.
    let data = RwSignal::new(None::<Result<Loaded, ArmFailure>>);
    let reload = RwSignal::new(0u32);
    let loader = session.clone();
    let subscription_id = id.clone();
    Effect::new(move |_| {
        reload.track();
        // A retry after a failure shows that it is reading again; a re-read after a change
        // keeps the last answer on screen.
        if data.with_untracked(|d| matches!(d, Some(Err(_)))) {
            data.set(None);
        }
        let (session, id) = (loader.clone(), id.clone());
        // Leaving the page (or reloading it) drops this read and aborts its requests.
        browser::spawn_scoped(async move {
            let loaded = load(&session, &id).await;
            // The overview's row shows what this page read, a change's read-back included.
            if let Ok(l) = &loaded {
                session.overview.read_back(&id, l.settings.clone(), l.plan);
            }
            data.set(Some(loaded))
        });
    });
    let pending = RwSignal::new(None::<(Intent, Vec<SettingChange>)>);
    // A change goes through the session's run of this page's changes: written, read back,
    // logged; once it ends, the dialog closes and the page reads the subscription again.
    let runner = session.runs.subscription.clone();
    let record = runner.record(&session);
    let busy = runner.active();
    Effect::new(move |was_busy: Option<bool>| {
        let now = busy.get();
        if was_busy == Some(true) && !now {
            pending.set(None);
            reload.update(|n| *n += 1);
        }
        now
    });

    let back = session.href(Page::Overview, &[]);
    let dialog_session = session.clone();
    let results_id = subscription_id.clone();
    view! {
        <p><a href=back>"← All subscriptions"</a></p>
        {move || match data.get() {
            None => view! { <p class="loading" role="status">"Reading the subscription…"</p> }.into_any(),
            Some(Err(f)) => view! {
                <Problem title="The subscription could not be read" message=format!("{f} — {}", f.advice()) retry=reload/>
                {(f.remedy() == Remedy::RegisterProvider).then(|| view! {
                    <RegisterSecurity session=session.clone() subscription_id=subscription_id.clone() done=reload/>
                })}
            }.into_any(),
            Some(Ok(loaded)) => view! { <Parts session=session.clone() loaded=loaded pending=pending busy=busy/> }.into_any(),
        }}
        <Results record=record subscription_id=results_id/>
        {move || pending.get().map(|(intent, changes)| {
            let session = dialog_session.clone();
            view! { <ConfirmDialog session=session intent=intent changes=changes pending=pending busy=busy data=data/> }
        })}
    }
}

#[component]
fn Parts(
    session: Session,
    loaded: Loaded,
    pending: RwSignal<Option<(Intent, Vec<SettingChange>)>>,
    busy: Signal<bool>,
) -> impl IntoView {
    let parts = IntegrationParts::from_settings(&loaded.settings);
    let status = IntegrationStatus::of(parts, Some(loaded.plan));
    let s = loaded.subscription.clone();
    let facts = Facts {
        cloud: &session.cloud,
        subscription_id: &s.subscription_id,
        subscription_state: &s.state,
        parts: Some(parts),
        plan: Some(loaded.plan),
        can_change: Some(loaded.can_change),
    };
    let planned = |intent: Intent| change::plan(intent, &facts);
    // One control per part: (label, is on, intent to offer, rule when on and not offered).
    let rows: Vec<(&str, &str, bool, Intent, Option<&str>)> = vec![
        (
            "integration",
            "Defender for Endpoint integration (WDATP)",
            parts.integration,
            Intent::Integration(!parts.integration),
            None,
        ),
        ("linux", "Linux machines", parts.integration && parts.linux, Intent::LinuxOn, Some(LINUX_OFF_RULE)),
        (
            "unified",
            "Unified solution for Windows Server 2012 R2 and 2016",
            parts.integration && parts.unified,
            Intent::UnifiedOn,
            Some(UNIFIED_OFF_RULE),
        ),
    ];
    let controls = rows
        .into_iter()
        .map(|(key, label, on, intent, rule_when_on)| {
            let offered = planned(intent);
            // What switching does, as the switch's tooltip (its name is the part; its state, On or Off).
            let action = match (key, on) {
                ("integration", true) => "Turn the integration off".to_string(),
                ("integration", false) => "Turn the integration on".to_string(),
                ("linux", _) => "Turn Linux on".to_string(),
                _ => "Deploy the unified solution".to_string(),
            };
            let reason = match (&offered, on, rule_when_on) {
                (_, true, Some(rule)) => Some(rule.to_string()),
                (Err(why), _, _) => Some(why.reason()),
                _ => None,
            };
            let reason_id = format!("why-{key}");
            let disabled = reason.is_some();
            let start = offered.ok();
            let label_id = format!("part-{key}");
            view! {
                <tr>
                    <th scope="row" id=label_id.clone()>{label}</th>
                    <td>
                        <button class="switch" role="switch" aria-checked=on.to_string() aria-labelledby=label_id
                            aria-describedby=reason_id.clone() title=action disabled=disabled
                            on:click=move |_| if let Some(changes) = start.clone() { pending.set(Some((intent, changes))) }>
                            <span class="track" aria-hidden="true"><span class="thumb"></span></span>
                            <span class="state">{if on { "On" } else { "Off" }}</span>
                        </button>
                    </td>
                    <td>{reason.map(|r| view! { <span class="reason" id=reason_id>{r}</span> })}</td>
                </tr>
            }
        })
        .collect_view();
    let fix = (status == IntegrationStatus::Partial).then(|| planned(Intent::Fix));
    let tenant = Some(session.tenant_id.as_str());
    let azure_portal = subscription_portal_url(&session.cloud, tenant, &s.subscription_id);
    let defender_portal = defender_portal_url(&session.cloud, tenant);
    let moved = tenancy::moved_note(&s, &session.tenant_id);
    view! {
        <h1>{s.display_name.clone()}</h1>
        <dl class="facts">
            <dt>"Subscription id"</dt><dd>{s.subscription_id.clone()}</dd>
            <dt>"Directory (tenant)"</dt><dd>{s.tenant_id.clone().unwrap_or_else(|| "Not listed".into())}</dd>
            <dt>"State"</dt><dd>{s.state.clone()}</dd>
            <dt>"Defender for Servers"</dt><dd>{loaded.plan.label()}</dd>
            <dt>"Integration"</dt><dd class=format!("status status-{}", status.key())>{status.label()}</dd>
            <dt>"You can change it"</dt><dd class="can-change">{if loaded.can_change {
                "Yes".to_string()
            } else {
                format!("No (read only). {}", tenancy::roles())
            }}</dd>
            <dt>"Portals"</dt><dd class="portals">
                {azure_portal.map(|href| view! { <a href=href target="_blank" rel="noopener noreferrer">"Azure portal ↗"</a> })}
                {defender_portal.map(|href| view! { " · "<a class="defender-portal" href=href target="_blank" rel="noopener noreferrer">"Microsoft Defender portal ↗"</a> })}
            </dd>
        </dl>
        {moved.map(|note| view! { <p class="notice moved-subscription" role="note">{note}</p> })}
        {(status == IntegrationStatus::NoPlan).then(|| view! { <p class="fix">{status.advice()}</p> })}
        {fix.map(|planned| match planned {
            Ok(changes) => view! {
                <p class="fix">
                    "Partial: the integration is on but not everything it covers is. "
                    <button class="primary" disabled=move || busy.get() on:click=move |_| pending.set(Some((Intent::Fix, changes.clone())))>"Fix"</button>
                </p>
            }.into_any(),
            Err(why) => view! { <p class="fix">"Partial. Fix is not available: "{why.reason()}</p> }.into_any(),
        })}
        <table class="parts">
            <caption>"Integration parts"</caption>
            <thead><tr><th scope="col">"Part"</th><th scope="col">"On or off"</th><th scope="col">"Why it can't change"</th></tr></thead>
            <tbody>{controls}</tbody>
        </table>
        <SubscriptionConnectors session=session.clone() loaded=loaded.connectors/>
    }
}

/// The subscription's connected AWS accounts and GCP projects, read-only.
#[component]
fn SubscriptionConnectors(session: Session, loaded: Result<Vec<ConnectedAccount>, ArmFailure>) -> impl IntoView {
    let tenant = session.tenant_id.clone();
    let body = match loaded {
        Err(f) => view! {
            <p class="problem connectors-failed">{format!("Azure did not list this subscription's security connectors. {f} — {}", f.advice())}</p>
        }
        .into_any(),
        Ok(accounts) if accounts.is_empty() => {
            view! { <p class="empty">"No AWS account or GCP project is connected through this subscription."</p> }
                .into_any()
        }
        Ok(accounts) => view! {
            <ConnectorsTable>{accounts.iter().map(|a| {
                let portal = portal_url(&session.cloud, Some(&tenant), &a.id);
                let partial = (a.status() == connectors::ConnectorStatus::Partial).then(|| a.status().meaning());
                view! {
                    {account_row(a, "This subscription".into(), portal)}
                    {partial.map(|why| view! { <tr class="explain"><td colspan="7" class="hint">{why}</td></tr> })}
                }
            }).collect_view()}</ConnectorsTable>
        }
        .into_any(),
    };
    view! {
        <section class="connectors" aria-labelledby="connectors-title">
            <h2 id="connectors-title">"Connected AWS accounts and GCP projects"</h2>
            {body}
        </section>
    }
}

/// The exact change, as text, REST and `az`, with Apply and Cancel.
#[component]
fn ConfirmDialog(
    session: Session,
    intent: Intent,
    changes: Vec<SettingChange>,
    pending: RwSignal<Option<(Intent, Vec<SettingChange>)>>,
    busy: Signal<bool>,
    data: RwSignal<Option<Result<Loaded, ArmFailure>>>,
) -> impl IntoView {
    let title = match intent {
        Intent::Integration(true) => "Turn the integration on?",
        Intent::Integration(false) => "Turn the integration off?",
        Intent::LinuxOn => "Turn Linux on?",
        Intent::UnifiedOn => "Deploy the unified solution?",
        Intent::Fix => "Fix this subscription?",
    };
    let arm_url = session.client.arm_url().to_string();
    let rest = changes.iter().map(|c| c.rest(&arm_url)).collect::<Vec<_>>().join("\n\n");
    let az = changes.iter().map(|c| c.az()).collect::<Vec<_>>().join("\n");
    let items = changes.iter().map(|c| view! { <li>{c.describe()}</li> }).collect_view();
    // Seed, "Location": the first onboarding fixes where Defender for Endpoint keeps the data.
    let first_onboarding = intent == Intent::Integration(true)
        && session.overview.signal().with_untracked(|k| tenancy::may_be_first_onboarding(&k.model));
    let (rest_copy, az_copy) = (rest.clone(), az.clone());
    // Not scoped to the page: the run goes on, and is logged, even if the user leaves meanwhile.
    let apply = move |_| {
        let Some(Ok(loaded)) = data.get_untracked() else { return };
        let parts = IntegrationParts::from_settings(&loaded.settings);
        let name = loaded.subscription.display_name.clone();
        let plan = Plan::one(intent, &name, changes.clone(), parts, loaded.plan);
        session.runs.subscription.start(&session, plan);
    };
    view! {
        // Apply has the focus first; Escape cancels unless the writes have started.
        <Dialog labelled_by="confirm-title" on_close=move |_| pending.set(None) busy=busy>
            <h2 id="confirm-title">{title}</h2>
            <p>"These settings will be written to the subscription, one after the other:"</p>
            <ul>{items}</ul>
            {first_onboarding.then(|| view! { <p class="notice data-location">{tenancy::DATA_LOCATION}</p> })}
            <details>
                <summary>"As REST calls and Azure CLI commands"</summary>
                <pre class="code">{rest}</pre>
                <button on:click=move |_| copy_text(&rest_copy)>"Copy REST"</button>
                <pre class="code">{az}</pre>
                <button on:click=move |_| copy_text(&az_copy)>"Copy az commands"</button>
            </details>
            <p class="actions">
                <button class="primary" autofocus=true disabled=move || busy.get() on:click=apply>
                    {move || if busy.get() { "Applying…" } else { "Apply" }}
                </button>
                <button disabled=move || busy.get() on:click=move |_| pending.set(None)>"Cancel"</button>
            </p>
        </Dialog>
    }
}

/// What ARM answered and reports now, per setting written, for the last change made on this
/// subscription's page.
#[component]
fn Results(record: RwSignal<Option<Record<SubscriptionChanges>>>, subscription_id: String) -> impl IntoView {
    let finished = Memo::new(move |_| {
        record.with(|r| {
            let row = r.as_ref()?.rows.first()?;
            row.subscription_id.eq_ignore_ascii_case(&subscription_id).then(|| row.finished().cloned()).flatten()
        })
    });
    let any_enabled = move || {
        finished
            .with(|f| f.as_ref().is_some_and(|f| f.failure.is_none() && f.writes.iter().any(|w| w.write.turns_on())))
    };
    view! {
        <Show when=move || finished.with(Option::is_some)>
            <section class="results" aria-labelledby="results-title" role="status">
                <h2 id="results-title">"Result, as Azure reports it"</h2>
                <ul>
                    {move || finished.get().map(|f| f.writes.iter().map(|w| {
                        let reads = match (&f.read_back, &f.failure) {
                            (Some(read), _) => format!("Azure now reports {} = {}.", w.write.name(), setting_value(read, &w.write)),
                            (None, Some(failure)) => format!("Reading it back failed: {}.", failure.message),
                            (None, None) => String::new(),
                        };
                        match (&w.sent.error, &f.read_back) {
                            (Some(e), _) => view! { <li class="failed">{format!("Failed: {}. {} — {}", w.write.describe(), e.message, e.advice)}</li> }.into_any(),
                            (None, Some(read)) if read.holds(&w.write) => view! { <li class="ok">{format!("Done: {}. {reads}", w.write.describe())}</li> }.into_any(),
                            (None, _) => view! { <li class="failed">{format!("Written, but not confirmed: {}. {reads}", w.write.describe())}</li> }.into_any(),
                        }
                    }).collect_view())}
                </ul>
                <Show when=any_enabled>
                    <p class="note">"Defender for Cloud now onboards the machines to Defender for Endpoint: this can take up to 12 hours for existing machines, and up to an hour for machines created from now on."</p>
                </Show>
            </section>
        </Show>
    }
}

/// The setting's `enabled` as read back (the Linux exclusion is stored inverted).
fn setting_value(read: &ReadBack, write: &Write) -> bool {
    read.value_of(write)
}

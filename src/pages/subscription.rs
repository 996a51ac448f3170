//! One subscription: its three integration parts, what can be changed and why not, a confirm
//! dialog that lists the exact change, and after each write what ARM reports.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mde_core::api;
use mde_core::arm::permissions::{self, Permission};
use mde_core::arm::pricings::{Pricing, VIRTUAL_MACHINES};
use mde_core::arm::settings::Setting;
use mde_core::arm::subscriptions::Subscription;
use mde_core::audit::{self, AuditEntry};
use mde_core::change::{self, Facts, Intent, Outcome, SettingChange, LINUX_OFF_RULE, UNIFIED_OFF_RULE};
use mde_core::connectors::{self, ConnectedAccount};
use mde_core::error::{ArmFailure, Remedy};
use mde_core::overview::SETTINGS_WRITE;
use mde_core::portal::{defender_portal_url, portal_url, subscription_portal_url};
use mde_core::status::{IntegrationParts, IntegrationStatus, ServersPlan};
use mde_core::tenancy;
use mde_core::time::iso_utc;

use crate::audit_log;
use crate::browser::{self, copy_text};
use crate::components::dialog::Dialog;
use crate::components::registration::RegisterSecurity;
use crate::components::Problem;
use crate::pages::overview::{account_row, ConnectorsTable};
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
    let (settings_path, pricing_path, permissions_path) =
        (api::settings(id), api::pricing(id, VIRTUAL_MACHINES), api::permissions(id));
    let (settings, pricing, permissions, connectors) = futures::join!(
        client.list::<Setting>(&settings_path),
        client.get::<Pricing>(&pricing_path),
        client.list::<Permission>(&permissions_path),
        connectors::read(client, id),
    );
    let plan = match pricing {
        Ok(p) => ServersPlan::from_pricing(Some(&p)),
        Err(ArmFailure::Http { status: 404, .. }) => ServersPlan::Off,
        Err(e) => return Err(e),
    };
    Ok(Loaded {
        subscription,
        settings: settings?,
        plan,
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
    let outcomes = RwSignal::new(Vec::<Outcome>::new());
    let pending = RwSignal::new(None::<(Intent, Vec<SettingChange>)>);
    let busy = RwSignal::new(false);

    let back = session.base.clone();
    let dialog_session = session.clone();
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
        <Results outcomes=outcomes/>
        {move || pending.get().map(|(intent, changes)| {
            let session = dialog_session.clone();
            view! { <ConfirmDialog session=session intent=intent changes=changes pending=pending busy=busy outcomes=outcomes reload=reload data=data/> }
        })}
    }
}

#[component]
fn Parts(
    session: Session,
    loaded: Loaded,
    pending: RwSignal<Option<(Intent, Vec<SettingChange>)>>,
    busy: RwSignal<bool>,
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
    busy: RwSignal<bool>,
    outcomes: RwSignal<Vec<Outcome>>,
    reload: RwSignal<u32>,
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
    let apply = move |_| {
        let session = session.clone();
        let changes = changes.clone();
        busy.set(true);
        // Not scoped to the page: writes that have started run to their end and are logged,
        // even if the user leaves meanwhile.
        spawn_local(async move {
            let before = data.get_untracked().and_then(Result::ok);
            let settings = before.as_ref().map(|l| l.settings.clone()).unwrap_or_default();
            let name = before.map(|l| l.subscription.display_name).unwrap_or_default();
            let arm_url = session.client.arm_url().to_string();
            let done = change::apply(&session.client, &changes, &settings, |outcome| {
                let time = iso_utc(browser::now_ms());
                let at = audit::Context {
                    time: &time,
                    tenant_id: &session.tenant_id,
                    user: &session.user,
                    subscription_name: &name,
                    arm_url: &arm_url,
                };
                audit_log::append(&session, AuditEntry::from_outcome(outcome, &at));
            })
            .await;
            // The overview's row takes what Azure read back, even if the re-read below is dropped.
            if let Some(change) = changes.first() {
                session.overview.changed(&change.subscription_id, &settings, &done);
            }
            outcomes.set(done);
            busy.set(false);
            pending.set(None);
            reload.update(|n| *n += 1);
        });
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

/// What ARM answered and reports now, per setting written.
#[component]
fn Results(outcomes: RwSignal<Vec<Outcome>>) -> impl IntoView {
    let any_enabled = move || outcomes.with(|o| o.iter().any(|o| o.verified() && o.change.turns_on()));
    view! {
        <Show when=move || !outcomes.with(Vec::is_empty)>
            <section class="results" aria-labelledby="results-title" role="status">
                <h2 id="results-title">"Result, as Azure reports it"</h2>
                <ul>
                    {move || outcomes.get().into_iter().map(|o| {
                        let read = match &o.read_back {
                            Ok(Some(v)) => format!("Azure now reports {} = {}.", o.change.setting, v),
                            Ok(None) => format!("Azure now reports no {} setting.", o.change.setting),
                            Err(f) => format!("Reading {} back failed: {f}.", o.change.setting),
                        };
                        match &o.written {
                            Ok(_) if o.verified() => view! { <li class="ok">{format!("Done: {}. {read}", o.change.describe())}</li> }.into_any(),
                            Ok(_) => view! { <li class="failed">{format!("Written, but not confirmed: {}. {read}", o.change.describe())}</li> }.into_any(),
                            Err(f) => view! { <li class="failed">{format!("Failed: {}. {f} — {}", o.change.describe(), f.advice())}</li> }.into_any(),
                        }
                    }).collect_view()}
                </ul>
                <Show when=any_enabled>
                    <p class="note">"Defender for Cloud now onboards the machines to Defender for Endpoint: this can take up to 12 hours for existing machines, and up to an hour for machines created from now on."</p>
                </Show>
            </section>
        </Show>
    }
}

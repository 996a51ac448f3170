//! One machine (`/machines/machine?id=...`): what ARM says of it now, its readiness, and the
//! seed's "verify" step: the test alert (by hand, or through Run Command with consent) with a
//! watch for the alert, and the sensor check.

mod store;
mod verify;

use leptos::prelude::*;
use mde_core::api::{self, ResourceId};
use mde_core::arm::machines::{is_mde_extension, ArcExtension, ArcMachine, VirtualMachine, VmExtension};
use mde_core::arm::permissions::Permission;
use mde_core::deployment::readiness::readiness;
use mde_core::deployment::rows::{arc_extension, arc_machine, keep_worse, vm_extension, vm_machine};
use mde_core::deployment::table::{os_label, state_label};
use mde_core::deployment::{Machine, MachineKind};
use mde_core::error::ArmFailure;
use mde_core::portal::portal_url;

use crate::components::Problem;
use crate::router::{use_location, Page};
use crate::session::Session;

/// The machine as ARM shows it now (a VM with its power state), and what the user may do in
/// its subscription (`Err`: unreadable, so nothing is offered).
#[derive(Clone)]
struct Loaded {
    machine: Machine,
    /// Why its extensions could not be read (then `machine.extension` says nothing).
    extensions_unread: Option<ArmFailure>,
    permissions: Result<Vec<Permission>, ArmFailure>,
}

async fn load(session: &Session, id: &str) -> Result<Loaded, ArmFailure> {
    let resource = ResourceId::parse(id);
    let kind = resource.as_ref().and_then(|r| MachineKind::from_type(&r.resource_type()?));
    let (Some(resource), Some(kind)) = (resource, kind) else {
        return Err(ArmFailure::Unreadable(format!("'{id}' is not the id of a VM or an Arc machine")));
    };
    let subscription_id = resource.subscription_id().to_string();
    let client = &session.client;
    let (path, extensions) = (api::machine(&resource), api::machine_extensions(&resource));
    let (mut machine, extension) = match kind {
        MachineKind::Vm => {
            let vm = vm_machine(&client.get::<VirtualMachine>(&path).await?, &subscription_id, None);
            let mde = |list: Vec<VmExtension>| {
                list.iter().filter(|e| is_mde_extension(*e)).map(vm_extension).fold(None, |k, e| keep_worse(k, Some(e)))
            };
            (vm, client.list::<VmExtension>(&extensions).await.map(mde))
        }
        MachineKind::Arc => {
            let arc = arc_machine(&client.get::<ArcMachine>(&path).await?, &subscription_id, None);
            let mde = |list: Vec<ArcExtension>| {
                list.iter()
                    .filter(|e| is_mde_extension(*e))
                    .map(arc_extension)
                    .fold(None, |k, e| keep_worse(k, Some(e)))
            };
            (arc, client.list::<ArcExtension>(&extensions).await.map(mde))
        }
    };
    let extensions_unread = extension.as_ref().err().cloned();
    machine.extension = extension.ok().flatten();
    let permissions = client.list::<Permission>(&api::permissions(&subscription_id)).await;
    Ok(Loaded { machine, extensions_unread, permissions })
}

#[component]
pub fn MachinePage() -> impl IntoView {
    let session = expect_context::<Session>();
    let id = use_location().param("id");
    let loaded = RwSignal::new(None::<Result<Loaded, ArmFailure>>);
    let attempt = RwSignal::new(0u32);
    {
        let (session, id) = (session.clone(), id.clone());
        Effect::new(move |_| {
            attempt.track();
            loaded.set(None);
            let (session, id) = (session.clone(), id.clone());
            crate::browser::spawn_scoped(async move { loaded.set(Some(load(&session, &id).await)) });
        });
    }
    let back = session.href(Page::Machines, &[]);
    view! {
        <div class="machine">
            <p><a href=back>"← Machines"</a></p>
            {move || match loaded.get() {
                None => view! { <p role="status">"Reading the machine from Azure…"</p> }.into_any(),
                Some(Err(failure)) => view! {
                    <Problem title="The machine could not be read" message=format!("{failure}. {}", failure.advice()) retry=attempt/>
                }.into_any(),
                Some(Ok(loaded)) => view! { <Facts loaded=loaded.clone()/><verify::Verify loaded=loaded/> }.into_any(),
            }}
        </div>
    }
}

/// What the machine is and where, its MDE extension, and its readiness (with its subscription's
/// plan and integration once the overview has read them).
#[component]
fn Facts(loaded: Loaded) -> impl IntoView {
    let session = expect_context::<Session>();
    let m = loaded.machine;
    // The subscription's plan and integration, as the overview read them (if it has).
    let overview = session.overview.signal();
    let context = overview.with_untracked(|k| {
        k.model
            .row(&m.subscription_id)
            .is_some()
            .then(|| crate::tenant::machines::context_of(&k.model)(&m.subscription_id))
    });
    let facts = context.as_ref().and_then(|c| c.facts);
    let ready = readiness(&m, facts.as_ref());
    let extension = match (&m.extension, &loaded.extensions_unread) {
        (Some(e), _) if e.provisioning_state.is_empty() => e.name.clone(),
        (Some(e), _) => format!("{} ({})", e.name, e.provisioning_state),
        (None, Some(failure)) => format!("Could not be read: {failure}"),
        (None, None) => "None".into(),
    };
    let subscription_name = context.map_or_else(|| m.subscription_id.clone(), |c| c.name);
    let portal = portal_url(&session.cloud, Some(&session.tenant_id), &m.id);
    let subscription = session.href(Page::Subscription(m.subscription_id.clone()), &[]);
    let os = match m.os_detail.is_empty() {
        true => os_label(m.os).to_string(),
        false => format!("{} ({})", os_label(m.os), m.os_detail),
    };
    view! {
        <h1>{m.name.clone()}</h1>
        <dl class="facts">
            <dt>"Kind"</dt><dd>{match m.kind { MachineKind::Vm => "Azure VM", MachineKind::Arc => "Arc machine" }}</dd>
            <dt>"OS"</dt><dd>{os}</dd>
            <dt>"State"</dt><dd>{state_label(&m.state).to_string()}</dd>
            <dt>"Subscription"</dt><dd><a href=subscription>{subscription_name}</a></dd>
            <dt>"Resource group"</dt><dd>{m.resource_group.clone()}</dd>
            <dt>"Region"</dt><dd>{m.location.clone()}</dd>
            <dt>"MDE extension"</dt><dd>{extension}</dd>
            <dt>"Readiness"</dt><dd>{ready.label()}" — "{ready.advice()}</dd>
            {portal.map(|href| view! {
                <dt>"Azure portal"</dt><dd><a href=href target="_blank" rel="noopener noreferrer">"Open the machine"</a></dd>
            })}
        </dl>
    }
}

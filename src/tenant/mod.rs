//! The tenant's state under the pages: the runs of its writes, one [`runner::Runner`] per kind
//! of write, and what each run hands back to the tenant's stores.

pub mod machines;
pub mod overview;
pub mod runner;

use leptos::prelude::*;
use mde_core::bulk::run::{Finished, SubscriptionChanges};
use mde_core::cloud::Cloud;
use mde_core::deployment::actions::run::{MachineChanges, MachineFinished, ReadBack};
use mde_core::deployment::MdeExtension;
use mde_core::lro::Limits;

use crate::session::Session;
pub use runner::{ReadBackInto, Runner};

/// The session's runs: they go on while the user looks at other pages.
#[derive(Clone)]
pub struct Runs {
    /// A bulk plan's writes to subscriptions.
    pub subscriptions: Runner<SubscriptionChanges>,
    /// The last change made on a subscription's page (a plan of one), apart from the bulk run.
    pub subscription: Runner<SubscriptionChanges>,
    /// The tag and the extension's removal on machines.
    pub machines: Runner<MachineChanges>,
}

impl Runs {
    pub fn new(cloud: &Cloud) -> Runs {
        Runs {
            subscriptions: Runner::new("bulk", SubscriptionChanges { cloud: cloud.clone() }),
            subscription: Runner::new("subscription", SubscriptionChanges { cloud: cloud.clone() }),
            machines: Runner::new("machines", MachineChanges { limits: Limits::default() }),
        }
    }
}

/// The overview's row takes what ARM read back of the subscription.
impl ReadBackInto for SubscriptionChanges {
    fn show(session: &Session, target: &str, finished: &Finished) {
        if let Some(read) = &finished.read_back {
            session.overview.read_back_parts(target, read);
        }
    }
}

/// The machine's row takes what ARM read back: its tags, or its extension (gone, or its state).
impl ReadBackInto for MachineChanges {
    fn show(session: &Session, target: &str, finished: &MachineFinished) {
        let Some(read) = &finished.read_back else { return };
        session.machines.signal().update(|k| {
            let Some(row) = k.table.row_of(target) else { return };
            let mut machine = k.table.machine(row).clone();
            match read {
                ReadBack::Tags(tags) => machine.tags = tags.clone(),
                ReadBack::Extension(None) => machine.extension = None,
                ReadBack::Extension(Some(state)) => {
                    let name = machine.extension.as_ref().map(|e| e.name.clone()).unwrap_or_default();
                    let message = machine.extension.as_ref().and_then(|e| e.message.clone());
                    machine.extension = Some(MdeExtension { name, provisioning_state: state.clone(), message });
                }
            }
            let context = k.table.context(&machine.subscription_id).cloned().unwrap_or_default();
            k.table.extend(vec![machine], |_| context.clone());
            k.version += 1;
        });
    }
}

//! The demo tenant's plans in every export, as reviewed: tests/golden/exports/ at the
//! repository's root (`UPDATE_GOLDEN=1 cargo test -p plan-export` rewrites them after a change,
//! for review in the diff). The plans are the ones the demo's pages make: the overview's "All
//! Partial" pick planned for Fix, and every demo machine planned for each machine action, read
//! from public/demo/scenario.json by the core's own loaders. tests/exports/ runs the real tools
//! (Azure CLI, PowerShell grammar, HashiCorp's HCL parser, the ARM template schema) on them.

#[path = "../../mde-core/tests/export_common/mod.rs"]
mod export_common;

use std::cell::RefCell;

use export_common::{golden, plan_json};
use fake_azure::{FakeAzure, Options};
use futures::executor::block_on;
use mde_core::bulk::export::{export, Format};
use mde_core::bulk::{Action, Pick, Plan};
use mde_core::client::ArmClient;
use mde_core::cloud::Cloud;
use mde_core::deployment::actions::{self, export as machine_export, MachineAction, MachinePlan};
use mde_core::deployment::load::{self, LoadEvent};
use mde_core::deployment::readiness::SubscriptionFacts;
use mde_core::deployment::Machine;
use mde_core::overview::{self, Overview};
use mde_core::transport::{Request, Response, Transport, TransportError};

const ARM: &str = "https://management.azure.com";

/// The demo tenant, in process, as the demo's worker serves it.
struct Demo(RefCell<FakeAzure>);

impl Transport for Demo {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        self.0.borrow_mut().handle(request, 0).response.ok_or_else(|| TransportError::Network("dropped".into()))
    }

    async fn sleep(&self, _ms: u64) {}

    fn now_ms(&self) -> u64 {
        0
    }
}

fn demo_client() -> ArmClient<Demo> {
    let scenario = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../public/demo/scenario.json"))
        .expect("the demo scenario");
    let azure = FakeAzure::from_scenario_json(&scenario, Options { require_auth: false, ..Options::default() })
        .expect("the demo scenario loads");
    ArmClient::new(Demo(RefCell::new(azure)), ARM)
}

fn demo_overview(client: &ArmClient<Demo>) -> Overview {
    let mut model = Overview::default();
    block_on(overview::load(client, 4, |event| model.apply(event)));
    assert!(model.complete(), "the demo overview loads");
    model
}

fn demo_machines(client: &ArmClient<Demo>, overview: &Overview) -> Vec<Machine> {
    let subscriptions: Vec<String> = overview.rows.iter().map(|r| r.subscription.subscription_id.clone()).collect();
    let mut machines: Vec<Machine> = Vec::new();
    block_on(load::load(client, &subscriptions, 4, |event| match event {
        LoadEvent::Machines(more) => machines.extend(more),
        LoadEvent::Updated(updated) => {
            for machine in updated {
                if let Some(known) = machines.iter_mut().find(|m| m.id == machine.id) {
                    *known = machine;
                }
            }
        }
        LoadEvent::Done { .. } => {}
        other => panic!("the demo's machines load: {other:?}"),
    }));
    machines
}

#[test]
fn demo_plans_match_the_reviewed_exports() {
    let client = demo_client();
    let overview = demo_overview(&client);

    let partial: Vec<_> = overview.rows.iter().filter(|row| Pick::Partial.matches(row)).collect();
    let plan = Plan::new(Action::Fix, None, &Cloud::public(), &partial);
    assert!(plan.changing().count() > 0, "the demo has Partial subscriptions to fix");
    for format in Format::ALL {
        golden(&format!("fix-partial{}", format.suffix()), &export(&plan, format, ARM));
    }
    golden("fix-partial.plan.json", &plan_json(&plan));

    let machines = demo_machines(&client, &overview);
    let all: Vec<&Machine> = machines.iter().collect();
    let facts = |subscription_id: &str| {
        overview
            .row(subscription_id)
            .map(|r| SubscriptionFacts { plan: r.plan.ready().copied(), parts: r.parts.ready().copied() })
    };
    for action in MachineAction::ALL {
        let plan: MachinePlan = actions::plan(action, &all, facts);
        assert!(plan.changing().count() > 0, "the demo has machines to {}", action.key());
        for format in machine_export::FORMATS {
            let file = format!("machines-{}{}", action.key(), format.suffix());
            golden(&file, &machine_export::export(&plan, format, ARM).unwrap());
        }
        golden(&format!("machines-{}.plan.json", action.key()), &plan_json(&plan));
    }
}

//! bench-bulk: how close to ideal a bulk Fix runs (`mde_core::bulk::run::apply`).
//!
//! A generated tenant of N subscriptions is read by the app's overview loader (no latency: not
//! timed), every Partial subscription is selected (the "All Partial" pick) and Fix planned for
//! it; then the run is timed with a fixed latency per request and C subscriptions at once.
//!
//! Ideal: each subscription is a chain of round trips, its writes in order then the read-back,
//! and C chains run at once, so `ceil(changing / C) × (writes + 1) × latency`. The read-back is
//! two GETs (settings and pricings) that `run::read` sends together, so it counts as one round
//! trip; requests are counted apart (writes + 2 per subscription).
//!
//! Usage: bench-bulk [--subscriptions 200] [--latency-ms 100] [--concurrency 8]

use std::time::Instant;

use fake_azure::generate::{scenario_json, GenerateOptions};
use fake_azure::{FakeAzure, Faults, Options};
use mde_core::bulk::run::SubscriptionChanges;
use mde_core::bulk::{Action, Pick, Plan};
use mde_core::client::ArmClient;
use mde_core::cloud::Cloud;
use mde_core::overview::{self, Overview};
use mde_core::run::{self, Control, Event, Kind, Record};

#[path = "shared/simulated_network.rs"]
mod simulated_network;
use simulated_network::SimulatedNetwork;

/// Round trips of the read-back after a subscription's writes: its two GETs go out together.
const READ_BACK_ROUND_TRIPS: usize = 1;
const GOAL: f64 = 1.3;
const BUDGET: f64 = 1.5;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let subscriptions: usize =
        arg(&args, "--subscriptions").map_or(200, |v| v.parse().expect("--subscriptions takes a number"));
    let latency_ms: u64 = arg(&args, "--latency-ms").map_or(100, |v| v.parse().expect("--latency-ms takes a number"));
    let concurrency: usize =
        arg(&args, "--concurrency").map_or(8, |v| v.parse().expect("--concurrency takes a number"));

    let scenario =
        scenario_json(&GenerateOptions { subscriptions, machines: 0, seed: 7, ..GenerateOptions::default() });
    let azure = FakeAzure::from_scenario_json(&scenario, Options { require_auth: false, ..Options::default() })
        .expect("the generated scenario loads");
    let client = ArmClient::new(SimulatedNetwork::new(azure), "https://management.azure.com");
    let mut model = Overview::default();
    futures::executor::block_on(overview::load(&client, concurrency, |event| model.apply(event)));
    assert!(model.complete(), "the overview loads");

    let partial: Vec<_> = model.rows.iter().filter(|row| Pick::Partial.matches(row)).collect();
    let plan = Plan::new(Action::Fix, None, &Cloud::public(), &partial);
    let work = Record::<SubscriptionChanges>::new(plan.clone()).work();
    let changing = work.len();
    let skipped: Vec<String> = plan.totals().skipped.iter().map(|(kind, n)| format!("{n} {}", kind.label())).collect();
    let skipped = if skipped.is_empty() { "none".to_string() } else { skipped.join(", ") };
    let writes: Vec<usize> = plan.changing().map(|item| item.writes.len()).collect();
    let (fewest, most) = (writes.iter().min().copied().unwrap_or(0), writes.iter().max().copied().unwrap_or(0));

    client
        .transport()
        .azure
        .lock()
        .expect("the fake is not poisoned")
        .set_faults(Faults { latency_ms, ..Faults::default() });
    let requests_before = client.transport().requests();
    let (mut done, mut failed) = (0, 0);
    let started = Instant::now();
    let kind = SubscriptionChanges { cloud: Cloud::public() };
    futures::executor::block_on(run::apply(&kind, &client, &plan, work, concurrency, &Control::default(), |event| {
        if let Event::Finished(_, finished) = event {
            if SubscriptionChanges::failure(&finished).is_none() {
                done += 1;
            } else {
                failed += 1;
            }
        }
    }));
    let wall_ms = started.elapsed().as_millis() as u64;
    let requests = client.transport().requests() - requests_before;

    // Chains of round trips, C at a time (the longest chain when subscriptions differ).
    let waves = changing.div_ceil(concurrency.max(1)) as u64;
    let ideal_ms = waves * (most + READ_BACK_ROUND_TRIPS) as u64 * latency_ms;
    let ratio = wall_ms as f64 / ideal_ms.max(1) as f64;
    let verdict = if ratio <= GOAL {
        "within the goal"
    } else if ratio <= BUDGET {
        "within the budget"
    } else {
        "OVER the budget"
    };

    println!(
        "bulk Fix against the fake tenant: latency {latency_ms} ms per request, {concurrency} subscriptions at once"
    );
    println!(
        "{subscriptions} subscriptions, {} Partial, {changing} changing ({fewest}..={most} writes each; skipped: {skipped}), {done} done, {failed} failed, {requests} requests",
        partial.len()
    );
    println!(
        "wall {wall_ms} ms; ideal {ideal_ms} ms = ceil({changing}/{concurrency}) x ({most} write(s) + {READ_BACK_ROUND_TRIPS} read-back: settings and pricings GETs together) x {latency_ms} ms; ratio {ratio:.2} ({verdict}; goal {GOAL}, budget {BUDGET})"
    );
}

//! bench-overview: how many round trips the overview costs, and how close to ideal it loads.
//!
//! For generated tenants of N subscriptions it runs the app's own overview loader
//! (`mde_core::overview::load`) against the fake tenant with a fixed latency per request, and
//! prints: requests, time to the first complete row, time to the full table, and the ratio to
//! the ideal `(1 + ceil((requests - 1) / C)) × latency` (the list first, then C at a time).
//! Coverage (one more Resource Graph query, after the table) is reported apart.
//!
//! Usage: bench-overview [--subscriptions 50,500,2000] [--latency-ms 100] [--concurrency 8]

use std::time::{Duration, Instant};

use fake_azure::generate::{scenario_json, GenerateOptions};
use fake_azure::{FakeAzure, Faults, Options};
use mde_core::client::ArmClient;
use mde_core::overview::{self, Overview, OverviewEvent};

#[path = "shared/simulated_network.rs"]
mod simulated_network;
use simulated_network::SimulatedNetwork;

struct Figures {
    subscriptions: usize,
    table_requests: usize,
    first_row: Duration,
    full_table: Duration,
    coverage_requests: usize,
    coverage_done: Duration,
}

fn run(subscriptions: usize, latency_ms: u64, concurrency: usize) -> Figures {
    let scenario = scenario_json(&GenerateOptions {
        subscriptions,
        machines: subscriptions * 10,
        seed: 7,
        ..GenerateOptions::default()
    });
    let options =
        Options { require_auth: false, faults: Faults { latency_ms, ..Faults::default() }, ..Options::default() };
    let azure = FakeAzure::from_scenario_json(&scenario, options).expect("the generated scenario loads");
    let client = ArmClient::new(SimulatedNetwork::new(azure), "https://management.azure.com");
    let requests = || client.transport().requests();

    let started = Instant::now();
    let mut model = Overview::default();
    let (mut first_row, mut full_table, mut table_requests) = (None, None, 0);
    futures::executor::block_on(overview::load(&client, concurrency, |event| {
        let coverage = matches!(event, OverviewEvent::Coverage(_));
        model.apply(event);
        let complete = |r: &overview::SubscriptionRow| {
            r.parts.ready().is_some() && r.plan.ready().is_some() && r.can_change.ready().is_some()
        };
        if first_row.is_none() && model.rows.iter().any(complete) {
            first_row = Some(started.elapsed());
        }
        if full_table.is_none() && !coverage && model.complete() {
            full_table = Some(started.elapsed());
            table_requests = requests();
        }
    }));
    Figures {
        subscriptions,
        table_requests,
        first_row: first_row.unwrap_or_default(),
        full_table: full_table.unwrap_or_default(),
        coverage_requests: requests() - table_requests,
        coverage_done: started.elapsed(),
    }
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let sizes: Vec<usize> = arg(&args, "--subscriptions")
        .unwrap_or_else(|| "50,500,2000".into())
        .split(',')
        .map(|n| n.trim().parse().expect("--subscriptions takes numbers, e.g. 50,500"))
        .collect();
    let latency_ms: u64 = arg(&args, "--latency-ms").map_or(100, |v| v.parse().expect("--latency-ms takes a number"));
    let concurrency: usize =
        arg(&args, "--concurrency").map_or(8, |v| v.parse().expect("--concurrency takes a number"));

    println!("overview against the fake tenant: latency {latency_ms} ms per request, {concurrency} in flight");
    println!(
        "{:>6} {:>9} {:>8} {:>11} {:>11} {:>9} {:>7} {:>14}",
        "subs", "requests", "2N+3", "first row", "full table", "ideal", "ratio", "+coverage"
    );
    for n in sizes {
        let f = run(n, latency_ms, concurrency);
        let ideal_ms = (1 + (f.table_requests.saturating_sub(1)).div_ceil(concurrency)) as u64 * latency_ms;
        let ratio = f.full_table.as_millis() as f64 / ideal_ms as f64;
        println!(
            "{:>6} {:>9} {:>8} {:>9}ms {:>9}ms {:>7}ms {:>7.2} {:>4} req {:>5}ms",
            f.subscriptions,
            f.table_requests,
            2 * f.subscriptions + 3,
            f.first_row.as_millis(),
            f.full_table.as_millis(),
            ideal_ms,
            ratio,
            f.coverage_requests,
            f.coverage_done.as_millis()
        );
    }
}

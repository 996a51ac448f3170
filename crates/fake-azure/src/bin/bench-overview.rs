//! bench-overview: how many round trips the overview costs, and how close to ideal it loads.
//!
//! For generated tenants of N subscriptions it runs the app's own overview loader
//! (`mde_core::overview::load`) against the fake tenant with a fixed latency per request, and
//! prints: requests, time to the first complete row, time to the full table, and the ratio to
//! the ideal `(1 + ceil((requests - 1) / C)) × latency` (the list first, then C at a time).
//! Coverage (one more Resource Graph query, after the table) is reported apart.
//!
//! Usage: bench-overview [--subscriptions 50,500,2000] [--latency-ms 100] [--concurrency 8]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fake_azure::generate::{scenario_json, GenerateOptions};
use fake_azure::{FakeAzure, Faults, Options};
use mde_core::client::ArmClient;
use mde_core::overview::{self, Overview, OverviewEvent};
use mde_core::transport::{Request, Response, Transport, TransportError};

/// The fake tenant behind a simulated network: every answer arrives after its latency.
struct SimulatedNetwork {
    azure: Arc<Mutex<FakeAzure>>,
    requests: Arc<AtomicUsize>,
}

fn epoch_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// A timer without a runtime: a thread that sleeps, then completes a channel.
async fn sleep(ms: u64) {
    let (done, wait) = futures::channel::oneshot::channel::<()>();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(ms));
        let _ = done.send(());
    });
    let _ = wait.await;
}

impl Transport for SimulatedNetwork {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        let reply = self.azure.lock().expect("the fake is not poisoned").handle(request, epoch_ms());
        sleep(reply.delay_ms).await;
        reply.response.ok_or_else(|| TransportError::Network("dropped".into()))
    }

    async fn sleep(&self, ms: u64) {
        sleep(ms).await
    }

    fn now_ms(&self) -> u64 {
        epoch_ms()
    }
}

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
    let requests = Arc::new(AtomicUsize::new(0));
    let network = SimulatedNetwork { azure: Arc::new(Mutex::new(azure)), requests: requests.clone() };
    let client = ArmClient::new(network, "https://management.azure.com");

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
            table_requests = requests.load(Ordering::SeqCst);
        }
    }));
    Figures {
        subscriptions,
        table_requests,
        first_row: first_row.unwrap_or_default(),
        full_table: full_table.unwrap_or_default(),
        coverage_requests: requests.load(Ordering::SeqCst) - table_requests,
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

//! The fake tenant behind a simulated network, for the benchmarks: every answer arrives after
//! the fake's latency, on the wall clock, with no async runtime (a thread sleeps per request).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fake_azure::FakeAzure;
use mde_core::transport::{Request, Response, Transport, TransportError};

pub struct SimulatedNetwork {
    pub azure: Arc<Mutex<FakeAzure>>,
    pub requests: Arc<AtomicUsize>,
}

impl SimulatedNetwork {
    pub fn new(azure: FakeAzure) -> Self {
        SimulatedNetwork { azure: Arc::new(Mutex::new(azure)), requests: Arc::new(AtomicUsize::new(0)) }
    }

    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
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

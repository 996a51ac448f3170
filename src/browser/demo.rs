//! Demo mode's transport: the fake Azure tenant, running inside the page with no network.

use std::cell::RefCell;
use std::rc::Rc;

use fake_azure::{FakeAzure, Options};
use mde_core::transport::{Request, Response, Transport, TransportError};

/// Where the demo tenant comes from: a trainer can replace this file in a deployed site.
pub const SCENARIO_PATH: &str = "/demo/scenario.json";

/// A little latency makes the demo stream in as the real thing does.
const DEMO_LATENCY_MS: u64 = 120;

#[derive(Clone)]
pub struct DemoTransport {
    azure: Rc<RefCell<FakeAzure>>,
}

impl DemoTransport {
    /// Builds the demo tenant from a scenario file's text.
    pub fn from_scenario(json: &str) -> Result<Self, String> {
        let mut options = Options { require_auth: false, ..Options::default() };
        options.faults.latency_ms = DEMO_LATENCY_MS;
        let azure = FakeAzure::from_scenario_json(json, options).map_err(|e| e.to_string())?;
        Ok(DemoTransport { azure: Rc::new(RefCell::new(azure)) })
    }
}

impl Transport for DemoTransport {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        let reply = self.azure.borrow_mut().handle(request, super::now_ms());
        super::sleep(reply.delay_ms).await;
        reply.response.ok_or_else(|| TransportError::Network("the demo tenant dropped the request".into()))
    }

    async fn sleep(&self, ms: u64) {
        super::sleep(ms).await
    }

    fn now_ms(&self) -> u64 {
        super::now_ms()
    }
}

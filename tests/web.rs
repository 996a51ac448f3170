//! In-browser component tests (wasm-bindgen-test in headless Chromium): the app's views
//! mounted over the demo tenant, read back from the DOM as a user would see them.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;

use demo_protocol::{Answer, FromTenant, ToTenant};
use fake_azure::worker::Host;
use futures::future::LocalBoxFuture;
use leptos::prelude::*;
use mde_console::browser::demo::{call, DemoTransport, TenantPort};
use mde_console::browser::sleep;
use mde_console::pages::overview::Overview;
use mde_console::router::Location;
use mde_console::session::Session;
use mde_core::transport::Request;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The demo tenant run in the page (the app runs it in a worker, which this harness cannot
/// serve), over the same messages.
struct InPage(RefCell<Host>);

impl TenantPort for InPage {
    fn call(&self, request: &Request) -> LocalBoxFuture<'static, Option<Answer>> {
        let text = serde_json::to_string(&ToTenant::Call(call(0, request))).unwrap();
        let answer = match self.0.borrow_mut().receive(&text, mde_console::browser::now_ms()) {
            FromTenant::Answer(answer) => Some(answer),
            _ => None,
        };
        Box::pin(std::future::ready(answer))
    }
}

fn demo_session(scenario: &str) -> Session {
    let mut host = Host::default();
    let start = serde_json::to_string(&ToTenant::Start { scenario: scenario.into(), latency_ms: 20 }).unwrap();
    assert_eq!(host.receive(&start, 0), FromTenant::Started { error: None });
    mde_console::pages::demo::demo_session(DemoTransport::new(InPage(RefCell::new(host))), scenario)
}

fn mount(session: Session) -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    let handle = leptos::mount::mount_to(host.clone(), move || {
        Location::provide();
        provide_context(session);
        view! { <Overview/> }
    });
    handle.forget();
    host
}

/// Polls the DOM until `done` holds, for at most ten seconds.
async fn until(host: &web_sys::HtmlElement, done: impl Fn(&str) -> bool) -> String {
    for _ in 0..200 {
        let text = host.text_content().unwrap_or_default();
        if done(&text) {
            return text;
        }
        sleep(50).await;
    }
    panic!("gave up waiting; the view shows: {}", host.text_content().unwrap_or_default());
}

fn row_cells(host: &web_sys::HtmlElement, name: &str) -> Vec<String> {
    let rows = host.query_selector_all("tbody tr").unwrap();
    for i in 0..rows.length() {
        let row: web_sys::Element = rows.item(i).unwrap().unchecked_into();
        let cells = row.query_selector_all("th, td:not(.select)").unwrap();
        let texts: Vec<String> =
            (0..cells.length()).map(|j| cells.item(j).unwrap().text_content().unwrap_or_default()).collect();
        if texts.first().map(String::as_str) == Some(name) {
            return texts;
        }
    }
    panic!("no row named {name}");
}

#[wasm_bindgen_test]
async fn overview_fills_in_statuses_from_the_demo_tenant() {
    let host = mount(demo_session(include_str!("../public/demo/scenario.json")));
    until(&host, |t| t.contains("12 subscriptions") && !t.contains("still loading")).await;
    assert_eq!(row_cells(&host, "Contoso Retail – EU")[1..4], ["Enabled", "P2", "Partial"]);
    assert_eq!(row_cells(&host, "Contoso Sandbox")[1..4], ["Enabled", "Off", "Off"]);
    assert_eq!(row_cells(&host, "Contoso Production")[1..4], ["Enabled", "P2", "On"]);
}

#[wasm_bindgen_test]
async fn a_tenant_without_subscriptions_says_so() {
    let scenario = r#"{"name":"empty","subscriptions":[]}"#;
    let host = mount(demo_session(scenario));
    until(&host, |t| t.contains("No subscriptions")).await;
    assert_eq!(host.query_selector_all("tbody tr").unwrap().length(), 0);
}

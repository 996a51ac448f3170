//! The demo tenant's Web Worker: fake Azure ([`fake_azure::worker::Host`]) answering the
//! page's messages. Trunk builds it as a worker and only demo mode starts it, so the app's own
//! bundle carries no fake and signed-in users never download one.

use std::cell::RefCell;

use demo_protocol::FromTenant;
use fake_azure::worker::Host;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn main() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let host = RefCell::new(Host::default());
    let reply_to = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let text = event.data().as_string().unwrap_or_default();
        let answer = host.borrow_mut().receive(&text, js_sys::Date::now() as u64);
        post(&reply_to, &answer);
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker, which the page ends when it leaves the demo.
    on_message.forget();
    post(&scope, &FromTenant::Ready);
}

fn post(scope: &DedicatedWorkerGlobalScope, message: &FromTenant) {
    let text = serde_json::to_string(message).expect("the tenant's messages serialize");
    let _ = scope.post_message(&JsValue::from_str(&text));
}

//! The plan's exports as a Web Worker: the page loads it when the user exports a plan, so the
//! export code (eight languages, their quoting and headers) is not in the bundle every visitor
//! loads. It announces itself with [`READY`], then answers each [`ExportRequest`] with the file.

use mde_core::bulk::export::{export, ExportRequest, READY};
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn main() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_to = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let text = event.data().as_string().unwrap_or_default();
        let file = match serde_json::from_str::<ExportRequest>(&text) {
            Ok(request) => export(&request.plan, request.format, &request.arm_url),
            Err(e) => format!("The export could not be made: {e}"),
        };
        let _ = reply_to.post_message(&JsValue::from_str(&file));
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker, which the page ends after one answer.
    on_message.forget();
    let _ = scope.post_message(&JsValue::from_str(READY));
}

//! The plan's exports, made by a Web Worker (`crates/plan-export`) started for each export and
//! ended after its answer: the export code stays out of the bundle every visitor loads.

use futures::channel::mpsc;
use futures::StreamExt;
use mde_core::bulk::export::READY;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker};

/// Trunk's loader for the worker, from the site's root (a worker's file is named at run time,
/// so it is not hashed).
const WORKER_PATH: &str = "/plan-export_loader.js";

/// How long the worker may take to load and answer.
const ANSWER_WITHIN_MS: u64 = 15_000;

const FAILED: &str = "The export could not be made: the site is missing plan-export_loader.js or its wasm.";

/// The file for `message` (a plan's export request, as JSON), or why there is none.
pub async fn export(message: String) -> Result<String, String> {
    let worker = Worker::new(&super::site_path(WORKER_PATH)).map_err(|_| FAILED.to_string())?;
    let (sender, mut messages) = mpsc::unbounded::<Option<String>>();
    let failed = sender.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let _ = sender.unbounded_send(event.data().as_string());
    });
    let on_error = Closure::<dyn Fn(web_sys::Event)>::new(move |_| {
        let _ = failed.unbounded_send(None);
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let exchange = async {
        // Sent before the worker listens, the request would be lost: wait for its READY.
        if messages.next().await.flatten().as_deref() != Some(READY) {
            return Err(FAILED.to_string());
        }
        worker.post_message(&JsValue::from_str(&message)).map_err(|_| FAILED.to_string())?;
        messages.next().await.flatten().ok_or_else(|| FAILED.to_string())
    };
    // A worker whose wasm fails to load raises no error here: give it a while.
    let answer = match futures::future::select(Box::pin(exchange), Box::pin(super::sleep(ANSWER_WITHIN_MS))).await {
        futures::future::Either::Left((answer, _)) => answer,
        futures::future::Either::Right(_) => Err(FAILED.to_string()),
    };
    worker.terminate();
    answer
}

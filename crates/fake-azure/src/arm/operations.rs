//! ARM's long-running operations (here: deleting an extension): started with 202, polled through
//! `Azure-AsyncOperation` (status JSON) or `Location` (202 until done, then 204), finished by time.
//!
//! A deletion fails when the machine's scenario lists `failedDeletions`: the next operation takes
//! the first error, ends `Failed` with it (the status JSON's `error`; `Location` answers it as
//! the synchronous call would have, 409 with ARM's envelope), and the extension stays, its
//! provisioningState `Failed`. Deterministic: the scenario says which deletions fail.

use http::Response;
use serde_json::{json, Value};

use super::machines::At;
use super::{errors, Call};
use crate::clock::iso8601;
use crate::scenario::{Kind, World};
use crate::wire;

#[derive(Debug)]
struct Operation {
    id: String,
    subscription: usize,
    kind: Kind,
    machine: usize,
    extension: String,
    started_ms: u64,
    done_ms: u64,
    finished: bool,
    /// Set when the operation ended `Failed`: ARM's `{code, message}`.
    error: Option<Value>,
}

/// The two polling URLs of a started operation.
pub(crate) struct Links {
    pub status_url: String,
    pub result_url: String,
}

#[derive(Debug, Default)]
pub(crate) struct Operations {
    list: Vec<Operation>,
    pending: usize,
}

impl Operations {
    /// Starts deleting extension `extension` of machine `machine`; it completes `call.lro_ms` later.
    pub fn start(
        &mut self,
        subscription_id: &str,
        at: &At,
        machine: usize,
        extension: &str,
        location: &str,
        call: &mut Call,
    ) -> Links {
        let id = call.ids.uuid();
        self.list.push(Operation {
            id: id.clone(),
            subscription: at.subscription,
            kind: at.kind,
            machine,
            extension: extension.to_string(),
            started_ms: call.now_ms,
            done_ms: call.now_ms + call.lro_ms,
            finished: false,
            error: None,
        });
        self.pending += 1;
        let (status, result) = match at.kind {
            Kind::Vm => ("operations", "operations"),
            Kind::Arc => ("operationStatus", "operationResults"),
        };
        let prefix = format!(
            "{}/subscriptions/{}/providers/{}/locations/{}",
            call.req.base,
            wire::encode(subscription_id),
            at.kind.namespace(),
            wire::encode(location)
        );
        let version = wire::encode(call.api_version);
        Links {
            status_url: format!("{prefix}/{status}/{id}?api-version={version}"),
            result_url: format!("{prefix}/{result}/{id}?monitor=true&api-version={version}"),
        }
    }

    /// Completes every operation whose time has come: the extension disappears, or, when the
    /// machine's scenario has a failure left, stays `Failed`.
    pub fn settle(&mut self, world: &mut World, now_ms: u64) {
        if self.pending == 0 {
            return;
        }
        for op in self.list.iter_mut().filter(|op| !op.finished && now_ms >= op.done_ms) {
            let sub = &mut world.subscriptions[op.subscription];
            let machine = &mut sub.machines_mut(op.kind).list[op.machine];
            let named = |e: &Value| {
                e.get("name").and_then(Value::as_str).is_some_and(|n| n.eq_ignore_ascii_case(&op.extension))
            };
            op.error = machine.failed_deletions.pop_front();
            if op.error.is_some() {
                if let Some(extension) = machine.extensions.iter_mut().find(|e| named(e)) {
                    super::security::object_at(extension, "properties")
                        .insert("provisioningState".into(), json!("Failed"));
                }
            } else {
                machine.extensions.retain(|e| !named(e));
            }
            op.finished = true;
            self.pending -= 1;
        }
    }

    /// Answers a poll of operation `id` under subscription `subscription`.
    pub fn poll(&self, subscription: usize, kind: Kind, id: &str, call: &Call) -> Response<Vec<u8>> {
        let Some(op) = self
            .list
            .iter()
            .find(|op| op.subscription == subscription && op.kind == kind && op.id.eq_ignore_ascii_case(id))
        else {
            return errors::not_found(format!("The operation '{id}' was not found."));
        };
        let monitor = call.req.query("monitor") == Some("true")
            || call.req.path.to_ascii_lowercase().contains("/operationresults/");
        if monitor {
            if let (true, Some(error)) = (op.finished, &op.error) {
                return errors::arm_with(409, error.clone());
            }
            if op.finished {
                return wire::empty(204);
            }
            let mut response = wire::empty(202);
            wire::set(
                &mut response,
                "location",
                &format!("{}{}?monitor=true&api-version={}", call.req.base, call.req.path, call.api_version),
            );
            wire::set(&mut response, "retry-after", "1");
            return response;
        }
        let state = match (op.finished, &op.error) {
            (false, _) => "InProgress",
            (true, None) => "Succeeded",
            (true, Some(_)) => "Failed",
        };
        let mut status = json!({
            "id": call.req.path,
            "name": op.id,
            "status": state,
            "startTime": iso8601(op.started_ms),
        });
        if op.finished {
            status["endTime"] = json!(iso8601(op.done_ms));
        }
        if let Some(error) = &op.error {
            status["error"] = error.clone();
        }
        wire::json(200, &status)
    }
}

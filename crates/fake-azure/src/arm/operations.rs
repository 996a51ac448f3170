//! ARM's long-running operations (here: deleting an extension): started with 202, polled through
//! `Azure-AsyncOperation` (status JSON) or `Location` (202 until done, then 204), finished by time.

use http::Response;
use serde_json::json;

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

    /// Completes every operation whose time has come: the extension disappears.
    pub fn settle(&mut self, world: &mut World, now_ms: u64) {
        if self.pending == 0 {
            return;
        }
        for op in self.list.iter_mut().filter(|op| !op.finished && now_ms >= op.done_ms) {
            let sub = &mut world.subscriptions[op.subscription];
            let machine = &mut sub.machines_mut(op.kind).list[op.machine];
            machine.extensions.retain(|e| {
                !e.get("name")
                    .and_then(serde_json::Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(&op.extension))
            });
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
        let mut status = json!({
            "id": call.req.path,
            "name": op.id,
            "status": if op.finished { "Succeeded" } else { "InProgress" },
            "startTime": iso8601(op.started_ms),
        });
        if op.finished {
            status["endTime"] = json!(iso8601(op.done_ms));
        }
        wire::json(200, &status)
    }
}

//! The plans' exports as a Web Worker: the page loads it when the user exports a plan, so the
//! export code (the languages, their quoting and headers) is not in the bundle every visitor
//! loads. It announces itself with [`READY`], then answers each request with the file: an
//! [`ExportRequest`] (the bulk plan) or a [`MachineExportRequest`] (a machine plan).

use mde_core::bulk::export::{export, ExportRequest, READY};
use mde_core::deployment::actions::export::{self as machine_export, MachineExportRequest};
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// Either plan: they differ by their fields (a machine plan's items name machines).
#[derive(Deserialize)]
#[serde(untagged)]
enum Request {
    Bulk(ExportRequest),
    Machines(MachineExportRequest),
}

fn answer(text: &str) -> String {
    match serde_json::from_str::<Request>(text) {
        Ok(Request::Bulk(request)) => export(&request.plan, request.format, &request.arm_url),
        Ok(Request::Machines(request)) => machine_export::export(&request.plan, request.format, &request.arm_url)
            .unwrap_or_else(|| {
                format!("The export could not be made: a machine plan has no {:?} export.", request.format)
            }),
        Err(e) => format!("The export could not be made: {e}"),
    }
}

fn main() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_to = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let file = answer(&event.data().as_string().unwrap_or_default());
        let _ = reply_to.post_message(&JsValue::from_str(&file));
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker, which the page ends after one answer.
    on_message.forget();
    let _ = scope.post_message(&JsValue::from_str(READY));
}

#[cfg(test)]
mod tests {
    use super::*;
    use mde_core::bulk::export::Format;
    use mde_core::bulk::{Action, Plan};
    use mde_core::deployment::actions::{MachineAction, MachinePlan};

    #[test]
    fn answers_either_plan() {
        let arm_url = "https://management.azure.com".to_string();
        let bulk = ExportRequest {
            plan: Plan { action: Action::Off, servers_plan: None, items: vec![] },
            format: Format::AzCli,
            arm_url: arm_url.clone(),
        };
        assert!(answer(&serde_json::to_string(&bulk).unwrap()).contains("MDE Console plan: Turn the integration off"));
        let plan =
            MachinePlan { action: MachineAction::RemoveExtension, items: vec![], warnings: vec![], steps: vec![] };
        let machines =
            MachineExportRequest { plan: plan.clone(), format: Format::PowerShell, arm_url: arm_url.clone() };
        let file = answer(&serde_json::to_string(&machines).unwrap());
        assert!(file.starts_with("\u{FEFF}#Requires -Modules Az.Accounts, Az.Resources"), "{file}");
        let bicep = MachineExportRequest { plan, format: Format::Bicep, arm_url };
        assert!(answer(&serde_json::to_string(&bicep).unwrap()).starts_with("The export could not be made"));
        assert!(answer("{}").starts_with("The export could not be made"));
    }
}

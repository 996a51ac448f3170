//! Helpers shared by the fake's integration tests: requests, JSON bodies, small scenarios.
#![allow(dead_code)]

use fake_azure::{FakeAzure, Options, Reply};
use http::{Request, Response};
use serde_json::{json, Value};

/// A fixed "now" (2024-06-01T00:00:00Z) so that answers do not depend on the clock.
pub const NOW: u64 = 1_717_200_000_000;
pub const ARM: &str = "https://management.azure.com";
pub const SUB: &str = "11111111-1111-1111-1111-111111111111";
pub const READER_SUB: &str = "22222222-2222-2222-2222-222222222222";
pub const OTHER_TENANT_SUB: &str = "33333333-3333-3333-3333-333333333333";
pub const TENANT: &str = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa";
pub const OTHER_TENANT: &str = "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb";

pub fn request(method: &str, url: &str, body: Option<&Value>, token: Option<&str>) -> Request<Vec<u8>> {
    let mut builder = Request::builder().method(method).uri(url);
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    if body.is_some() {
        builder = builder.header("content-type", "application/json");
    }
    builder.body(body.map(|b| serde_json::to_vec(b).unwrap()).unwrap_or_default()).unwrap()
}

/// Sends and expects an answer (not a dropped request).
pub fn send(
    azure: &mut FakeAzure,
    method: &str,
    url: &str,
    body: Option<&Value>,
    token: Option<&str>,
) -> Response<Vec<u8>> {
    azure.handle(request(method, url, body, token), NOW).response.expect("an answer, not a dropped request")
}

pub fn get(azure: &mut FakeAzure, url: &str) -> Response<Vec<u8>> {
    send(azure, "GET", url, None, None)
}

pub fn body(response: &Response<Vec<u8>>) -> Value {
    serde_json::from_slice(response.body())
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(response.body())))
}

pub fn header<'r>(response: &'r Response<Vec<u8>>, name: &str) -> Option<&'r str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

pub fn error_code(response: &Response<Vec<u8>>) -> String {
    body(response)["error"]["code"].as_str().unwrap_or_default().to_string()
}

/// Demo-mode options: no token needed.
pub fn open() -> Options {
    Options { require_auth: false, ..Options::default() }
}

pub fn vm(sub: &str, group: &str, name: &str, os: &str, extensions: Value) -> Value {
    json!({
        "resource": {
            "id": format!("/subscriptions/{sub}/resourceGroups/{group}/providers/Microsoft.Compute/virtualMachines/{name}"),
            "name": name, "type": "Microsoft.Compute/virtualMachines", "location": "westeurope",
            "tags": { "env": "prod" },
            "properties": { "storageProfile": { "osDisk": { "osType": os } } },
        },
        "extensions": extensions,
    })
}

pub fn arc(sub: &str, group: &str, name: &str, os: &str, extensions: Value) -> Value {
    json!({
        "resource": {
            "id": format!("/subscriptions/{sub}/resourceGroups/{group}/providers/Microsoft.HybridCompute/machines/{name}"),
            "name": name, "type": "Microsoft.HybridCompute/machines", "location": "eastus", "tags": null,
            "properties": { "status": "Connected", "osType": os },
        },
        "extensions": extensions,
    })
}

pub fn mde(machine_id: &str, os: &str, state: &str) -> Value {
    let name = if os == "Windows" || os == "windows" { "MDE.Windows" } else { "MDE.Linux" };
    json!({
        "id": format!("{machine_id}/extensions/{name}"), "name": name,
        "properties": { "publisher": "Microsoft.Azure.AzureDefenderForServers", "type": name, "provisioningState": state },
    })
}

pub fn setting(sub: &str, name: &str, enabled: bool) -> Value {
    let kind = if name == "Sentinel" { "AlertSyncSettings" } else { "DataExportSettings" };
    json!({ "id": format!("/subscriptions/{sub}/providers/Microsoft.Security/settings/{name}"), "name": name,
            "type": "Microsoft.Security/settings", "kind": kind, "properties": { "enabled": enabled }, "futureField": { "kept": true } })
}

pub fn owner() -> Value {
    json!([{ "actions": ["*"], "notActions": [], "dataActions": [], "notDataActions": [] }])
}

pub fn reader() -> Value {
    json!([{ "actions": ["*/read"], "notActions": [], "dataActions": [], "notDataActions": [] }])
}

/// Three subscriptions: an owned one with machines, a read-only one, one in another tenant.
pub fn tenant() -> Value {
    let vm_id =
        format!("/subscriptions/{SUB}/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-01");
    let arc_id =
        format!("/subscriptions/{SUB}/resourceGroups/rg-onprem/providers/Microsoft.HybridCompute/machines/srv-01");
    json!({
        "name": "test tenant",
        "user": { "name": "Avery <b>Admin</b>", "username": "avery@contoso.example", "objectId": "99999999-9999-9999-9999-999999999999" },
        "tenants": [
            { "id": format!("/tenants/{TENANT}"), "tenantId": TENANT, "displayName": "Contoso", "defaultDomain": "contoso.example" },
            { "id": format!("/tenants/{OTHER_TENANT}"), "tenantId": OTHER_TENANT, "displayName": "Fabrikam", "defaultDomain": "fabrikam.example" },
        ],
        "subscriptions": [
            {
                "subscription": { "id": format!("/subscriptions/{SUB}"), "subscriptionId": SUB, "tenantId": TENANT, "displayName": "Prod", "state": "Enabled", "unknownKey": [1, 2] },
                "settings": [ setting(SUB, "WDATP", true), setting(SUB, "WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW", true), setting(SUB, "Sentinel", false) ],
                "pricings": [ { "id": format!("/subscriptions/{SUB}/providers/Microsoft.Security/pricings/VirtualMachines"), "name": "VirtualMachines",
                                "type": "Microsoft.Security/pricings",
                                "properties": { "pricingTier": "Standard", "subPlan": "P1", "enforce": "False", "freeTrialRemainingTime": "PT0S",
                                                "extensions": [ { "name": "MdeDesignatedSubscription", "isEnabled": "False" } ] } } ],
                "permissions": owner(),
                "virtualMachines": [
                    vm(SUB, "rg-web", "web-01", "Linux", json!([mde(&vm_id, "Linux", "Succeeded")])),
                    vm(SUB, "rg-web", "web-02", "Windows", json!([])),
                    vm(SUB, "rg-data", "sql-01", "Windows", json!([])),
                ],
                "arcMachines": [ arc(SUB, "rg-onprem", "srv-01", "windows", json!([mde(&arc_id, "windows", "Failed")])) ],
                "alerts": [ { "id": "a1", "name": "a1", "properties": { "alertDisplayName": "<img src=x onerror=alert(1)>", "severity": "Low" } } ],
            },
            {
                "subscription": { "subscriptionId": READER_SUB, "tenantId": TENANT, "displayName": "Read only", "state": "Enabled" },
                "settings": [ setting(READER_SUB, "WDATP", false) ],
                "permissions": reader(),
            },
            {
                "subscription": { "subscriptionId": OTHER_TENANT_SUB, "tenantId": OTHER_TENANT, "displayName": "Partner", "state": "Enabled" },
                "permissions": owner(),
            },
        ],
    })
}

pub fn fake(options: Options) -> FakeAzure {
    FakeAzure::from_scenario_json(&tenant().to_string(), options).unwrap()
}

pub fn url(path: &str, api_version: &str) -> String {
    format!("{ARM}{path}?api-version={api_version}")
}

/// Follows `nextLink`s from `first`, returning every item and the number of pages.
pub fn collect_pages(azure: &mut FakeAzure, first: &str, token: Option<&str>) -> (Vec<Value>, usize) {
    let (mut items, mut pages, mut next) = (Vec::new(), 0, Some(first.to_string()));
    while let Some(link) = next {
        let response = send(azure, "GET", &link, None, token);
        assert_eq!(response.status(), 200, "{link}: {}", String::from_utf8_lossy(response.body()));
        let page = body(&response);
        items.extend(page["value"].as_array().unwrap().iter().cloned());
        next = page["nextLink"].as_str().map(str::to_string);
        pages += 1;
        assert!(pages < 10_000, "paging does not end");
    }
    (items, pages)
}

pub fn reply_status(reply: &Reply) -> Option<u16> {
    reply.response.as_ref().map(|r| r.status().as_u16())
}

/// The fake behind the core's `Transport`, in process, with a clock the test moves (sleeping
/// moves it) and a record of what was sent (`METHOD /path`).
#[derive(Clone)]
pub struct InProcess {
    pub azure: std::rc::Rc<std::cell::RefCell<FakeAzure>>,
    pub now: std::rc::Rc<std::cell::Cell<u64>>,
    pub sent: std::rc::Rc<std::cell::RefCell<Vec<String>>>,
}

impl InProcess {
    pub fn new(azure: FakeAzure) -> Self {
        InProcess { azure: std::rc::Rc::new(azure.into()), now: std::rc::Rc::new(NOW.into()), sent: Default::default() }
    }
}

impl mde_core::transport::Transport for InProcess {
    async fn send(
        &self,
        request: mde_core::transport::Request,
    ) -> Result<mde_core::transport::Response, mde_core::transport::TransportError> {
        self.sent.borrow_mut().push(format!("{} {}", request.method(), request.uri().path()));
        let reply = self.azure.borrow_mut().handle(request, self.now.get());
        reply.response.ok_or_else(|| mde_core::transport::TransportError::Network("dropped".into()))
    }

    async fn sleep(&self, ms: u64) {
        self.now.set(self.now.get() + ms);
    }

    fn now_ms(&self) -> u64 {
        self.now.get()
    }
}

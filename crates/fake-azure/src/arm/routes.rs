//! ARM paths the fake answers (those of `AZURE.md`), matched ignoring case as ARM does, with the
//! methods, api-versions and RBAC action of each.

use http::Method;

use super::versions::{self, ApiType};
use crate::scenario::Kind;

/// One ARM path, with the names captured from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    Tenants,
    Subscriptions,
    Subscription,
    Settings,
    Setting(String),
    Pricings,
    Pricing(String),
    Permissions,
    Alerts,
    Connectors,
    Machines(Kind),
    GroupMachines(Kind, String),
    Machine(Kind, String, String),
    Extensions(Kind, String, String),
    Extension(Kind, String, String, String),
    /// `GET .../virtualMachines/{vm}/instanceView` (VMs only): resource group, VM.
    InstanceView(String, String),
    /// `/{machine id}/providers/Microsoft.Resources/tags/default`.
    Tags(Kind, String, String),
    /// `POST .../virtualMachines/{vm}/runCommand`: resource group, VM.
    RunCommand(String, String),
    /// `.../machines/{m}/runCommands/{name}` (Arc): resource group, machine, run command.
    ArcRunCommand(String, String, String),
    /// Polling a long-running operation (`Azure-AsyncOperation` or, with `monitor=true`, `Location`).
    Operation(Kind, String),
    Graph,
    /// `/subscriptions/{s}/providers/{namespace}`: its registration on the subscription.
    Provider(String),
    /// `POST /subscriptions/{s}/providers/{namespace}/register`.
    RegisterProvider(String),
}

/// A routed request: the route and the subscription it is under, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub route: Route,
    pub subscription: Option<String>,
}

/// What ARM requires of a route for one method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Spec {
    pub versions: &'static [&'static str],
    /// ARM's own types answer a bad api-version differently from resource providers.
    pub native: bool,
    /// The type named in `NoRegisteredProviderFound`.
    pub type_label: &'static str,
    /// The RBAC action checked against the subscription's permissions.
    pub action: Option<String>,
    pub write: bool,
}

/// Routes a percent-decoded path; `None` when ARM would not know it.
pub(crate) fn parse(segments: &[String]) -> Option<Target> {
    let low: Vec<String> = segments.iter().map(|s| s.to_ascii_lowercase()).collect();
    let l: Vec<&str> = low.iter().map(String::as_str).collect();
    let name = |i: usize| segments[i].clone();
    let tenant_level = |route| Some(Target { route, subscription: None });
    let under = |route| Some(Target { route, subscription: Some(name(1)) });
    match l.as_slice() {
        ["tenants"] => tenant_level(Route::Tenants),
        ["subscriptions"] => tenant_level(Route::Subscriptions),
        ["providers", "microsoft.resourcegraph", "resources"] => tenant_level(Route::Graph),
        ["subscriptions", _] => under(Route::Subscription),
        ["subscriptions", _, "providers", _] => under(Route::Provider(name(3))),
        ["subscriptions", _, "providers", _, "register"] => under(Route::RegisterProvider(name(3))),
        ["subscriptions", _, "providers", "microsoft.security", rest @ ..] => under(security(rest, segments)?),
        ["subscriptions", _, "providers", "microsoft.authorization", "permissions"] => under(Route::Permissions),
        ["subscriptions", _, "providers", ns, ty] => under(Route::Machines(kind(ns, ty)?)),
        ["subscriptions", _, "providers", ns, "locations", _, op, _]
            if matches!(*op, "operations" | "operationstatus" | "operationresults") =>
        {
            under(Route::Operation(namespace_kind(ns)?, name(7)))
        }
        ["subscriptions", _, "resourcegroups", _, "providers", ns, ty, rest @ ..] => {
            under(grouped(kind(ns, ty)?, name(3), rest, &segments[7..])?)
        }
        _ => None,
    }
}

fn security(rest: &[&str], segments: &[String]) -> Option<Route> {
    let name = || segments[5].clone();
    match rest {
        ["settings"] => Some(Route::Settings),
        ["settings", _] => Some(Route::Setting(name())),
        ["pricings"] => Some(Route::Pricings),
        ["pricings", _] => Some(Route::Pricing(name())),
        ["alerts"] => Some(Route::Alerts),
        ["securityconnectors"] => Some(Route::Connectors),
        _ => None,
    }
}

/// Routes under `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}`.
fn grouped(kind: Kind, group: String, rest: &[&str], names: &[String]) -> Option<Route> {
    let name = |i: usize| names[i].clone();
    match rest {
        [] => Some(Route::GroupMachines(kind, group)),
        [_] => Some(Route::Machine(kind, group, name(0))),
        [_, "extensions"] => Some(Route::Extensions(kind, group, name(0))),
        [_, "extensions", _] => Some(Route::Extension(kind, group, name(0), name(2))),
        [_, "instanceview"] if kind == Kind::Vm => Some(Route::InstanceView(group, name(0))),
        [_, "providers", "microsoft.resources", "tags", "default"] => Some(Route::Tags(kind, group, name(0))),
        [_, "runcommand"] if kind == Kind::Vm => Some(Route::RunCommand(group, name(0))),
        [_, "runcommands", _] if kind == Kind::Arc => Some(Route::ArcRunCommand(group, name(0), name(2))),
        _ => None,
    }
}

fn kind(namespace: &str, type_name: &str) -> Option<Kind> {
    match (namespace, type_name) {
        ("microsoft.compute", "virtualmachines") => Some(Kind::Vm),
        ("microsoft.hybridcompute", "machines") => Some(Kind::Arc),
        _ => None,
    }
}

fn namespace_kind(namespace: &str) -> Option<Kind> {
    match namespace {
        "microsoft.compute" => Some(Kind::Vm),
        "microsoft.hybridcompute" => Some(Kind::Arc),
        _ => None,
    }
}

impl Route {
    /// What this route needs for `method`; `None` when ARM would answer 405.
    pub fn spec(&self, method: &Method) -> Option<Spec> {
        let get = *method == Method::GET;
        // (allowed, action) of a route that is read with GET and written with `write`.
        let rw = |write: Method, read_action: &'static str, write_action: &'static str| {
            (get || *method == write, if get { read_action } else { write_action })
        };
        let (api, (allowed, action)) = match self {
            Route::Tenants => (&versions::TENANTS, (get, "")),
            Route::Subscriptions | Route::Subscription => (&versions::SUBSCRIPTIONS, (get, "")),
            Route::Settings => (&versions::SETTINGS, (get, "Microsoft.Security/settings/read")),
            Route::Setting(_) => (
                &versions::SETTINGS,
                rw(Method::PUT, "Microsoft.Security/settings/read", "Microsoft.Security/settings/write"),
            ),
            Route::Pricings => (&versions::PRICINGS, (get, "Microsoft.Security/pricings/read")),
            Route::Pricing(_) => (
                &versions::PRICINGS,
                rw(Method::PUT, "Microsoft.Security/pricings/read", "Microsoft.Security/pricings/write"),
            ),
            // Anyone may ask what they are allowed to do.
            Route::Permissions => (&versions::PERMISSIONS, (get, "")),
            Route::Alerts => (&versions::ALERTS, (get, "Microsoft.Security/locations/alerts/read")),
            Route::Connectors => (&versions::SECURITY_CONNECTORS, (get, "Microsoft.Security/securityConnectors/read")),
            Route::Machines(k) | Route::GroupMachines(k, _) | Route::Machine(k, _, _) => {
                (machine_type(*k), (get, machine_read(*k)))
            }
            Route::InstanceView(..) => {
                (&versions::VIRTUAL_MACHINES, (get, "Microsoft.Compute/virtualMachines/instanceView/read"))
            }
            Route::Extensions(k, _, _) => (extension_type(*k), (get, extension_action(*k, true))),
            Route::Extension(k, _, _, _) => {
                (extension_type(*k), rw(Method::DELETE, extension_action(*k, true), extension_action(*k, false)))
            }
            Route::Tags(..) => {
                (&versions::TAGS, rw(Method::PATCH, "Microsoft.Resources/tags/read", "Microsoft.Resources/tags/write"))
            }
            Route::RunCommand(..) => (
                &versions::VM_RUN_COMMAND,
                (*method == Method::POST, "Microsoft.Compute/virtualMachines/runCommand/action"),
            ),
            Route::ArcRunCommand(..) => (
                &versions::ARC_RUN_COMMANDS,
                rw(
                    Method::PUT,
                    "Microsoft.HybridCompute/machines/runCommands/read",
                    "Microsoft.HybridCompute/machines/runCommands/write",
                ),
            ),
            // The status URL carries the api-version of the extension delete that started it.
            Route::Operation(k, _) => {
                let api = extension_type(*k);
                let spec = Spec {
                    versions: api.versions,
                    native: false,
                    type_label: "locations/operations",
                    action: None,
                    write: false,
                };
                return get.then_some(spec);
            }
            // Resource Graph filters rows by permission instead of refusing the query.
            Route::Graph => (&versions::RESOURCE_GRAPH, (*method == Method::POST, "")),
            Route::Provider(_) => (&versions::PROVIDERS, (get, "")),
            Route::RegisterProvider(ns) => {
                let api = &versions::PROVIDERS;
                let action = Some(format!("{ns}/register/action"));
                let spec =
                    Spec { versions: api.versions, native: api.native, type_label: api.name, action, write: true };
                return (*method == Method::POST).then_some(spec);
            }
        };
        let action = (!action.is_empty()).then(|| action.to_string());
        let write = !get && *self != Route::Graph;
        let spec = Spec { versions: api.versions, native: api.native, type_label: api.name, action, write };
        allowed.then_some(spec)
    }
}

fn machine_type(kind: Kind) -> &'static ApiType {
    match kind {
        Kind::Vm => &versions::VIRTUAL_MACHINES,
        Kind::Arc => &versions::ARC_MACHINES,
    }
}

fn extension_type(kind: Kind) -> &'static ApiType {
    match kind {
        Kind::Vm => &versions::VM_EXTENSIONS,
        Kind::Arc => &versions::ARC_EXTENSIONS,
    }
}

pub(crate) fn machine_read(kind: Kind) -> &'static str {
    match kind {
        Kind::Vm => "Microsoft.Compute/virtualMachines/read",
        Kind::Arc => "Microsoft.HybridCompute/machines/read",
    }
}

fn extension_action(kind: Kind, read: bool) -> &'static str {
    match (kind, read) {
        (Kind::Vm, true) => "Microsoft.Compute/virtualMachines/extensions/read",
        (Kind::Vm, false) => "Microsoft.Compute/virtualMachines/extensions/delete",
        (Kind::Arc, true) => "Microsoft.HybridCompute/machines/extensions/read",
        (Kind::Arc, false) => "Microsoft.HybridCompute/machines/extensions/delete",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(path: &str) -> Vec<String> {
        path.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect()
    }

    #[test]
    fn routes_ignore_case_and_keep_names() {
        let t = parse(&segs("/subscriptions/S1/providers/microsoft.SECURITY/settings/WDATP")).unwrap();
        assert_eq!(t.route, Route::Setting("WDATP".into()));
        assert_eq!(t.subscription.as_deref(), Some("S1"));
        let t = parse(&segs(
            "/subscriptions/s/resourceGroups/RG/providers/Microsoft.HybridCompute/machines/m1/extensions/MDE.Linux",
        ))
        .unwrap();
        assert_eq!(t.route, Route::Extension(Kind::Arc, "RG".into(), "m1".into(), "MDE.Linux".into()));
        let t = parse(&segs("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm/providers/Microsoft.Resources/tags/default")).unwrap();
        assert_eq!(t.route, Route::Tags(Kind::Vm, "rg".into(), "vm".into()));
        assert!(parse(&segs("/subscriptions/s/providers/Microsoft.Storage/storageAccounts")).is_none());
        let t = parse(&segs(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm/instanceView",
        ));
        assert_eq!(t.unwrap().route, Route::InstanceView("rg".into(), "vm".into()));
        // Arc machines have no instance view of their own.
        assert!(parse(&segs(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.HybridCompute/machines/m/instanceView"
        ))
        .is_none());
    }

    #[test]
    fn methods_and_actions() {
        let put = Route::Setting("WDATP".into()).spec(&Method::PUT).unwrap();
        assert_eq!(put.action.as_deref(), Some("Microsoft.Security/settings/write"));
        assert!(put.write);
        assert!(Route::Settings.spec(&Method::PUT).is_none());
        assert!(!Route::Graph.spec(&Method::POST).unwrap().write);
    }
}

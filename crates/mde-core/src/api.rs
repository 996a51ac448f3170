//! Every ARM path and api-version the app uses, in one place.
//!
//! Builders return paths (with query) relative to the cloud's ARM base URL; the client joins them.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// `GET /tenants`, `GET /subscriptions`.
pub const RESOURCES: &str = "2022-12-01";
/// `Microsoft.Security/settings`.
pub const SETTINGS: &str = "2022-05-01";
/// `Microsoft.Security/pricings`.
pub const PRICINGS: &str = "2024-01-01";
/// `Microsoft.Authorization/permissions`.
pub const PERMISSIONS: &str = "2022-04-01";
/// `Microsoft.Compute/virtualMachines` and their extensions.
pub const COMPUTE: &str = "2024-07-01";
/// `Microsoft.HybridCompute/machines` (Arc) and their extensions.
pub const HYBRID_COMPUTE: &str = "2024-07-10";
/// `Microsoft.ResourceGraph/resources`.
pub const RESOURCE_GRAPH: &str = "2024-04-01";
/// `Microsoft.Resources/tags`.
pub const TAGS: &str = "2021-04-01";
/// `Microsoft.Security/alerts`.
pub const ALERTS: &str = "2022-01-01";
/// `Microsoft.Resources` providers: a subscription's registration of a namespace.
pub const PROVIDERS: &str = "2021-04-01";
/// `Microsoft.Security/securityConnectors`.
pub const SECURITY_CONNECTORS: &str = "2024-08-01-preview";
/// `POST .../virtualMachines/{vm}/runCommand` (the specs' 2024-07-01 example).
pub const VM_RUN_COMMAND: &str = "2024-07-01";
/// `.../Microsoft.HybridCompute/machines/{m}/runCommands/{name}`: first stable in 2024-07-10.
pub const ARC_RUN_COMMANDS: &str = "2024-07-10";

pub fn tenants() -> String {
    format!("/tenants?api-version={RESOURCES}")
}

pub fn subscriptions() -> String {
    format!("/subscriptions?api-version={RESOURCES}")
}

pub fn subscription(subscription_id: &str) -> String {
    format!("/subscriptions/{}?api-version={RESOURCES}", seg(subscription_id))
}

pub fn settings(subscription_id: &str) -> String {
    format!("/subscriptions/{}/providers/Microsoft.Security/settings?api-version={SETTINGS}", seg(subscription_id))
}

pub fn setting(subscription_id: &str, name: &str) -> String {
    format!(
        "/subscriptions/{}/providers/Microsoft.Security/settings/{}?api-version={SETTINGS}",
        seg(subscription_id),
        seg(name)
    )
}

pub fn pricings(subscription_id: &str) -> String {
    format!("/subscriptions/{}/providers/Microsoft.Security/pricings?api-version={PRICINGS}", seg(subscription_id))
}

pub fn pricing(subscription_id: &str, name: &str) -> String {
    format!(
        "/subscriptions/{}/providers/Microsoft.Security/pricings/{}?api-version={PRICINGS}",
        seg(subscription_id),
        seg(name)
    )
}

pub fn permissions(subscription_id: &str) -> String {
    format!(
        "/subscriptions/{}/providers/Microsoft.Authorization/permissions?api-version={PERMISSIONS}",
        seg(subscription_id)
    )
}

/// `GET` a resource provider's registration on a subscription (`registrationState`).
pub fn provider(subscription_id: &str, namespace: &str) -> String {
    format!("/subscriptions/{}/providers/{}?api-version={PROVIDERS}", seg(subscription_id), seg(namespace))
}

/// `POST`: registers a resource provider on a subscription (what the portal does silently).
pub fn register_provider(subscription_id: &str, namespace: &str) -> String {
    format!("/subscriptions/{}/providers/{}/register?api-version={PROVIDERS}", seg(subscription_id), seg(namespace))
}

/// `GET` the security alerts of a subscription (every region).
pub fn alerts(subscription_id: &str) -> String {
    format!("/subscriptions/{}/providers/Microsoft.Security/alerts?api-version={ALERTS}", seg(subscription_id))
}

pub fn resource_graph() -> String {
    format!("/providers/Microsoft.ResourceGraph/resources?api-version={RESOURCE_GRAPH}")
}

/// What may stand unescaped in a path segment: RFC 3986's unreserved characters.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Percent-encodes one path segment, so that a hostile id cannot change the path: `/`, `?`,
/// `#` and `%` are escaped. A `.` or `..` segment stays what it is: URL parsers resolve it
/// even escaped, so the client refuses such paths.
pub fn seg(segment: &str) -> String {
    utf8_percent_encode(segment, SEGMENT).to_string()
}

/// An ARM resource id as ARM gives it (`/subscriptions/{s}/resourceGroups/{g}/providers/{ns}/{type}/{name}`),
/// read by its names rather than by the position of its segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceId {
    segments: Vec<String>,
}

impl ResourceId {
    /// `None` when it does not start with a subscription.
    pub fn parse(id: &str) -> Option<ResourceId> {
        let id = ResourceId::of(id);
        let subscription = id.segments.first().is_some_and(|s| s.eq_ignore_ascii_case("subscriptions"));
        (subscription && id.segments.get(1).is_some_and(|s| !s.is_empty())).then_some(id)
    }

    /// An id as ARM gave it (a machine's, a write's target), unchecked: its path stays one
    /// encoded segment per segment whatever it holds.
    pub fn of(id: &str) -> ResourceId {
        ResourceId { segments: id.trim_matches('/').split('/').map(str::to_string).collect() }
    }

    /// The subscription's id ("" when the id names none).
    pub fn subscription_id(&self) -> &str {
        self.segments.get(1).map(String::as_str).unwrap_or_default()
    }

    pub fn resource_group(&self) -> Option<&str> {
        let at = self.segments.iter().position(|s| s.eq_ignore_ascii_case("resourceGroups"))?;
        self.segments.get(at + 1).map(String::as_str)
    }

    /// The type of what the id names, e.g. `Microsoft.Compute/virtualMachines`: the namespace
    /// after the last `providers`, then every type segment (a child's too).
    pub fn resource_type(&self) -> Option<String> {
        let at = self.segments.iter().rposition(|s| s.eq_ignore_ascii_case("providers"))?;
        let rest = self.segments.get(at + 1..).filter(|r| r.len() >= 3 && r.len() % 2 == 1)?;
        let types = rest[1..].iter().step_by(2).map(String::as_str);
        Some(std::iter::once(rest[0].as_str()).chain(types).collect::<Vec<_>>().join("/"))
    }

    /// The ARM path of the resource, every segment encoded: a hostile name cannot change the
    /// path or its query.
    pub fn path(&self) -> String {
        self.segments.iter().map(|s| format!("/{}", seg(s))).collect()
    }

    /// The api-version of a machine's own resource provider: Compute for a VM, else Hybrid
    /// Compute (Arc).
    fn machine_version(&self) -> &'static str {
        match self.resource_type() {
            Some(t) if t.eq_ignore_ascii_case("Microsoft.Compute/virtualMachines") => COMPUTE,
            _ => HYBRID_COMPUTE,
        }
    }
}

/// `GET` a machine: a VM with its instance view (its power state), or an Arc machine.
pub fn machine(id: &ResourceId) -> String {
    match id.machine_version() {
        COMPUTE => format!("{}?api-version={COMPUTE}&$expand=instanceView", id.path()),
        version => format!("{}?api-version={version}", id.path()),
    }
}

/// `GET` a machine's extensions (a VM's with their instance views).
pub fn machine_extensions(id: &ResourceId) -> String {
    match id.machine_version() {
        COMPUTE => format!("{}/extensions?api-version={COMPUTE}&$expand=instanceView", id.path()),
        version => format!("{}/extensions?api-version={version}", id.path()),
    }
}

/// `GET|DELETE` one extension of a machine.
pub fn machine_extension(id: &ResourceId, name: &str) -> String {
    format!("{}/extensions/{}?api-version={}", id.path(), seg(name), id.machine_version())
}

/// `PATCH|GET` a resource's tags (`Microsoft.Resources/tags/default`).
pub fn tags(id: &ResourceId) -> String {
    format!("{}/providers/Microsoft.Resources/tags/default?api-version={TAGS}", id.path())
}

/// `POST` a VM's Run Command (an action: it runs whenever it is sent).
pub fn vm_run_command(id: &ResourceId) -> String {
    format!("{}/runCommand?api-version={VM_RUN_COMMAND}", id.path())
}

/// `GET` a VM with its instance view: its extensions' statuses say whether a Run Command ran.
pub fn vm_instance_view(id: &ResourceId) -> String {
    format!("{}/instanceView?api-version={COMPUTE}", id.path())
}

/// `PUT|GET` an Arc machine's run command, a child resource named by the app.
pub fn arc_run_command(id: &ResourceId, name: &str) -> String {
    format!("{}/runCommands/{}?api-version={ARC_RUN_COMMANDS}", id.path(), seg(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resource_id_is_read_by_its_names() {
        let vm = ResourceId::parse(
            "/subscriptions/S1/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web 01",
        )
        .unwrap();
        assert_eq!((vm.subscription_id(), vm.resource_group()), ("S1", Some("rg-web")));
        assert_eq!(vm.resource_type().as_deref(), Some("Microsoft.Compute/virtualMachines"));
        assert_eq!(
            machine(&vm),
            "/subscriptions/S1/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web%2001?api-version=2024-07-01&$expand=instanceView"
        );
        let arc =
            ResourceId::parse("subscriptions/S1/resourceGroups/rg/providers/Microsoft.HybridCompute/machines/a?b")
                .unwrap();
        assert_eq!(arc.resource_type().as_deref(), Some("Microsoft.HybridCompute/machines"));
        assert!(machine_extension(&arc, "MDE.Linux")
            .ends_with("/machines/a%3Fb/extensions/MDE.Linux?api-version=2024-07-10"));
        let child = ResourceId::parse(
            "/subscriptions/S1/resourceGroups/rg/providers/Microsoft.HybridCompute/machines/a/runCommands/r",
        )
        .unwrap();
        assert_eq!(child.resource_type().as_deref(), Some("Microsoft.HybridCompute/machines/runCommands"));
        assert_eq!(ResourceId::parse("/tenants/x"), None);
        let group = ResourceId::parse("/subscriptions/S1/resourceGroups/rg").unwrap();
        assert_eq!(group.resource_type(), None);
    }

    #[test]
    fn hostile_segments_stay_one_segment() {
        assert_eq!(
            setting("../../x", "WDATP?api-version=1"),
            "/subscriptions/..%2F..%2Fx/providers/Microsoft.Security/settings/WDATP%3Fapi-version%3D1?api-version=2022-05-01"
        );
    }
}

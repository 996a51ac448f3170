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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_segments_stay_one_segment() {
        assert_eq!(
            setting("../../x", "WDATP?api-version=1"),
            "/subscriptions/..%2F..%2Fx/providers/Microsoft.Security/settings/WDATP%3Fapi-version%3D1?api-version=2022-05-01"
        );
    }
}

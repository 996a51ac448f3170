//! Links into the Azure portal and the Microsoft Defender portal, per cloud (seed: "Access the
//! Microsoft Defender for Endpoint portal"). Every link carries the tenant, so that it opens in
//! the directory the app is working in rather than the user's default one.

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS, NON_ALPHANUMERIC};

use crate::arm::alerts::Alert;
use crate::cloud::Cloud;

/// Characters escaped in a portal link's fragment; ARM ids keep their slashes.
const FRAGMENT: &AsciiSet = &CONTROLS.add(b' ').add(b'"').add(b'#').add(b'%').add(b'<').add(b'>').add(b'`').add(b'?');
/// One path segment of a portal blade link.
const SEGMENT: &AsciiSet = &FRAGMENT.add(b'/');
/// A query value: all but the unreserved characters (a tenant id's dashes stay readable).
const QUERY: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Per cloud: its name, its ARM host, the Azure portal's host, the Defender portal's host.
/// US Government is GCC High's `security.microsoft.us` (DoD tenants use `security.apps.mil`;
/// ARM does not tell them apart). Azure China has no Defender portal link: the integration is
/// not supported there (seed: Clouds).
const PORTALS: [(&str, &str, &str, Option<&str>); 3] = [
    ("AzureCloud", "management.azure.com", "portal.azure.com", Some("security.microsoft.com")),
    ("AzureUSGovernment", "management.usgovcloudapi.net", "portal.azure.us", Some("security.microsoft.us")),
    ("AzureChinaCloud", "management.chinacloudapi.cn", "portal.azure.cn", None),
];

fn portals(cloud: &Cloud) -> Option<&'static (&'static str, &'static str, &'static str, Option<&'static str>)> {
    let arm_host = cloud.arm_url.trim_start_matches("https://").trim_end_matches('/');
    PORTALS.iter().find(|(name, arm, ..)| cloud.name.eq_ignore_ascii_case(name) || arm_host.eq_ignore_ascii_case(arm))
}

/// The Azure portal's host for a cloud (`portal.azure.com`, `.us`, `.cn`), by the cloud's
/// name or its ARM host; `None` for a custom cloud.
pub fn portal_host(cloud: &Cloud) -> Option<&'static str> {
    portals(cloud).map(|(_, _, portal, _)| *portal)
}

/// The Microsoft Defender portal's host for a cloud; `None` for Azure China (no integration
/// there) and for a custom cloud.
pub fn defender_portal_host(cloud: &Cloud) -> Option<&'static str> {
    portals(cloud).and_then(|(.., defender)| *defender)
}

/// A tenant worth naming in a link: `organizations` / `common` say nothing and are left out.
fn named_tenant(tenant: Option<&str>) -> Option<&str> {
    tenant
        .map(str::trim)
        .filter(|t| !t.is_empty() && !t.eq_ignore_ascii_case("organizations") && !t.eq_ignore_ascii_case("common"))
}

/// `#@{tenant}` or `#`: the Azure portal switches directory on the fragment's `@tenant`.
fn azure_fragment(tenant: Option<&str>) -> String {
    match named_tenant(tenant) {
        Some(t) => format!("#@{}", utf8_percent_encode(t, FRAGMENT)),
        None => "#".into(),
    }
}

/// A blade link's start: `#@{tenant}/` or, as ARM's `alertUri` has it, `#`.
fn blade_fragment(tenant: Option<&str>) -> String {
    match named_tenant(tenant) {
        Some(_) => format!("{}/", azure_fragment(tenant)),
        None => "#".into(),
    }
}

/// The portal page of an ARM resource: `https://{portal}/#@{tenant}/resource{id}`.
pub fn portal_url(cloud: &Cloud, tenant: Option<&str>, resource_id: &str) -> Option<String> {
    let host = portal_host(cloud)?;
    let id = resource_id.trim();
    let slash = if id.starts_with('/') { "" } else { "/" };
    Some(format!("https://{host}/{}/resource{slash}{}", azure_fragment(tenant), utf8_percent_encode(id, FRAGMENT)))
}

/// The portal page of a subscription.
pub fn subscription_portal_url(cloud: &Cloud, tenant: Option<&str>, subscription_id: &str) -> Option<String> {
    portal_url(cloud, tenant, &format!("/subscriptions/{}", subscription_id.trim()))
}

/// `?tid={tenant}` for the Defender portal, which picks the directory from it.
fn defender_query(tenant: Option<&str>) -> String {
    named_tenant(tenant).map(|t| format!("?tid={}", utf8_percent_encode(t, QUERY))).unwrap_or_default()
}

/// The Microsoft Defender portal's home for the tenant, e.g.
/// `https://security.microsoft.com/?tid={tenant}`.
pub fn defender_portal_url(cloud: &Cloud, tenant: Option<&str>) -> Option<String> {
    Some(format!("https://{}/{}", defender_portal_host(cloud)?, defender_query(tenant)))
}

/// The Defender portal's alert queue for the tenant. An ARM alert's `systemAlertId` is not the
/// Defender portal's alert id, so an alert links to the queue rather than to a guessed page.
pub fn defender_alerts_url(cloud: &Cloud, tenant: Option<&str>) -> Option<String> {
    Some(format!("https://{}/alerts{}", defender_portal_host(cloud)?, defender_query(tenant)))
}

/// Where to look at one alert: the Azure portal's alert page and the Defender portal.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AlertLinks {
    pub azure: Option<String>,
    pub defender: Option<String>,
}

/// An alert's links. The Azure one is ARM's `alertUri` when it points at this cloud's portal
/// (anything else, a `javascript:` text included, is not trusted as a link), with the tenant put
/// in; without one it is rebuilt in the same shape from the alert's id.
pub fn alert_links(cloud: &Cloud, tenant: Option<&str>, alert: &Alert) -> AlertLinks {
    let azure = portal_host(cloud).and_then(|host| {
        let prefix = format!("https://{host}/#");
        let given = alert.properties.alert_uri.as_deref().map(str::trim).filter(|uri| {
            uri.len() > prefix.len()
                && uri.is_char_boundary(prefix.len())
                && uri[..prefix.len()].eq_ignore_ascii_case(&prefix)
                && !uri.contains(['"', '<', '>', ' '])
        });
        match given {
            Some(uri) if uri[prefix.len()..].starts_with('@') => Some(uri.to_string()),
            Some(uri) => Some(format!("https://{host}/{}{}", blade_fragment(tenant), &uri[prefix.len()..])),
            None => alert_blade(host, tenant, alert),
        }
    });
    AlertLinks { azure, defender: defender_alerts_url(cloud, tenant) }
}

/// The Azure portal's alert blade, as ARM's own `alertUri` spells it, from the alert's id
/// (`/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Security/locations/{l}/alerts/{n}`).
fn alert_blade(host: &str, tenant: Option<&str>, alert: &Alert) -> Option<String> {
    let parts: Vec<&str> = alert.id.split('/').collect();
    let after = |key: &str| {
        parts.iter().position(|p| p.eq_ignore_ascii_case(key)).and_then(|i| parts.get(i + 1)).filter(|v| !v.is_empty())
    };
    let (subscription, group, location) = (after("subscriptions")?, after("resourceGroups")?, after("locations")?);
    let alert_id = alert.properties.system_alert_id.as_deref().or(after("alerts").copied())?;
    let segment = |s: &str| utf8_percent_encode(s, SEGMENT).to_string();
    Some(format!(
        "https://{host}/{}blade/Microsoft_Azure_Security/AlertBlade/alertId/{}/subscriptionId/{}/resourceGroup/{}/referencedFrom/alertDeepLink/location/{}",
        blade_fragment(tenant),
        segment(alert_id),
        segment(subscription),
        segment(group),
        segment(location)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    const ALERTS: &str = include_str!("../../../tests/fixtures/arm/security-alerts/GetAlertsSubscription_example.json");

    fn example_alert() -> Alert {
        let page: serde_json::Value = serde_json::from_str(ALERTS).unwrap();
        serde_json::from_value(page["responses"]["200"]["body"]["value"][0].clone()).unwrap()
    }

    #[test]
    fn commercial_links_carry_the_tenant() {
        let cloud = Cloud::public();
        assert_eq!(
            defender_portal_url(&cloud, Some(TENANT)).unwrap(),
            format!("https://security.microsoft.com/?tid={TENANT}")
        );
        assert_eq!(
            defender_alerts_url(&cloud, Some("organizations")).unwrap(),
            "https://security.microsoft.com/alerts"
        );
        assert_eq!(
            subscription_portal_url(&cloud, Some(TENANT), "s1").unwrap(),
            format!("https://portal.azure.com/#@{TENANT}/resource/subscriptions/s1")
        );
    }

    #[test]
    fn us_government_has_its_own_hosts() {
        let gov = Cloud::known("AzureUSGovernment").unwrap();
        assert!(defender_portal_url(&gov, Some("contoso.onmicrosoft.us"))
            .unwrap()
            .starts_with("https://security.microsoft.us/?tid=contoso"));
        assert!(portal_url(&gov, None, "/subscriptions/s1")
            .unwrap()
            .starts_with("https://portal.azure.us/#/resource/"));
    }

    #[test]
    fn china_has_no_defender_portal_link() {
        let china = Cloud::known("AzureChinaCloud").unwrap();
        assert_eq!(defender_portal_url(&china, Some(TENANT)), None);
        assert_eq!(defender_alerts_url(&china, Some(TENANT)), None);
        assert_eq!(portal_host(&china), Some("portal.azure.cn"));
    }

    #[test]
    fn custom_cloud_gets_no_links_rather_than_wrong_ones() {
        let mut custom = Cloud::public();
        custom.name = "Stack".into();
        custom.arm_url = "https://management.local.azurestack.external".into();
        assert_eq!(defender_portal_url(&custom, Some(TENANT)), None);
        assert_eq!(portal_url(&custom, Some(TENANT), "/subscriptions/s"), None);
    }

    #[test]
    fn a_hostile_tenant_cannot_leave_the_query() {
        let url = defender_portal_url(&Cloud::public(), Some("x&y=\"<script>")).unwrap();
        assert_eq!(url, "https://security.microsoft.com/?tid=x%26y%3D%22%3Cscript%3E");
    }

    #[test]
    fn an_alerts_link_is_its_alert_uri_with_the_tenant() {
        let alert = example_alert();
        let links = alert_links(&Cloud::public(), Some(TENANT), &alert);
        let uri = alert.properties.alert_uri.clone().unwrap();
        assert_eq!(links.azure.unwrap(), uri.replace("/#blade/", &format!("/#@{TENANT}/blade/")));
        assert_eq!(links.defender.unwrap(), format!("https://security.microsoft.com/alerts?tid={TENANT}"));
    }

    #[test]
    fn an_alert_without_a_usable_uri_gets_the_same_blade_rebuilt() {
        let mut alert = example_alert();
        let original = alert.properties.alert_uri.take().unwrap();
        assert_eq!(alert_links(&Cloud::public(), None, &alert).azure.unwrap(), original);
        // A link to elsewhere (or a script) is not followed: the blade is rebuilt instead.
        alert.properties.alert_uri = Some("javascript:alert(1)".into());
        assert_eq!(alert_links(&Cloud::public(), None, &alert).azure.unwrap(), original);
        // In US Government, the public portal's uri is not this cloud's: rebuilt on portal.azure.us.
        alert.properties.alert_uri = Some(original.clone());
        let gov = Cloud::known("AzureUSGovernment").unwrap();
        assert_eq!(
            alert_links(&gov, None, &alert).azure.unwrap(),
            original.replace("portal.azure.com", "portal.azure.us")
        );
        assert_eq!(alert_links(&Cloud::known("AzureChinaCloud").unwrap(), None, &alert).defender, None);
    }
}

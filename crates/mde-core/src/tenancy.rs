//! The Defender for Endpoint tenant's requirements, said where they bite (seed: "What are the
//! requirements for the Microsoft Defender for Endpoint tenant?", Prerequisites, Required roles):
//! moved subscriptions, the data location fixed by the first onboarding, and the roles; and
//! whether the tenant an address names is one of the user's.

use crate::arm::subscriptions::Subscription;
use crate::overview::Overview;

pub use crate::roles::{roles, roles_for_refused, ALERT_ROLES, ENABLE_ROLES};

/// Seed: "If you've moved your Azure subscription between Azure tenants, some manual preparatory
/// steps are required". ARM keeps no history of a move; what it shows is the subscription's
/// `tenantId`, which then differs from the tenant the user signed in to. Such a subscription
/// gets this note on its page and in a bulk plan. `home_tenant` is the signed-in tenant's id.
pub fn moved_note(subscription: &Subscription, home_tenant: &str) -> Option<String> {
    let home = home_tenant.trim();
    let theirs = subscription.tenant_id.as_deref()?.trim();
    let unnamed = |t: &str| t.is_empty() || t.eq_ignore_ascii_case("organizations") || t.eq_ignore_ascii_case("common");
    if unnamed(home) || unnamed(theirs) || theirs.eq_ignore_ascii_case(home) {
        return None;
    }
    Some(format!(
        "This subscription's directory ({theirs}) is not the tenant you signed in to ({home}). If it was moved between \
         tenants, Defender for Cloud will not deploy Defender for Endpoint until some manual preparatory steps are done \
         (contact Microsoft support); then turn the integration off and on again."
    ))
}

/// Whether the app may switch to the tenant an address names (`/tenants/{asked}/…`) by itself.
/// Switching spends the user's refresh token at that tenant's token endpoint, so a link must not
/// choose the tenant silently: the signed-in tenant, the configured one, and those the user's
/// `GET /tenants` lists (`listed`) go ahead; any other is asked about first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressTenant {
    Known,
    /// The question to ask, naming the tenant.
    Ask(String),
}

pub fn address_tenant(asked: &str, configured: &str, home: &str, listed: &[String]) -> AddressTenant {
    let asked = asked.trim();
    let named = |t: &str| !t.eq_ignore_ascii_case("organizations") && !t.eq_ignore_ascii_case("common");
    let same = |t: &str| t.trim().eq_ignore_ascii_case(asked);
    let listed_id = crate::config::is_guid(asked) && listed.iter().any(|t| same(t));
    if same(home) || (named(configured) && same(configured)) || listed_id {
        return AddressTenant::Known;
    }
    AddressTenant::Ask(format!(
        "This address opens the tenant \"{asked}\", which is not one of the tenants your account lists. Opening it \
         sends your sign-in to that tenant's Entra ID. Open it only if you trust the link that brought you here: \
         choose Retry to open it."
    ))
}

/// Seed, "Location": said when the integration is turned on for the first time.
pub const DATA_LOCATION: &str =
    "First onboarding: Defender for Endpoint will store this tenant's data in the geo-location \
    chosen now, when its tenant is provisioned, and the location cannot be changed afterwards (customer data in \
    pseudonymized form may also be stored in the United States). Moving the data later takes Microsoft support \
    resetting the tenant.";

/// Whether turning the integration on may be the tenant's first onboarding: `false` once any
/// subscription is known to have it on (the Defender for Endpoint tenant, and its location,
/// exist), `true` otherwise, an overview not read yet included (the note is worth an extra read).
pub fn may_be_first_onboarding(overview: &Overview) -> bool {
    !overview.rows.iter().any(|row| row.parts.ready().is_some_and(|parts| parts.integration))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arm::subscriptions::Subscription;
    use crate::overview::OverviewEvent;
    use crate::status::ServersPlan;

    const HOME: &str = "31c75423-32d6-4322-88b7-c478bdde4858";
    const LIST: &str = include_str!("../../../tests/fixtures/arm/subscriptions/GetSubscriptions.json");

    fn listed() -> Vec<Subscription> {
        let page: serde_json::Value = serde_json::from_str(LIST).unwrap();
        serde_json::from_value(page["responses"]["200"]["body"]["value"].clone()).unwrap()
    }

    #[test]
    fn only_the_users_tenants_open_without_asking() {
        const OTHER: &str = "0d3f7f0e-5c1a-4a3b-9e2d-8f6a7b5c4d3e";
        const LISTED: &str = "b2e7a9c4-1d3f-4e6a-8c5b-7f9d0e1a2b34";
        let listed = vec![HOME.to_string(), LISTED.to_string()];
        let check = |asked: &str, configured: &str| address_tenant(asked, configured, HOME, &listed);
        assert_eq!(check(HOME, "organizations"), AddressTenant::Known);
        assert_eq!(check(&LISTED.to_uppercase(), "organizations"), AddressTenant::Known);
        assert_eq!(check("contoso.onmicrosoft.com", "contoso.onmicrosoft.com"), AddressTenant::Known);
        for asked in [OTHER, "common", "organizations", "attacker.onmicrosoft.com"] {
            let AddressTenant::Ask(question) = check(asked, "organizations") else { panic!("{asked} opened silently") };
            assert!(question.contains(&format!("\"{asked}\"")), "{question}");
        }
        // A listed tenant is listed by its id: a name that merely equals one is no id.
        assert!(matches!(address_tenant("x", "organizations", HOME, &["x".into()]), AddressTenant::Ask(_)));
    }

    #[test]
    fn a_subscription_of_another_directory_gets_the_moved_note() {
        // The real example lists two subscriptions in two tenants.
        let subs = listed();
        assert_eq!(moved_note(&subs[0], HOME), None);
        assert_eq!(moved_note(&subs[0], &HOME.to_uppercase()), None, "tenant ids compare ignoring case");
        let note = moved_note(&subs[1], HOME).unwrap();
        assert!(
            note.contains("(2a0ff0de-96b2-4859-bb7c-a430d07a3e0c)")
                && note.contains("turn the integration off and on again")
        );
        // Nothing to compare with: no note rather than a wrong one.
        assert_eq!(moved_note(&subs[1], "organizations"), None);
        let mut unknown = subs[1].clone();
        unknown.tenant_id = None;
        assert_eq!(moved_note(&unknown, HOME), None);
    }

    #[test]
    fn the_data_location_note_stops_once_a_subscription_has_the_integration() {
        let mut overview = Overview::default();
        assert!(may_be_first_onboarding(&overview));
        overview.apply(OverviewEvent::Listed { subscriptions: listed(), more: false });
        let settings = |on| {
            let json = format!(r#"[{{"name":"WDATP","kind":"DataExportSettings","properties":{{"enabled":{on}}}}}]"#);
            Ok(serde_json::from_str(&json).unwrap())
        };
        let first = listed()[0].subscription_id.clone();
        overview.apply(OverviewEvent::Settings { subscription_id: first.clone(), result: settings(false) });
        overview.apply(OverviewEvent::Plan { subscription_id: first.clone(), result: Ok(ServersPlan::P2) });
        assert!(may_be_first_onboarding(&overview));
        let second = listed()[1].subscription_id.clone();
        overview.apply(OverviewEvent::Settings { subscription_id: second, result: settings(true) });
        assert!(!may_be_first_onboarding(&overview));
    }

    #[test]
    fn refusals_name_the_seeds_roles() {
        assert!(roles_for_refused("Microsoft.Security/settings/write").unwrap().contains("Security Admin or Owner"));
        assert!(roles_for_refused("Microsoft.Security/alerts/read")
            .unwrap()
            .starts_with("Seeing Defender for Endpoint alerts takes Security Reader"));
        assert_eq!(roles_for_refused("Microsoft.Compute/virtualMachines/extensions/delete"), None);
    }
}

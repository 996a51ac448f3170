//! The Defender for Endpoint tenant's requirements, said where they bite (seed: "What are the
//! requirements for the Microsoft Defender for Endpoint tenant?", Prerequisites, Required roles):
//! moved subscriptions, the data location fixed by the first onboarding, and the roles.

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

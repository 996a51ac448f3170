//! Every refusal a real tenant hits on a write the caller's role allows — a lock, a policy, a
//! linked scope, a provider not registered, a read-only subscription — produced by the fake as
//! ARM words it, and read by the core's client into its own advice. Only the transient 409 is
//! retried.

#![allow(clippy::result_large_err)]

mod common;

use common::InProcess;
use fake_azure::{FakeAzure, Faults, Options};
use futures::executor::block_on;
use mde_core::api;
use mde_core::client::ArmClient;
use mde_core::error::{ArmFailure, Remedy};
use mde_core::registration;
use serde_json::{json, Value};

const ARM: &str = "https://management.azure.com";
const OWNER: &str = r#"[{"actions":["*"],"notActions":[],"dataActions":[],"notDataActions":[]}]"#;

/// One subscription per refusal, each with an Owner's rights.
fn tenant() -> Value {
    let sub = |id: &str, name: &str, state: &str, extra: Value| {
        let mut entry = json!({
            "subscription": { "id": format!("/subscriptions/{id}"), "subscriptionId": id, "tenantId": "t1", "displayName": name, "state": state },
            "permissions": serde_json::from_str::<Value>(OWNER).unwrap(),
            "settings": [{ "id": format!("/subscriptions/{id}/providers/Microsoft.Security/settings/WDATP"), "name": "WDATP", "type": "Microsoft.Security/settings", "kind": "DataExportSettings", "properties": { "enabled": false } }],
        });
        entry.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        entry
    };
    json!({ "tenants": [{ "tenantId": "t1", "displayName": "Contoso" }], "subscriptions": [
        sub("locked", "Locked", "Enabled", json!({ "locks": [{
            "id": "/subscriptions/locked/providers/Microsoft.Authorization/locks/freeze",
            "name": "freeze", "type": "Microsoft.Authorization/locks",
            "properties": { "level": "ReadOnly", "notes": "Change freeze until January" } }] })),
        sub("policy", "Policy", "Enabled", json!({ "policyDenials": [{
            "assignment": { "id": "/subscriptions/policy/providers/Microsoft.Authorization/policyAssignments/a1", "name": "a1",
                "type": "Microsoft.Authorization/policyAssignments",
                "properties": { "displayName": "Freeze Defender settings", "policyDefinitionId": "/providers/Microsoft.Authorization/policyDefinitions/d1", "scope": "/subscriptions/policy" } },
            "denies": ["Microsoft.Security/settings/*"] }] })),
        sub("linked", "Linked", "Enabled", json!({ "linkedAuthorizationFailures": [{
            "action": "Microsoft.Security/settings/write",
            "linkedScope": "/subscriptions/other/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/ws",
            "linkedAction": "Microsoft.OperationalInsights/workspaces/sharedKeys/action" }],
            "permissions": [{ "actions": ["Microsoft.Security/*", "*/read"], "notActions": [] }] })),
        sub("unregistered", "Unregistered", "Enabled", json!({ "unregisteredProviders": ["Microsoft.Security"] })),
        sub("expired", "Expired", "Expired", json!({})),
        sub("warned", "Warned", "Warned", json!({})),
        sub("pastdue", "PastDue", "PastDue", json!({})),
        sub("reader", "Reader", "Enabled", json!({ "permissions": [{ "actions": ["*/read"], "notActions": [] }] })),
    ]})
}

fn client(faults: Faults) -> ArmClient<InProcess> {
    let options = Options { require_auth: false, faults, lro_ms: 4_000, ..Options::default() };
    let azure = FakeAzure::from_scenario_json(&tenant().to_string(), options).unwrap();
    ArmClient::new(InProcess::new(azure), ARM)
}

fn turn_on(client: &ArmClient<InProcess>, subscription: &str) -> Result<(), ArmFailure> {
    let body = json!({ "kind": "DataExportSettings", "properties": { "enabled": true } });
    block_on(client.write(http::Method::PUT, &api::setting(subscription, "WDATP"), &body)).map(drop)
}

fn refusal(subscription: &str) -> ArmFailure {
    let client = client(Faults::default());
    let failure = turn_on(&client, subscription).unwrap_err();
    let puts = client.transport().sent.borrow().iter().filter(|s| s.starts_with("PUT")).count();
    assert_eq!(puts, 1, "{subscription}: a refusal that waiting cannot clear is not retried");
    failure
}

#[test]
fn a_lock_names_its_scope_and_who_can_remove_it() {
    let f = refusal("locked");
    assert_eq!((f.status(), f.code(), f.remedy()), (Some(409), "ScopeLocked", Remedy::RemoveLock));
    assert_eq!(
        f.advice(),
        "A resource lock forbids changes at '/subscriptions/locked'. Someone with Owner or User Access Administrator (Microsoft.Authorization/locks/delete) must remove the lock first, then retry."
    );
}

#[test]
fn a_policy_denial_names_the_assignment() {
    let f = refusal("policy");
    assert_eq!((f.status(), f.code(), f.remedy()), (Some(403), "RequestDisallowedByPolicy", Remedy::PolicyDenies));
    assert!(
        f.advice().starts_with("The Azure Policy assignment 'Freeze Defender settings' denies this change."),
        "{}",
        f.advice()
    );
}

#[test]
fn a_linked_scope_is_named() {
    let f = refusal("linked");
    assert_eq!((f.status(), f.code(), f.remedy()), (Some(403), "LinkedAuthorizationFailed", Remedy::AskForLinkedRole));
    assert!(
        f.advice()
            .contains("(/subscriptions/other/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/ws)"),
        "{}",
        f.advice()
    );
}

#[test]
fn a_missing_role_names_the_action_and_the_roles_that_grant_it() {
    let f = refusal("reader");
    assert_eq!((f.status(), f.code(), f.remedy()), (Some(403), "AuthorizationFailed", Remedy::AskForRole));
    assert!(f.advice().starts_with("You lack the permission 'Microsoft.Security/settings/write' here. Roles that grant it: Security Admin, Contributor or Owner."), "{}", f.advice());
}

#[test]
fn expired_is_read_only_while_warned_and_past_due_take_writes() {
    let f = refusal("expired");
    assert_eq!(
        (f.status(), f.code(), f.remedy()),
        (Some(409), "ReadOnlyDisabledSubscription", Remedy::SubscriptionReadOnly)
    );
    assert!(f.to_string().contains("is expired and therefore marked as read only"), "{f}");
    let client = client(Faults::default());
    for writable in ["warned", "pastdue"] {
        turn_on(&client, writable).unwrap_or_else(|e| panic!("{writable}: {e}"));
    }
}

#[test]
fn an_unregistered_provider_is_refused_until_registered_then_works() {
    let client = client(Faults::default());
    let read = block_on(client.list::<Value>(&api::settings("unregistered"))).unwrap_err();
    assert_eq!(
        (read.status(), read.code(), read.remedy()),
        (Some(409), "MissingSubscriptionRegistration", Remedy::RegisterProvider)
    );
    assert!(read.advice().contains("Register it"), "{}", read.advice());
    // The portal's silent step, then a read-back until Azure says Registered (4 s here).
    let provider = block_on(registration::register_security(&client, "unregistered")).unwrap();
    assert!(provider.registered(), "{provider:?}");
    let polls =
        client.transport().sent.borrow().iter().filter(|s| s.ends_with("/providers/Microsoft.Security")).count();
    assert!((2..=4).contains(&polls), "read back until registered: {polls}");
    turn_on(&client, "unregistered").unwrap();
}

#[test]
fn only_the_transient_conflict_is_retried() {
    // A write takes 5 s at ARM (the fake's latency); a second one meanwhile meets "another
    // update operation is in progress" until the first is done.
    let client = client(Faults { latency_ms: 5_000, ..Faults::default() });
    turn_on(&client, "warned").unwrap();
    turn_on(&client, "warned").unwrap();
    let sent = client.transport().sent.borrow();
    let puts = sent.iter().filter(|s| s.starts_with("PUT")).count();
    assert!(puts >= 3, "the 409 Conflict was retried until the first write finished: {sent:?}");
}

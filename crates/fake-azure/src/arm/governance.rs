//! What refuses a write that the caller's roles allow, as ARM does: a resource lock
//! (409 `ScopeLocked`), an Azure Policy deny assignment (403 `RequestDisallowedByPolicy`), a
//! missing permission on a linked resource (403 `LinkedAuthorizationFailed`), and a resource
//! provider the subscription has not registered (409 `MissingSubscriptionRegistration`).
//!
//! Scenario keys, per subscription (locks and policy assignments in ARM's own shapes):
//! `locks: [Microsoft.Authorization/locks objects]`,
//! `policyDenials: [{"assignment": {policyAssignment object}, "denies": ["Microsoft.Security/settings/write"]}]`,
//! `linkedAuthorizationFailures: [{"action", "linkedScope", "linkedAction"}]`,
//! `unregisteredProviders: ["Microsoft.Security"]`.

use std::collections::HashMap;

use http::{Method, Response};
use serde_json::{json, Value};

use crate::arm::errors;
use crate::rbac;
use crate::scenario::{bad, list, string, ScenarioError};

#[derive(Debug, Default)]
pub(crate) struct Governance {
    locks: Vec<Value>,
    policy_denials: Vec<PolicyDenial>,
    linked_failures: Vec<LinkedFailure>,
    /// Registration state per lower-case namespace; absent = `Registered`. A registration
    /// started at `t` completes at `t + lro_ms`.
    providers: HashMap<String, Registration>,
}

#[derive(Debug)]
struct PolicyDenial {
    assignment: Value,
    denies: Vec<String>,
}

#[derive(Debug)]
struct LinkedFailure {
    action: String,
    linked_scope: String,
    linked_action: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Registration {
    NotRegistered,
    RegisteringUntil(u64),
}

impl Governance {
    pub fn from_scenario(entry: &mut Value, path: &str) -> Result<Governance, ScenarioError> {
        let locks = list(entry, "locks", &format!("{path}.locks"))?;
        for (i, lock) in locks.iter().enumerate() {
            string(lock, "id", &format!("{path}.locks[{i}]"))?;
        }
        let mut policy_denials = Vec::new();
        for (i, mut item) in list(entry, "policyDenials", &format!("{path}.policyDenials"))?.into_iter().enumerate() {
            let here = format!("{path}.policyDenials[{i}]");
            let assignment = item.get_mut("assignment").map(Value::take).unwrap_or(Value::Null);
            string(&assignment, "id", &format!("{here}.assignment"))?;
            let denies = strings(&item, "denies", &here)?;
            policy_denials.push(PolicyDenial { assignment, denies });
        }
        let mut linked_failures = Vec::new();
        let key = "linkedAuthorizationFailures";
        for (i, item) in list(entry, key, &format!("{path}.{key}"))?.into_iter().enumerate() {
            let here = format!("{path}.{key}[{i}]");
            linked_failures.push(LinkedFailure {
                action: string(&item, "action", &here)?,
                linked_scope: string(&item, "linkedScope", &here)?,
                linked_action: string(&item, "linkedAction", &here)?,
            });
        }
        let unregistered = match entry.get("unregisteredProviders") {
            None | Some(Value::Null) => Vec::new(),
            Some(_) => strings(entry, "unregisteredProviders", path)?,
        };
        let providers =
            unregistered.into_iter().map(|ns| (ns.to_ascii_lowercase(), Registration::NotRegistered)).collect();
        Ok(Governance { locks, policy_denials, linked_failures, providers })
    }

    /// `NotRegistered`, `Registering` or `Registered`, at `now_ms`.
    pub fn registration_state(&self, namespace: &str, now_ms: u64) -> &'static str {
        match self.providers.get(&namespace.to_ascii_lowercase()) {
            None => "Registered",
            Some(Registration::NotRegistered) => "NotRegistered",
            Some(Registration::RegisteringUntil(done)) if now_ms < *done => "Registering",
            Some(_) => "Registered",
        }
    }

    /// `POST .../providers/{ns}/register`: registration starts, and completes `lro_ms` later.
    pub fn register(&mut self, namespace: &str, now_ms: u64, lro_ms: u64) {
        let key = namespace.to_ascii_lowercase();
        if self.registration_state(&key, now_ms) == "NotRegistered" {
            self.providers.insert(key, Registration::RegisteringUntil(now_ms + lro_ms));
        }
    }

    /// ARM's refusal of a call to `namespace` while the subscription is not registered for it.
    pub fn check_registered(&self, namespace: &str, now_ms: u64) -> Result<(), Response<Vec<u8>>> {
        if self.registration_state(namespace, now_ms) == "Registered" {
            return Ok(());
        }
        Err(errors::arm_with(
            409,
            json!({
                "code": "MissingSubscriptionRegistration",
                "message": format!("The subscription is not registered to use namespace '{namespace}'. See https://aka.ms/rps-not-found for how to register subscriptions."),
                "details": [{
                    "code": "MissingSubscriptionRegistration",
                    "target": namespace,
                    "message": format!("The subscription is not registered to use namespace '{namespace}'. See https://aka.ms/rps-not-found for how to register subscriptions."),
                }],
            }),
        ))
    }

    /// The refusals of a write the caller's roles allow, in ARM's order: linked
    /// authorization, policy, then locks.
    pub fn check_write(
        &self,
        method: &http::Method,
        path: &str,
        action: &str,
        rights: &[mde_core::arm::permissions::Permission],
        caller: &str,
    ) -> Result<(), Response<Vec<u8>>> {
        for linked in self.linked_failures.iter().filter(|l| rbac::action_matches(&l.action, action)) {
            if !rbac::allows(rights, &linked.linked_action) {
                return Err(errors::arm(
                    403,
                    "LinkedAuthorizationFailed",
                    format!(
                        "The client '{caller}' has permission to perform action '{action}' on scope '{path}', however the client does not have permission to perform action(s) '{}' on the linked scope(s) '{}' (respectively) or the linked scope(s) are invalid.",
                        linked.linked_action, linked.linked_scope
                    ),
                ));
            }
        }
        if let Some(denial) =
            self.policy_denials.iter().find(|d| d.denies.iter().any(|p| rbac::action_matches(p, action)))
        {
            return Err(policy_refusal(&denial.assignment, path));
        }
        let deleting = *method == Method::DELETE;
        let locked: Vec<&str> = self
            .locks
            .iter()
            .filter(|lock| {
                let level = lock.pointer("/properties/level").and_then(Value::as_str).unwrap_or("ReadOnly");
                level.eq_ignore_ascii_case("ReadOnly") || (deleting && level.eq_ignore_ascii_case("CanNotDelete"))
            })
            .filter_map(|lock| lock_scope(lock.get("id")?.as_str()?))
            .filter(|scope| path.to_ascii_lowercase().starts_with(&scope.to_ascii_lowercase()))
            .collect();
        if !locked.is_empty() {
            let operation = if deleting { "delete" } else { "write" };
            return Err(errors::arm(
                409,
                "ScopeLocked",
                format!(
                    "The scope '{path}' cannot perform {operation} operation because following scope(s) are locked: '{}'. Please remove the lock and try again.",
                    locked.join("','")
                ),
            ));
        }
        Ok(())
    }
}

/// The scope a lock applies to: its id without `/providers/Microsoft.Authorization/locks/{name}`.
fn lock_scope(id: &str) -> Option<&str> {
    let at = id.to_ascii_lowercase().find("/providers/microsoft.authorization/locks/")?;
    Some(&id[..at])
}

/// ARM's `RequestDisallowedByPolicy`, naming the assignment in the message and in `additionalInfo`.
fn policy_refusal(assignment: &Value, path: &str) -> Response<Vec<u8>> {
    let field = |k: &str| assignment.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    let property = |k: &str| assignment.pointer(&format!("/properties/{k}")).cloned().unwrap_or(Value::Null);
    let (id, name) = (field("id"), field("name"));
    let display = property("displayName");
    let resource = path.rsplit('/').next().unwrap_or_default();
    let identifiers = json!([{ "policyAssignment": { "name": display, "id": id }, "policyDefinition": { "id": property("policyDefinitionId") } }]);
    errors::arm_with(
        403,
        json!({
            "code": "RequestDisallowedByPolicy",
            "target": resource,
            "message": format!("Resource '{resource}' was disallowed by policy. Policy identifiers: '{identifiers}'."),
            "additionalInfo": [{
                "type": "PolicyViolation",
                "info": {
                    "policyDefinitionId": property("policyDefinitionId"),
                    "policyDefinitionEffect": "deny",
                    "policyAssignmentId": id,
                    "policyAssignmentName": name,
                    "policyAssignmentDisplayName": display,
                    "policyAssignmentScope": property("scope"),
                },
            }],
        }),
    )
}

fn strings(item: &Value, key: &str, path: &str) -> Result<Vec<String>, ScenarioError> {
    let bad_list = || bad(&format!("{path}.{key}"), "expected a list of strings");
    let items = item.get(key).and_then(Value::as_array).ok_or_else(bad_list)?;
    items.iter().map(|v| v.as_str().map(str::to_string).ok_or_else(bad_list)).collect()
}

//! `Microsoft.Authorization/permissions`: what the caller may do at a scope.

use serde::{Deserialize, Serialize};

use super::common::null_as_default;

/// One role's worth of allowed and excluded actions, with `*` wildcards.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Permission {
    #[serde(default, deserialize_with = "null_as_default")]
    pub actions: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub not_actions: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub data_actions: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub not_data_actions: Vec<String>,
}

/// Whether `action` (e.g. `Microsoft.Security/settings/write`) is allowed by any one permission:
/// matched by one of its `actions` and by none of that same permission's `notActions`, as Azure
/// RBAC evaluates them. Matching ignores case.
pub fn allows(permissions: &[Permission], action: &str) -> bool {
    permissions.iter().any(|p| {
        p.actions.iter().any(|a| wildcard_match(a, action)) && !p.not_actions.iter().any(|n| wildcard_match(n, action))
    })
}

/// `*` matches any run of characters; everything else matches itself, ignoring ASCII case.
pub fn wildcard_match(pattern: &str, action: &str) -> bool {
    let pattern = pattern.to_ascii_lowercase();
    let action = action.to_ascii_lowercase();
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == action;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !action.starts_with(first) || action.len() < first.len() + last.len() || !action.ends_with(last) {
        return false;
    }
    let mut rest = &action[first.len()..action.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn perm(actions: &[&str], not_actions: &[&str]) -> Permission {
        Permission {
            actions: actions.iter().map(|s| s.to_string()).collect(),
            not_actions: not_actions.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    const WRITE: &str = "Microsoft.Security/settings/write";

    #[test]
    fn owner_star_allows_and_reader_does_not() {
        assert!(allows(&[perm(&["*"], &[])], WRITE));
        assert!(!allows(&[perm(&["*/read"], &[])], WRITE));
    }

    #[test]
    fn security_admin_wildcards_allow_settings_write() {
        assert!(allows(&[perm(&["Microsoft.Security/*"], &[])], WRITE));
        assert!(allows(&[perm(&["microsoft.security/settings/*"], &[])], WRITE));
    }

    #[test]
    fn not_actions_of_the_same_role_win() {
        let contributor_without_security = perm(&["*"], &["Microsoft.Security/*"]);
        assert!(!allows(std::slice::from_ref(&contributor_without_security), WRITE));
        // Another role that grants it still does.
        assert!(allows(&[contributor_without_security, perm(&["Microsoft.Security/settings/write"], &[])], WRITE));
    }

    #[test]
    fn middle_wildcards() {
        assert!(wildcard_match("Microsoft.*/settings/*", WRITE));
        assert!(!wildcard_match("Microsoft.*/pricings/*", WRITE));
        assert!(!allows(&[], WRITE));
    }
}

//! Azure RBAC as ARM evaluates `Microsoft.Authorization/permissions`: an action is allowed when
//! one permission entry (one role assignment's role) matches it in `actions` and that same
//! entry does not match it in `notActions`. A `notActions` of one role never takes away what
//! another role grants. Patterns are matched ignoring case, with `*` standing for any run of
//! characters, `/` included (`*/read` is every read, `Microsoft.Authorization/*/read` every
//! read under that provider).
//!
//! The fake's own evaluator, written apart from the app's so that a mistake in one cannot hide
//! the same mistake in the other.

use mde_core::arm::permissions::Permission;

/// Whether the caller holding `permissions` may perform `action`.
pub fn allows(permissions: &[Permission], action: &str) -> bool {
    permissions.iter().any(|entry| grants(entry, action))
}

/// Whether an action pattern (with `*` wildcards, any case) matches `action`.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    glob(pattern.as_bytes(), action.as_bytes())
}

/// Whether one permission entry grants `action`: listed in `actions`, not in `notActions`.
fn grants(entry: &Permission, action: &str) -> bool {
    let listed = |patterns: &[String]| patterns.iter().any(|p| glob(p.as_bytes(), action.as_bytes()));
    listed(&entry.actions) && !listed(&entry.not_actions)
}

/// ASCII-case-insensitive glob where `*` matches any run of bytes. Scans left to right; on a
/// mismatch after a `*`, the star takes one more byte and matching resumes from there (the
/// classic backtracking walk, linear in practice for action names).
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    // Where the last `*` was, and the text position it was tried against.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(c) if c.eq_ignore_ascii_case(&text[t]) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    star = Some((star_p, star_t + 1));
                    p = star_p + 1;
                    t = star_t + 1;
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(actions: &[&str], not_actions: &[&str]) -> Permission {
        Permission {
            actions: actions.iter().map(|a| a.to_string()).collect(),
            not_actions: not_actions.iter().map(|a| a.to_string()).collect(),
            ..Permission::default()
        }
    }

    #[test]
    fn glob_table() {
        // (pattern, action, matches)
        let table = [
            ("*", "Microsoft.Security/settings/write", true),
            ("*", "", true),
            ("", "", true),
            ("", "x", false),
            ("*/read", "Microsoft.Security/settings/read", true),
            ("*/read", "Microsoft.Compute/virtualMachines/extensions/read", true),
            ("*/read", "Microsoft.Security/settings/write", false),
            ("*/read", "Microsoft.Security/settings/readme", false),
            ("Microsoft.Security/*", "Microsoft.Security/pricings/write", true),
            ("Microsoft.Security/*", "Microsoft.SecurityInsights/alertRules/write", false),
            ("Microsoft.Security/*/read", "Microsoft.Security/settings/read", true),
            ("Microsoft.Security/*/read", "Microsoft.Security/locations/alerts/read", true),
            ("Microsoft.Security/*/read", "Microsoft.Security/settings/write", false),
            ("microsoft.SECURITY/Settings/WRITE", "Microsoft.Security/settings/write", true),
            ("Microsoft.*/machines/extensions/delete", "Microsoft.HybridCompute/machines/extensions/delete", true),
            ("Microsoft.*/machines/extensions/delete", "Microsoft.Compute/virtualMachines/extensions/delete", false),
            ("Microsoft.Compute/*/delete", "Microsoft.Compute/virtualMachines/extensions/delete", true),
            ("*a*b*c", "xaybzc", true),
            ("*a*b*c", "xaybzcd", false),
            ("a**b", "ab", true),
            ("Microsoft.Security/settings/write", "Microsoft.Security/settings/writes", false),
            ("Microsoft.Security/settings/writes", "Microsoft.Security/settings/write", false),
        ];
        for (pattern, action, expected) in table {
            assert_eq!(glob(pattern.as_bytes(), action.as_bytes()), expected, "{pattern:?} against {action:?}");
        }
    }

    #[test]
    fn not_actions_only_limit_their_own_entry() {
        let no_security = entry(&["*"], &["Microsoft.Security/*"]);
        assert!(!allows(std::slice::from_ref(&no_security), "Microsoft.Security/settings/write"));
        assert!(allows(std::slice::from_ref(&no_security), "Microsoft.Resources/tags/write"));
        let with_security_admin = [no_security, entry(&["Microsoft.Security/*"], &[])];
        assert!(allows(&with_security_admin, "Microsoft.Security/settings/write"));
    }

    #[test]
    fn no_entries_allow_nothing_and_empty_actions_grant_nothing() {
        assert!(!allows(&[], "Microsoft.Security/settings/read"));
        assert!(!allows(&[entry(&[], &[])], "Microsoft.Security/settings/read"));
        assert!(!allows(&[entry(&[], &["*"])], "Microsoft.Security/settings/read"));
    }

    #[test]
    fn not_actions_ignore_case_too() {
        let p = [entry(&["*"], &["microsoft.security/*"])];
        assert!(!allows(&p, "Microsoft.Security/pricings/write"));
    }
}

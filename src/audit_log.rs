//! The audit logs, kept in sessionStorage so that a reload loses nothing: one per tenant
//! session, and one for the demo, so that training never mixes with changes made in Azure.

use mde_core::audit::AuditEntry;

use crate::browser::storage::{self, Store};
use crate::session::Session;

/// Tenant sessions' logs are under this prefix and the tenant id; the demo's is apart.
const TENANT_PREFIX: &str = "audit.tenant.";
const DEMO_KEY: &str = "audit.demo";

fn key(session: &Session) -> String {
    if session.demo {
        DEMO_KEY.to_string()
    } else {
        format!("{TENANT_PREFIX}{}", session.tenant_id.to_ascii_lowercase())
    }
}

/// The changes made in this session's tenant (or in the demo), oldest first.
pub fn entries(session: &Session) -> Vec<AuditEntry> {
    Store::Session.get(&key(session)).unwrap_or_default()
}

pub fn append(session: &Session, entry: AuditEntry) {
    append_all(session, vec![entry]);
}

/// Appends several entries with one read and one write of the stored log.
pub fn append_all(session: &Session, entries: Vec<AuditEntry>) {
    let key = key(session);
    let mut all: Vec<AuditEntry> = Store::Session.get(&key).unwrap_or_default();
    all.extend(entries);
    Store::Session.set(&key, &all);
}

/// The logs of every tenant session in this tab that holds changes (not the demo's): what
/// signing out deletes.
pub fn tenant_logs() -> Vec<Vec<AuditEntry>> {
    storage::session_keys(TENANT_PREFIX)
        .iter()
        .map(|key| Store::Session.get::<Vec<AuditEntry>>(key).unwrap_or_default())
        .filter(|log| !log.is_empty())
        .collect()
}

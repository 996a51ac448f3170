//! The session's audit log, kept in sessionStorage so a reload loses nothing.

use mde_core::audit::AuditEntry;

use crate::browser::storage::Store;

const KEY: &str = "audit";

pub fn entries() -> Vec<AuditEntry> {
    Store::Session.get(KEY).unwrap_or_default()
}

pub fn append(entry: AuditEntry) {
    let mut all = entries();
    all.push(entry);
    Store::Session.set(KEY, &all);
}

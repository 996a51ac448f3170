//! The one place that touches sessionStorage: typed values under the app's own keys.
//!
//! Tokens go here (or, by config, only into memory); never into localStorage or the URL.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Every key this app writes starts with this, so sign-out can clear exactly ours.
const PREFIX: &str = "mde.";

thread_local! {
    /// The memory store, for `tokenStore: "memory"` (gone on reload, by design).
    static MEMORY: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
    /// Set by sign-out: a renewal still in flight must not write its tokens back.
    static SEALED: Cell<bool> = const { Cell::new(false) };
}

/// Where a value lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    Session,
    Memory,
}

fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

impl Store {
    pub fn get<T: DeserializeOwned>(self, key: &str) -> Option<T> {
        serde_json::from_str(&self.get_text(key)?).ok()
    }

    pub fn set<T: Serialize>(self, key: &str, value: &T) {
        if let Ok(text) = serde_json::to_string(value) {
            self.set_text(key, &text);
        }
    }

    /// The stored text itself, for values that read their own envelope (a run's record).
    pub fn get_text(self, key: &str) -> Option<String> {
        let key = format!("{PREFIX}{key}");
        match self {
            Store::Session => session()?.get_item(&key).ok()?,
            Store::Memory => MEMORY.with(|m| m.borrow().get(&key).cloned()),
        }
    }

    pub fn set_text(self, key: &str, text: &str) {
        if SEALED.with(Cell::get) {
            return;
        }
        let key = format!("{PREFIX}{key}");
        match self {
            Store::Session => {
                if let Some(s) = session() {
                    let _ = s.set_item(&key, text);
                }
            }
            Store::Memory => MEMORY.with(|m| {
                m.borrow_mut().insert(key, text.to_string());
            }),
        }
    }

    pub fn remove(self, key: &str) {
        let key = format!("{PREFIX}{key}");
        match self {
            Store::Session => {
                if let Some(s) = session() {
                    let _ = s.remove_item(&key);
                }
            }
            Store::Memory => MEMORY.with(|m| {
                m.borrow_mut().remove(&key);
            }),
        }
    }

    /// Reads and removes in one step: for values that may be used once (a pending sign-in).
    pub fn take<T: DeserializeOwned>(self, key: &str) -> Option<T> {
        let value = self.get(key);
        self.remove(key);
        value
    }
}

/// The app's sessionStorage keys that start with `prefix` (given and returned without the
/// app's own prefix).
pub fn session_keys(prefix: &str) -> Vec<String> {
    let Some(s) = session() else { return Vec::new() };
    let wanted = format!("{PREFIX}{prefix}");
    (0..s.length().unwrap_or(0))
        .filter_map(|i| s.key(i).ok().flatten())
        .filter(|key| key.starts_with(&wanted))
        .map(|key| key[PREFIX.len()..].to_string())
        .collect()
}

/// Removes everything the app stored, in both stores, and stores nothing more until the page
/// is left (sign-out).
pub fn clear_all() {
    SEALED.with(|s| s.set(true));
    MEMORY.with(|m| m.borrow_mut().clear());
    if let Some(s) = session() {
        let keys: Vec<String> = (0..s.length().unwrap_or(0)).filter_map(|i| s.key(i).ok().flatten()).collect();
        for key in keys.iter().filter(|k| k.starts_with(PREFIX)) {
            let _ = s.remove_item(key);
        }
    }
}

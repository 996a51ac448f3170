//! The one place that touches sessionStorage: typed values under the app's own keys.
//!
//! Tokens go here (or, by config, only into memory); never into localStorage or the URL.
//! sessionStorage is a tab's own: a sign-out in one tab reaches the site's other tabs through a
//! `BroadcastChannel`, and each clears its own.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Every key this app writes starts with this, so sign-out can clear exactly ours.
const PREFIX: &str = "mde.";

thread_local! {
    /// The memory store, for `tokenStore: "memory"` (gone on reload, by design).
    static MEMORY: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
    /// Set by sign-out: a renewal still in flight must not write its tokens back.
    static SEALED: Cell<bool> = const { Cell::new(false) };
    /// This tab's end of the sign-out channel (a channel does not hear its own messages).
    static CHANNEL: RefCell<Option<BroadcastChannel>> = const { RefCell::new(None) };
}

/// The channel of the site's tabs (a `BroadcastChannel` reaches the tabs of one origin).
const SIGN_OUT_CHANNEL: &str = "mde-console sign-out";
const SIGNED_OUT: &str = "signed-out";

#[wasm_bindgen]
extern "C" {
    /// web-sys's needs a feature this crate does not build.
    type BroadcastChannel;
    #[wasm_bindgen(constructor, catch)]
    fn new(name: &str) -> Result<BroadcastChannel, JsValue>;
    #[wasm_bindgen(method, js_name = postMessage)]
    fn post_message(this: &BroadcastChannel, message: &JsValue);
    #[wasm_bindgen(method, setter)]
    fn set_onmessage(this: &BroadcastChannel, handler: Option<&js_sys::Function>);
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

    /// Removes every value whose key starts with `prefix` (the tokens of every tenant).
    pub fn remove_all(self, prefix: &str) {
        match self {
            Store::Session => {
                for key in session_keys(prefix) {
                    self.remove(&key);
                }
            }
            Store::Memory => {
                MEMORY.with(|m| m.borrow_mut().retain(|key, _| !key.starts_with(&format!("{PREFIX}{prefix}"))))
            }
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

/// Tells the site's other tabs that the user signed out: each clears what it stored
/// ([`on_sign_out_elsewhere`]).
pub fn broadcast_sign_out() {
    let channel = CHANNEL.with(|c| c.borrow_mut().take()).or_else(|| BroadcastChannel::new(SIGN_OUT_CHANNEL).ok());
    if let Some(channel) = channel {
        channel.post_message(&SIGNED_OUT.into());
    }
}

/// When another tab of the site signs out, this one, if it holds tokens, clears everything it
/// stored and runs `then` (to show the signed-out start page). A tab running the demo only
/// keeps its demo.
pub fn on_sign_out_elsewhere(then: impl Fn() + 'static) {
    let Ok(channel) = BroadcastChannel::new(SIGN_OUT_CHANNEL) else { return };
    let handler = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
        let tokens = format!("{PREFIX}tokens.");
        let holds_tokens = !session_keys("tokens.").is_empty()
            || MEMORY.with(|m| m.borrow().keys().any(|key| key.starts_with(&tokens)));
        if event.data().as_string().as_deref() == Some(SIGNED_OUT) && holds_tokens {
            clear_all();
            then();
        }
    });
    channel.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    CHANNEL.with(|c| *c.borrow_mut() = Some(channel));
}

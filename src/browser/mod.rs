//! Browser glue: the only place that touches fetch, timers and storage.

pub mod demo;
pub mod export;
pub mod fetch;
pub mod network;
pub mod offline;
pub mod storage;

use std::future::Future;
use std::rc::Rc;

use futures::future::{AbortHandle, Abortable};
use mde_core::signed_in::SignedIn;

use mde_core::transport::{Request, Response, Transport, TransportError, READ_HEADERS};

/// Milliseconds since the Unix epoch, from the browser's clock.
pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// Waits `ms` milliseconds without blocking the page.
pub async fn sleep(ms: u64) {
    gloo_timers::future::TimeoutFuture::new(ms.min(u32::MAX as u64) as u32).await;
}

/// Fetches a file of the site (config, scenario) as text, by its path from the site's root
/// (`/config.json`), with a message that names it on failure; like every request, aborted when
/// dropped and given up after the default timeout.
pub async fn fetch_text(path: &str) -> Result<String, String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let path = &site_path(path);
    let failed = |what: &str, e: wasm_bindgen::JsValue| format!("{path} could not be {what}: {}", js_message(e));
    let abort = fetch::Abort::new();
    let exchange = async {
        let init = web_sys::RequestInit::new();
        init.set_signal(abort.signal().as_ref());
        let window = web_sys::window().ok_or_else(|| format!("{path} could not be fetched: no window"))?;
        let response =
            JsFuture::from(window.fetch_with_str_and_init(path, &init)).await.map_err(|e| failed("fetched", e))?;
        let response: web_sys::Response = response.unchecked_into();
        if !response.ok() {
            return Err(format!("{path} answered HTTP {} {}", response.status(), response.status_text()));
        }
        let text = response.text().map_err(|e| failed("read", e))?;
        let text = JsFuture::from(text).await.map_err(|e| failed("read", e))?;
        Ok(text.as_string().unwrap_or_default())
    };
    let timeout_ms = fetch::DEFAULT_TIMEOUT_MS;
    fetch::within(timeout_ms, &abort, exchange)
        .await
        .unwrap_or_else(|| Err(format!("{path} could not be fetched: {}", fetch::timeout_message(timeout_ms))))
}

/// An answer as the core reads it, from its status, its headers as name and value (in any case:
/// only those the core reads are kept) and its body; how a worker's answer becomes one.
pub fn response<'a>(
    status: u16,
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
    body: Vec<u8>,
) -> Result<Response, TransportError> {
    let mut response = http::Response::builder().status(status);
    for (name, value) in headers {
        if let Some(read) = READ_HEADERS.iter().find(|read| read.as_str().eq_ignore_ascii_case(name)) {
            response = response.header(read.clone(), value);
        }
    }
    response.body(body).map_err(|e| TransportError::Network(e.to_string()))
}

/// The message of a failed browser call (a TypeError's "Failed to fetch", an AbortError...).
pub fn js_message(e: wasm_bindgen::JsValue) -> String {
    use wasm_bindgen::JsCast;
    match e.dyn_ref::<js_sys::Error>() {
        Some(error) => String::from(error.message()),
        None => e.as_string().unwrap_or_else(|| "the browser gave no reason".into()),
    }
}

/// Runs a page's loading task until it ends or the page goes away: the cleanup of the current
/// reactive owner (the component, or the effect that started the task) drops the task, and
/// with it every request it has in flight (see [`fetch::Abort`]), before any answer can land
/// in a page that is no longer there. The pages load through this rather than Leptos'
/// `LocalResource`, whose futures are never cancelled (leptos-rs/leptos#4434): a page that is
/// left would go on reading ARM (`tests/e2e/session.test.mjs` checks that it does not).
pub fn spawn_scoped(task: impl Future<Output = ()> + 'static) {
    let (handle, registration) = AbortHandle::new_pair();
    leptos::prelude::on_cleanup(move || handle.abort());
    leptos::task::spawn_local(async move {
        let _ = Abortable::new(task, registration).await;
    });
}

/// The transport the app runs on: the built-in demo tenant, or Azure as the signed-in user.
#[derive(Clone)]
pub enum AppTransport {
    Demo(demo::DemoTransport),
    SignedIn(Rc<SignedIn<fetch::FetchTransport>>),
}

impl Transport for AppTransport {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        match self {
            AppTransport::Demo(t) => t.send(request).await,
            AppTransport::SignedIn(t) => t.send(request).await,
        }
    }

    async fn sleep(&self, ms: u64) {
        sleep(ms).await
    }

    fn now_ms(&self) -> u64 {
        now_ms()
    }
}

/// The page's URL parts the app reads: its path within the site (`/try/machines`, whatever
/// folder the site is served from), query, and origin.
pub fn location() -> (String, String, String) {
    let location = web_sys::window().expect("a window").location();
    let path = location.pathname().unwrap_or_default();
    (
        app_path(&path, &site_base()).unwrap_or(path),
        location.search().unwrap_or_default(),
        location.origin().unwrap_or_default(),
    )
}

thread_local! {
    static SITE_BASE: String = read_site_base();
}

/// The folder the site is served from, with both slashes: `/`, or `/mde-console/` for a
/// project site. index.html's first script puts it in a `<base>` (it knows the app's routes,
/// so a deep link finds it too); a page without one (the wasm tests) is at the root.
pub fn site_base() -> String {
    SITE_BASE.with(Clone::clone)
}

fn read_site_base() -> String {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return "/".into() };
    if !matches!(document.query_selector("base[href]"), Ok(Some(_))) {
        return "/".into();
    }
    let path = document
        .base_uri()
        .ok()
        .flatten()
        .and_then(|uri| web_sys::Url::new(&uri).ok())
        .map(|url| url.pathname())
        .unwrap_or_default();
    match path.rfind('/') {
        Some(end) => path[..=end].to_string(),
        None => "/".into(),
    }
}

/// `site_path` within the site served from `base`, as the app's routes read it (`/try/machines`);
/// `None` for a path outside the site.
pub fn app_path(site_path: &str, base: &str) -> Option<String> {
    let folder = base.trim_end_matches('/');
    let rest = site_path.strip_prefix(folder)?;
    match rest {
        "" => Some("/".into()),
        _ if rest.starts_with('/') => Some(rest.to_string()),
        _ => None,
    }
}

/// The address of `app_url` (a path from the site's root, such as `/try?x=1` or `/config.json`)
/// on the host.
pub fn site_path(app_url: &str) -> String {
    format!("{}{}", site_base(), app_url.trim_start_matches('/'))
}

/// Rewrites the address bar without a navigation (to drop `code` and `state` at once); `url`
/// is a path from the site's root.
pub fn replace_url(url: &str) {
    set_url(url, true);
}

/// Puts `url` (a path from the site's root with an optional query) in the address bar, as a
/// new history entry or in place of the current one.
pub fn set_url(url: &str, replace: bool) {
    let url = site_path(url);
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = if replace {
            history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
        } else {
            history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
        };
    }
}

/// Starts a newly opened page at its top, as a browser navigation would.
pub fn scroll_to_top() {
    if let Some(window) = web_sys::window() {
        window.scroll_to_with_x_and_y(0.0, 0.0);
    }
}

/// The path (from the site's root) and query of the link to a page of the site that a plain
/// left click landed on, if any. Links to other sites, with a modifier key (a new tab), with a
/// `target` or `download` are left to the browser.
pub fn same_origin_link(ev: &web_sys::MouseEvent) -> Option<String> {
    use wasm_bindgen::JsCast;
    if ev.default_prevented() || ev.button() != 0 || ev.meta_key() || ev.ctrl_key() || ev.shift_key() || ev.alt_key() {
        return None;
    }
    let target: web_sys::Element = ev.target()?.dyn_into().ok()?;
    let anchor: web_sys::HtmlAnchorElement = target.closest("a[href]").ok()??.dyn_into().ok()?;
    let (_, _, origin) = location();
    if anchor.has_attribute("download")
        || !matches!(anchor.target().as_str(), "" | "_self")
        || anchor.origin() != origin
    {
        return None;
    }
    Some(app_path(&anchor.pathname(), &site_base())? + &anchor.search())
}

/// Loads the page again (after `config.json` was fixed or the site came back).
pub fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

/// Leaves the app for another page (Entra's sign-in or sign-out).
pub fn go_to(url: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(url);
    }
}

/// Copies text to the clipboard (a user gesture must have started this).
pub fn copy_text(text: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.navigator().clipboard().write_text(text);
    }
}

/// Offers `content` as a file download, with no server involved.
pub fn download(filename: &str, mime: &str, content: &str) {
    use wasm_bindgen::JsCast;
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(content));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        if let Ok(anchor) = document.create_element("a") {
            let anchor: web_sys::HtmlAnchorElement = anchor.unchecked_into();
            anchor.set_href(&url);
            anchor.set_download(filename);
            anchor.click();
        }
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

#[cfg(test)]
mod tests {
    use super::app_path;

    #[test]
    fn a_path_of_the_site_is_read_from_the_site_folder() {
        assert_eq!(app_path("/try/machines", "/").as_deref(), Some("/try/machines"));
        assert_eq!(app_path("/", "/").as_deref(), Some("/"));
        assert_eq!(app_path("/mde-console/try/machines", "/mde-console/").as_deref(), Some("/try/machines"));
        assert_eq!(app_path("/mde-console/", "/mde-console/").as_deref(), Some("/"));
        assert_eq!(app_path("/mde-console", "/mde-console/").as_deref(), Some("/"));
        assert_eq!(app_path("/tools/mde/tenants/t1", "/tools/mde/").as_deref(), Some("/tenants/t1"));
    }

    #[test]
    fn a_path_outside_the_site_folder_is_none() {
        assert_eq!(app_path("/try", "/mde-console/"), None);
        assert_eq!(app_path("/mde-consoles/try", "/mde-console/"), None);
        assert_eq!(app_path("/other/mde-console/try", "/mde-console/"), None);
    }
}

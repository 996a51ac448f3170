//! Fetching a scenario by URL (`/try?scenario=…`) and reading one from a picked or dropped file.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::browser::demo::too_large;
use crate::browser::{fetch, js_message, sleep};

/// The `scenario` parameter of the page's address, if any.
pub fn scenario_param(query: &str) -> Option<String> {
    url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
        .find(|(key, _)| key == "scenario")
        .map(|(_, value)| value.into_owned())
        .filter(|value| !value.trim().is_empty())
}

/// `url` made absolute against the page's base (a project site's folder): only http(s).
pub fn resolve(url: &str) -> Result<String, String> {
    let base = web_sys::window().and_then(|w| w.document()).and_then(|d| d.base_uri().ok().flatten());
    let parsed = web_sys::Url::new_with_base(url.trim(), &base.unwrap_or_default())
        .map_err(|_| format!("'{url}' is not a URL of a scenario file"))?;
    if !matches!(parsed.protocol().as_str(), "http:" | "https:") {
        return Err(format!("'{url}' is not an http(s) URL"));
    }
    Ok(parsed.href())
}

/// The scenario at `url` (absolute), or why not: a CSP that does not let the page connect
/// there, an origin that does not allow this site (CORS), an HTTP error.
pub async fn fetch_scenario(url: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let origin = web_sys::Url::new(url).map(|u| u.origin()).unwrap_or_default();
    let ours = window.location().origin().unwrap_or_default();
    // A CSP refusal and a CORS refusal look the same to fetch ("Failed to fetch"); only the
    // document's violation event tells them apart.
    let blocked = Rc::new(RefCell::new(Vec::<String>::new()));
    let seen = blocked.clone();
    let on_violation = Closure::<dyn Fn(JsValue)>::new(move |event: JsValue| {
        let uri = js_sys::Reflect::get(&event, &"blockedURI".into()).ok().and_then(|v| v.as_string());
        seen.borrow_mut().push(uri.unwrap_or_default());
    });
    let document = window.document().ok_or("no document")?;
    let _ = document.add_event_listener_with_callback("securitypolicyviolation", on_violation.as_ref().unchecked_ref());
    let result = exchange(&window, url).await;
    if result.is_err() {
        // The violation event is queued as a task of its own: let it land.
        sleep(50).await;
    }
    let _ =
        document.remove_event_listener_with_callback("securitypolicyviolation", on_violation.as_ref().unchecked_ref());
    let refused_by_csp = blocked.borrow().iter().any(|uri| uri.starts_with(&origin) || uri == url);
    result.map_err(|failure| match failure {
        Failure::Network(_) if refused_by_csp => format!(
            "{url} could not be fetched: this site's Content-Security-Policy does not allow connecting to {origin}. \
             The site's host must add {origin} to the CSP's connect-src (see the README's \"Demo mode and training\")."
        ),
        Failure::Network(_) if origin != ours => format!(
            "{url} could not be fetched: {origin} did not answer, or does not allow this site to read it. It must \
             answer with the CORS header Access-Control-Allow-Origin: {ours} (or *)."
        ),
        Failure::Network(why) => format!("{url} could not be fetched: {why}"),
        Failure::Other(message) => message,
    })
}

enum Failure {
    /// fetch itself failed: no answer that the page may read.
    Network(String),
    Other(String),
}

async fn exchange(window: &web_sys::Window, url: &str) -> Result<String, Failure> {
    let abort = fetch::Abort::new();
    let run = async {
        let init = web_sys::RequestInit::new();
        init.set_signal(abort.signal().as_ref());
        init.set_mode(web_sys::RequestMode::Cors);
        // A scenario is public data: no cookies go to another origin.
        init.set_credentials(web_sys::RequestCredentials::Omit);
        let response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
            .await
            .map_err(|e| Failure::Network(js_message(e)))?;
        let response: web_sys::Response = response.unchecked_into();
        if !response.ok() {
            return Err(Failure::Other(format!(
                "{url} answered HTTP {} {}",
                response.status(),
                response.status_text()
            )));
        }
        // The size the server states first, then the size read (a server may state none).
        let stated = response.headers().get("content-length").ok().flatten().and_then(|n| n.parse().ok());
        // Refused before its body is read: the body's download ends with `abort`, dropped.
        if let Some(refused) = stated.and_then(|bytes| too_large(url, bytes)) {
            return Err(Failure::Other(refused));
        }
        let read = |e| Failure::Other(format!("{url} could not be read: {}", js_message(e)));
        let text = JsFuture::from(response.text().map_err(read)?).await.map_err(read)?.as_string().unwrap_or_default();
        match too_large(url, text.len() as u64) {
            Some(refused) => Err(Failure::Other(refused)),
            None => Ok(text),
        }
    };
    let timeout_ms = fetch::DEFAULT_TIMEOUT_MS;
    fetch::within(timeout_ms, &abort, run).await.unwrap_or_else(|| {
        Err(Failure::Other(format!("{url} could not be fetched: {}", fetch::timeout_message(timeout_ms))))
    })
}

#[wasm_bindgen]
extern "C" {
    /// A DOM `File` (web-sys's needs a feature this crate does not build).
    type PickedFile;
    #[wasm_bindgen(method, getter)]
    fn name(this: &PickedFile) -> String;
    #[wasm_bindgen(method)]
    fn text(this: &PickedFile) -> js_sys::Promise;
}

/// The first file of a `FileList` (an `<input type=file>`'s `files`, a drop's
/// `dataTransfer.files`), if any.
pub fn first_file(holder: &JsValue, key: &str) -> Option<JsValue> {
    let files = js_sys::Reflect::get(holder, &key.into()).ok()?;
    let file = js_sys::Reflect::get(&files, &0.into()).ok()?;
    (!file.is_undefined() && !file.is_null()).then_some(file)
}

/// A file's name and text.
pub async fn read_file(file: JsValue) -> Result<(String, String), String> {
    let file: PickedFile = file.unchecked_into();
    let name = file.name();
    let text = JsFuture::from(file.text()).await.map_err(|e| format!("{name} could not be read: {}", js_message(e)))?;
    Ok((name, text.as_string().unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scenario_parameter_is_read_decoded() {
        assert_eq!(
            scenario_param("?scenario=https%3A%2F%2Fx.example%2Fa.json"),
            Some("https://x.example/a.json".into())
        );
        assert_eq!(scenario_param("?a=1&scenario=/labs/1.json"), Some("/labs/1.json".into()));
        assert_eq!(scenario_param("?scenario="), None);
        assert_eq!(scenario_param(""), None);
    }
}

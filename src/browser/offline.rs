//! The service worker (sw.js, written by scripts/service-worker.py): it keeps the site's files so
//! that the demo opens without a network. A new build's worker waits until the user takes it
//! (the update notice's Reload), so a page never runs half one build, half the next.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ServiceWorker, ServiceWorkerContainer, ServiceWorkerRegistration, ServiceWorkerState};

thread_local! {
    static REGISTRATION: RefCell<Option<ServiceWorkerRegistration>> = const { RefCell::new(None) };
}

/// The page's service workers, if the browser offers them here (not on plain http but loopback).
fn container() -> Option<ServiceWorkerContainer> {
    let navigator = web_sys::window()?.navigator();
    js_sys::Reflect::has(&navigator, &"serviceWorker".into()).ok()?.then(|| navigator.service_worker())
}

/// Registers sw.js from the site's folder (its default scope) once the page has loaded, so its
/// downloads do not compete with the app's own; `on_update` runs when a newer build's worker is
/// installed and waiting.
pub fn register(on_update: impl Fn() + 'static) {
    let (Some(window), Some(container)) = (web_sys::window(), container()) else { return };
    let on_update: Rc<dyn Fn()> = Rc::new(on_update);
    let start = move || {
        wasm_bindgen_futures::spawn_local(async move {
            // Nothing to tell the user: the app works as before, only not offline.
            let _ = watch(container, on_update).await;
        })
    };
    if window.document().is_some_and(|d| d.ready_state() == "complete") {
        start();
    } else {
        let _ = window.add_event_listener_with_callback("load", Closure::once_into_js(start).unchecked_ref());
    }
}

async fn watch(container: ServiceWorkerContainer, on_update: Rc<dyn Fn()>) -> Result<(), JsValue> {
    let registration: ServiceWorkerRegistration =
        JsFuture::from(container.register(&super::site_path("/sw.js"))).await?.unchecked_into();
    // Another tab's Reload let a newer build's worker in: this tab still runs the earlier build,
    // whose files the worker no longer keeps. The notice's Reload then simply reloads.
    let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new({
        let on_update = on_update.clone();
        move |event: web_sys::MessageEvent| {
            if event.data().as_string().as_deref() == Some("build-changed") {
                on_update();
            }
        }
    });
    container.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // The browser looks for a new sw.js on each load; it may have found one before this ran.
    if registration.waiting().is_some() && container.controller().is_some() {
        on_update();
    }
    if let Some(installing) = registration.installing() {
        notify_when_installed(&installing, &container, &on_update);
    }
    let on_found = Closure::<dyn Fn()>::new({
        let registration = registration.clone();
        move || {
            if let Some(installing) = registration.installing() {
                notify_when_installed(&installing, &container, &on_update);
            }
        }
    });
    registration.set_onupdatefound(Some(on_found.as_ref().unchecked_ref()));
    on_found.forget();
    REGISTRATION.with(|r| *r.borrow_mut() = Some(registration));
    Ok(())
}

/// A worker installed while another controls the page is an update; the first one is not.
fn notify_when_installed(worker: &ServiceWorker, container: &ServiceWorkerContainer, on_update: &Rc<dyn Fn()>) {
    let on_state = Closure::<dyn Fn()>::new({
        let (worker, container, on_update) = (worker.clone(), container.clone(), on_update.clone());
        move || {
            if worker.state() == ServiceWorkerState::Installed && container.controller().is_some() {
                on_update();
            }
        }
    });
    worker.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
    on_state.forget();
}

/// The update notice's Reload: the waiting worker takes over, then the page loads the new build.
pub fn apply_update() {
    let waiting = REGISTRATION.with(|r| r.borrow().as_ref().and_then(|r| r.waiting()));
    let (Some(container), Some(waiting)) = (container(), waiting) else { return super::reload() };
    container.set_oncontrollerchange(Some(Closure::once_into_js(super::reload).unchecked_ref()));
    if waiting.post_message(&"skip-waiting".into()).is_err() {
        super::reload();
    }
}

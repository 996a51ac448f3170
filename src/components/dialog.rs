//! A modal dialog as a keyboard expects one: it takes the focus when it opens, Tab and
//! Shift+Tab go round its own controls only, Escape closes it (unless it is busy), and on
//! closing the focus goes back to what opened it.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// What Tab can stop on inside a dialog.
const FOCUSABLE: &str = "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), \
                         textarea:not([disabled]), summary, [tabindex]:not([tabindex='-1'])";

/// A dialog over a backdrop. `labelled_by` is the id of its heading. The control marked
/// `autofocus` (else the first one) gets the focus when it opens.
#[component]
pub fn Dialog(
    labelled_by: &'static str,
    #[prop(optional)] described_by: Option<&'static str>,
    /// Escape calls it, as would the dialog's own Cancel.
    #[prop(into)]
    on_close: Callback<()>,
    /// While true, Escape does nothing (a write in flight must not lose its dialog).
    #[prop(optional, into)]
    busy: Signal<bool>,
    children: Children,
) -> impl IntoView {
    let opener = StoredValue::new_local(active_element());
    let dialog = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let Some(dialog) = dialog.get() {
            let first =
                dialog.query_selector("[autofocus]").ok().flatten().or_else(|| focusable(&dialog).into_iter().next());
            if let Some(el) = first.and_then(|el| el.dyn_into::<HtmlElement>().ok()) {
                let _ = el.focus();
            }
        }
    });
    on_cleanup(move || {
        if let Some(el) = opener.try_get_value().flatten().filter(|el| el.is_connected()) {
            let _ = el.focus();
        }
    });
    let on_key = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Escape" if !busy.get_untracked() => on_close.run(()),
        "Tab" => {
            let Some(dialog) = dialog.get_untracked() else { return };
            let stops = focusable(&dialog);
            let (Some(first), Some(last)) = (stops.first(), stops.last()) else {
                ev.prevent_default();
                return;
            };
            let active = active_element().map(Element::from);
            let wrap_to = if ev.shift_key() {
                (active.as_ref() == Some(first) || !stops.iter().any(|el| Some(el) == active.as_ref())).then_some(last)
            } else {
                (active.as_ref() == Some(last) || !stops.iter().any(|el| Some(el) == active.as_ref())).then_some(first)
            };
            if let Some(el) = wrap_to.and_then(|el| el.dyn_ref::<HtmlElement>()) {
                ev.prevent_default();
                let _ = el.focus();
            }
        }
        _ => {}
    };
    view! {
        <div class="backdrop">
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby=labelled_by
                aria-describedby=described_by node_ref=dialog on:keydown=on_key>
                {children()}
            </div>
        </div>
    }
}

fn active_element() -> Option<HtmlElement> {
    web_sys::window()?.document()?.active_element()?.dyn_into().ok()
}

/// The dialog's controls in Tab order that are shown (a control inside a closed `<details>`
/// has no box, and Tab skips it).
fn focusable(dialog: &Element) -> Vec<Element> {
    let Ok(list) = dialog.query_selector_all(FOCUSABLE) else { return Vec::new() };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<HtmlElement>().ok())
        .filter(|el| el.offset_parent().is_some())
        .map(Element::from)
        .collect()
}

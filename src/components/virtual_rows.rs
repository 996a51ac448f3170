//! Rendering only the rows in view: a table of thousands of rows keeps a few dozen in the DOM,
//! with empty space above and below standing for the rest, so the page (or the table's own
//! scrolling box) scrolls as if they were all there. Rows have one fixed height (set in the
//! stylesheet, measured here).

use leptos::html::{Div, Tbody, Tr};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

/// Rows rendered beyond each edge of the window: scrolling by a wheel step or tabbing to the
/// next link finds its row already there.
pub const OVERSCAN: usize = 20;

/// What the window shows of a table body: `top` is how far the window's top edge is below the
/// first row (negative while the table starts further down), all in CSS pixels.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Viewport {
    pub top: f64,
    pub height: f64,
    pub row_height: f64,
}

impl Default for Viewport {
    fn default() -> Self {
        // Until measured: the table at the top of a window of common height, rows of 36 px.
        Viewport { top: 0.0, height: 900.0, row_height: 36.0 }
    }
}

/// The rows to render, `start..end` of `total`: those the window shows plus `overscan` rows on
/// either side.
pub fn rows_in_view(view: Viewport, total: usize, overscan: usize) -> (usize, usize) {
    let h = view.row_height.max(1.0);
    let first = (view.top / h).floor().max(0.0) as usize;
    let last = ((view.top + view.height) / h).ceil().max(0.0) as usize;
    let start = first.saturating_sub(overscan).min(total);
    let end = (last + overscan).min(total).max(start);
    (start, end)
}

/// Follows the window over the rows as the page scrolls or resizes (measured once per frame):
/// `above` is the spacer standing for the rows above the rendered ones (its top is where the
/// first row would be), `body` holds the rendered rows. A table in a scrolling box of its own
/// names it as `scroller` (positioned, so that it is its rows' offset parent) and calls
/// `remeasure` on its scroll events; what is in view is then the part of the box that is in
/// the window. The returned `remeasure` is also for changes the window does not announce: rows
/// arriving, or content above the table growing.
pub fn follow_viewport(
    above: NodeRef<Tr>,
    body: NodeRef<Tbody>,
    scroller: Option<NodeRef<Div>>,
) -> (ReadSignal<Viewport>, impl Fn() + Copy + Send + Sync + 'static) {
    let (view, set_view) = signal(Viewport::default());
    let scheduled = StoredValue::new(false);
    let remeasure = move || {
        if scheduled.try_get_value() != Some(false) {
            return; // A measure is on its way, or the page has gone.
        }
        scheduled.set_value(true);
        request_animation_frame(move || {
            scheduled.try_set_value(false);
            let (Some(above), Some(body)) = (above.try_get_untracked().flatten(), body.try_get_untracked().flatten())
            else {
                return;
            };
            let scroller = scroller.and_then(|s| s.try_get_untracked().flatten());
            let measured = measure(&above, &body, scroller.as_deref());
            if view.try_get_untracked().is_some_and(|v| v != measured) {
                set_view.set(measured);
            }
        });
    };
    let scrolled = window_event_listener(leptos::ev::scroll, move |_| remeasure());
    let resized = window_event_listener(leptos::ev::resize, move |_| remeasure());
    on_cleanup(move || {
        scrolled.remove();
        resized.remove();
    });
    remeasure();
    (view, remeasure)
}

/// The window's position over the first row, and the rows' height (the distance between two
/// rows, which includes their shared border).
fn measure(above: &HtmlElement, body: &HtmlElement, scroller: Option<&HtmlElement>) -> Viewport {
    let window = web_sys::window().expect("a window");
    let window_top = window.scroll_y().unwrap_or(0.0);
    let window_height = window.inner_height().ok().and_then(|h| h.as_f64()).unwrap_or(900.0);
    let row = |e: Option<web_sys::Element>| e.and_then(|e| e.dyn_into::<HtmlElement>().ok());
    let first = row(body.first_element_child());
    let second = row(first.as_ref().and_then(|f| f.next_element_sibling()));
    let row_height = match (&first, &second) {
        (Some(a), Some(b)) if b.offset_top() > a.offset_top() => (b.offset_top() - a.offset_top()) as f64,
        (Some(a), _) if a.offset_height() > 0 => a.offset_height() as f64,
        _ => Viewport::default().row_height,
    };
    let Some(scroller) = scroller else {
        return Viewport { top: window_top - offset_top(above, None), height: window_height, row_height };
    };
    // The box's part in the window, in the box's content coordinates.
    let box_top = offset_top(scroller, None);
    let shown_from = (window_top - box_top).max(0.0);
    let shown_to = (window_top + window_height - box_top).min(scroller.client_height() as f64);
    let scrolled = scroller.scroll_top() as f64;
    Viewport {
        top: scrolled + shown_from - offset_top(above, Some(scroller)),
        height: (shown_to - shown_from).max(0.0),
        row_height,
    }
}

/// How far `element` is below the top of the page, or of `within` (one of its offset parents).
fn offset_top(element: &HtmlElement, within: Option<&HtmlElement>) -> f64 {
    let mut offset = 0.0;
    let mut element = Some(element.clone());
    while let Some(e) = element.filter(|e| Some(e) != within) {
        offset += e.offset_top() as f64;
        element = e.offset_parent().and_then(|p| p.dyn_into::<HtmlElement>().ok());
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(top: f64, height: f64) -> Viewport {
        Viewport { top, height, row_height: 30.0 }
    }

    #[test]
    fn the_window_and_the_overscan_on_both_sides() {
        // Rows 100..=120 are in view (3000 px down, 600 px high).
        assert_eq!(rows_in_view(view(3000.0, 600.0), 1800, 20), (80, 140));
        // Part of a row at each edge counts.
        assert_eq!(rows_in_view(view(3015.0, 600.0), 1800, 0), (100, 121));
    }

    #[test]
    fn the_ends_of_the_table_and_a_table_below_the_window() {
        assert_eq!(rows_in_view(view(0.0, 600.0), 1800, 20), (0, 40));
        assert_eq!(rows_in_view(view(53_700.0, 600.0), 1800, 20), (1770, 1800));
        // The table starts 400 px down: the first 7 rows show.
        assert_eq!(rows_in_view(view(-400.0, 600.0), 1800, 20), (0, 27));
        // The table is far below: only the overscan is rendered.
        assert_eq!(rows_in_view(view(-5000.0, 600.0), 1800, 20), (0, 20));
        // Scrolled past the end (the table shrank under a filter).
        assert_eq!(rows_in_view(view(90_000.0, 600.0), 11, 20), (11, 11));
        assert_eq!(rows_in_view(view(0.0, 600.0), 0, 20), (0, 0));
    }
}

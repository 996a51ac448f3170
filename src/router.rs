//! Which page the address bar names, and moving between pages without reloading.
//!
//! A small router of our own: the app has ten routes, and leptos_router's general matching
//! cost more of the size budget than all of them (see the README's size notes).

use leptos::prelude::*;
use url::form_urlencoded;

use crate::browser;

/// The first segment of every route but the start page. index.html's first script finds the
/// folder a deep link's site is served from by these (the folder ends before the first of
/// them), so a site cannot be served from a folder of one of these names.
pub const FIRST_SEGMENTS: [&str; 3] = ["try", "tenants", "setup"];

/// A page of the app, as parsed from a path.
#[derive(Clone, Debug, PartialEq)]
pub enum Route {
    /// `/`: the start page (sign in, or off to the demo).
    Home,
    /// `/setup`: how to connect the app to a tenant.
    Setup,
    /// `/try/...`: the built-in demo tenant.
    Demo(Page),
    /// `/tenants/{tenant}/...`: a tenant, signed in.
    Tenant(String, Page),
    NotFound,
}

/// A page inside a tenant, demo or real.
#[derive(Clone, Debug, PartialEq)]
pub enum Page {
    Overview,
    Subscription(String),
    Audit,
    /// The plan and run of a change to many subscriptions.
    Bulk,
    /// Every VM and Arc machine with its MDE deployment status.
    Machines,
    /// The plan and run of a change to the selected machines (the tag, removing the extension).
    MachineChange,
    /// `/machines/machine?id={arm id}`: one machine, its test alert and sensor check.
    Machine,
}

impl Route {
    /// Parses a path from the site's root (the folder it is served from taken off, see
    /// [`browser::location`]) such as `/tenants/contoso.com/subscriptions/{id}`; segments are
    /// percent-decoded, so a name arrives as the text it stands for.
    pub fn parse(path: &str) -> Route {
        let segments: Vec<String> = path.split('/').filter(|s| !s.is_empty()).map(percent_decode).collect();
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        match segments.as_slice() {
            [] => Route::Home,
            ["setup"] => Route::Setup,
            ["try", rest @ ..] => Page::parse(rest).map_or(Route::NotFound, Route::Demo),
            ["tenants", tenant, rest @ ..] => {
                Page::parse(rest).map_or(Route::NotFound, |page| Route::Tenant(tenant.to_string(), page))
            }
            _ => Route::NotFound,
        }
    }

    /// The tenant (or demo) part of the route, which pages below it share.
    pub fn page(&self) -> Option<&Page> {
        match self {
            Route::Demo(page) | Route::Tenant(_, page) => Some(page),
            _ => None,
        }
    }
}

impl Route {
    /// The route's address from the site's root, as navigation takes it.
    pub fn path(&self) -> String {
        match self {
            Route::Home | Route::NotFound => "/".into(),
            Route::Setup => "/setup".into(),
            Route::Demo(page) => format!("/try{}", page.path()),
            Route::Tenant(tenant, page) => format!("/tenants/{}{}", mde_core::api::seg(tenant), page.path()),
        }
    }

    /// The route's address on the host, the site's folder included: what a link's `href`
    /// holds, so that a new tab, a copy or a bookmark gives the page's real address.
    pub fn href(&self) -> String {
        browser::site_path(&self.path())
    }
}

impl Page {
    /// The page's path below its tenant (or the demo): "", "/bulk", "/subscriptions/{id}"...
    pub fn path(&self) -> String {
        match self {
            Page::Overview => String::new(),
            Page::Subscription(id) => format!("/subscriptions/{}", mde_core::api::seg(id)),
            Page::Audit => "/audit".into(),
            Page::Bulk => "/bulk".into(),
            Page::Machines => "/machines".into(),
            Page::MachineChange => "/machines/change".into(),
            Page::Machine => "/machines/machine".into(),
        }
    }

    fn parse(segments: &[&str]) -> Option<Page> {
        match segments {
            [] => Some(Page::Overview),
            ["subscriptions", id] => Some(Page::Subscription(id.to_string())),
            ["audit"] => Some(Page::Audit),
            ["bulk"] => Some(Page::Bulk),
            ["machines"] => Some(Page::Machines),
            ["machines", "change"] => Some(Page::MachineChange),
            ["machines", "machine"] => Some(Page::Machine),
            _ => None,
        }
    }
}

fn percent_decode(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment).decode_utf8_lossy().into_owned()
}

/// The address bar, as signals: pages read the path and query from here and change them
/// with [`Location::navigate`].
#[derive(Clone, Copy)]
pub struct Location {
    path: RwSignal<String>,
    query: RwSignal<String>,
}

impl Location {
    /// Reads the address bar, follows the back and forward buttons, and opens the app's own
    /// links in place (a link to a file of the site, such as the scenario, is a real download).
    /// Paths are from the site's root: the folder the site is served from is added to the
    /// address bar and to the pages' links by `browser`.
    pub fn provide() -> Location {
        let (path, query, _) = browser::location();
        let location = Location { path: RwSignal::new(path), query: RwSignal::new(query) };
        provide_context(location);
        let _ = window_event_listener(leptos::ev::popstate, move |_| location.read_address_bar());
        let _ = window_event_listener(leptos::ev::click, move |ev| {
            let Some(href) = browser::same_origin_link(&ev) else { return };
            let path = href.split('?').next().unwrap_or_default();
            if Route::parse(path) != Route::NotFound {
                ev.prevent_default();
                location.navigate(&href, false);
            }
        });
        location
    }

    fn read_address_bar(&self) {
        let (path, query, _) = browser::location();
        self.path.set(path);
        self.query.set(query);
    }

    /// The route the path names (tracked).
    pub fn route(&self) -> Route {
        self.path.with(|p| Route::parse(p))
    }

    /// The whole query, without its `?` (tracked).
    pub fn query(&self) -> String {
        self.query.with(|q| q.trim_start_matches('?').to_string())
    }

    /// Replaces the whole query in place (the history entry is replaced, as by `set_param`).
    pub fn set_query(&self, query: &str) {
        let path = self.path.get_untracked();
        let url = if query.is_empty() { path } else { format!("{path}?{query}") };
        self.navigate(&url, true);
    }

    /// A query parameter's value (tracked), empty when absent.
    pub fn param(&self, key: &str) -> String {
        self.query.with(|q| {
            form_urlencoded::parse(q.trim_start_matches('?').as_bytes())
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        })
    }

    /// Sets one query parameter (empty removes it) in place: the history entry is replaced,
    /// so a filter change does not fill the back button.
    pub fn set_param(&self, key: &str, value: &str) {
        let query = self.query.get_untracked();
        let mut kept = form_urlencoded::Serializer::new(String::new());
        for (k, v) in form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
            if k != key {
                kept.append_pair(&k, &v);
            }
        }
        if !value.is_empty() {
            kept.append_pair(key, value);
        }
        let kept = kept.finish();
        let path = self.path.get_untracked();
        let url = if kept.is_empty() { path } else { format!("{path}?{kept}") };
        self.navigate(&url, true);
    }

    /// Goes to `url` (a path with an optional query) in the page: a new history entry, or
    /// the current one replaced.
    pub fn navigate(&self, url: &str, replace: bool) {
        browser::set_url(url, replace);
        if !replace {
            browser::scroll_to_top();
        }
        self.read_address_bar();
    }
}

/// The location the app provided at start.
pub fn use_location() -> Location {
    expect_context::<Location>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_of_the_app_parses() {
        assert_eq!(Route::parse("/"), Route::Home);
        assert_eq!(Route::parse(""), Route::Home);
        assert_eq!(Route::parse("/setup"), Route::Setup);
        assert_eq!(Route::parse("/try"), Route::Demo(Page::Overview));
        assert_eq!(Route::parse("/try/"), Route::Demo(Page::Overview));
        assert_eq!(Route::parse("/try/audit"), Route::Demo(Page::Audit));
        assert_eq!(Route::parse("/try/subscriptions/abc"), Route::Demo(Page::Subscription("abc".into())));
        assert_eq!(Route::parse("/tenants/contoso.com"), Route::Tenant("contoso.com".into(), Page::Overview));
        assert_eq!(
            Route::parse("/tenants/t1/subscriptions/s1"),
            Route::Tenant("t1".into(), Page::Subscription("s1".into()))
        );
        assert_eq!(Route::parse("/tenants/t1/audit"), Route::Tenant("t1".into(), Page::Audit));
        assert_eq!(Route::parse("/try/bulk"), Route::Demo(Page::Bulk));
        assert_eq!(Route::parse("/try/machines"), Route::Demo(Page::Machines));
        assert_eq!(Route::parse("/tenants/t1/machines/change"), Route::Tenant("t1".into(), Page::MachineChange));
    }

    #[test]
    fn every_route_but_home_starts_with_a_first_segment_that_index_html_knows() {
        let index = include_str!("../index.html");
        let known = format!("[{}]", FIRST_SEGMENTS.map(|s| format!("'{s}'")).join(", "));
        assert!(index.contains(&known), "index.html's base script must list {known}");
        for path in ["/setup", "/try", "/try/machines", "/tenants/t1/audit"] {
            assert_ne!(Route::parse(path), Route::NotFound);
            assert!(FIRST_SEGMENTS.contains(&path.split('/').nth(1).unwrap()), "{path}");
        }
        for segment in ["demo", "nothing", "index.html"] {
            assert_eq!(Route::parse(&format!("/{segment}/x")), Route::NotFound, "{segment}");
        }
    }

    #[test]
    fn a_routes_path_parses_back_to_it_whatever_the_names_hold() {
        let hostile = "a/b?c=d#e %2F\"<x>";
        for route in [
            Route::Home,
            Route::Setup,
            Route::Demo(Page::Overview),
            Route::Demo(Page::MachineChange),
            Route::Tenant("contoso.com".into(), Page::Bulk),
            Route::Tenant(hostile.into(), Page::Subscription(hostile.into())),
            Route::Tenant("t".into(), Page::Machine),
        ] {
            assert_eq!(Route::parse(&route.path()), route, "{}", route.path());
        }
        assert_eq!(Route::Demo(Page::Audit).path(), "/try/audit");
    }

    #[test]
    fn unknown_paths_are_not_found() {
        for path in ["/demo", "/tenants", "/try/nothing", "/try/subscriptions", "/try/subscriptions/a/b", "/x"] {
            assert_eq!(Route::parse(path), Route::NotFound, "{path}");
        }
    }

    #[test]
    fn segments_are_decoded_to_the_text_they_stand_for() {
        assert_eq!(
            Route::parse("/tenants/%3Cimg%20src%3Dx%3E/subscriptions/a+b"),
            Route::Tenant("<img src=x>".into(), Page::Subscription("a+b".into()))
        );
    }
}

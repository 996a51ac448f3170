//! MDE Console, the web app: a Leptos CSR shell over the pure core.
//!
//! `browser` is the only module that touches browser APIs; pages render what the core says.

pub mod app;
pub mod audit_log;
pub mod browser;
pub mod components;
pub mod lazy_page;
pub mod pages;
pub mod router;
pub mod routes;
pub mod session;
pub mod tenant;

/// Sets the panic hook and mounts the app on `<body>`.
pub fn start() {
    console_error_panic_hook::set_once();
    session::take_callback_from_url();
    leptos::mount::mount_to_body(app::App);
}

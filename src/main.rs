//! MDE Console: the entry point. Mount the app, done.

fn main() {
    mde_console::start();
}

#!/usr/bin/env bash
# Runs every test: native (core, fake Azure, app logic), the exports judged by the real tools,
# wasm in headless Chromium, and end-to-end (the release site served on loopback, driven in
# headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/bin:$HOME/.cargo/bin:$PATH"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "native tests"
cargo test --workspace

# The files judged here are tests/golden/exports, which the native tests have just compared with
# what the code exports.
step "exports judged by the Azure CLI, a PowerShell grammar, HashiCorp's HCL parser, the ARM template schema"
node --test tests/exports/

step "wasm tests in headless Chromium"
CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=120 \
  cargo test -p mde-console --target wasm32-unknown-unknown --test web

step "release build"
trunk build --release

step "end-to-end tests in headless Chromium"
cargo build -p fake-azure --bin fake-azure
node --test --test-concurrency=1 tests/e2e/

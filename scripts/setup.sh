#!/usr/bin/env bash
# Installs whatever is missing to build (and with --test, to test) MDE Console on a fresh
# Debian machine with rustup, as root, reaching only package registries. Idempotent: a
# second run checks versions and returns in a second or two.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS="$PWD/.tools"
mkdir -p "$TOOLS/bin"
export PATH="$TOOLS/bin:$HOME/.cargo/bin:$PATH"

TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132.0.0
want_tests=${1:-}

say() { printf '\033[1m== %s\033[0m\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (about 12 minutes on 2 cores)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

# wasm-bindgen-cli must equal the wasm-bindgen in Cargo.lock exactly.
[ -f Cargo.lock ] || cargo generate-lockfile
bindgen=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $bindgen" ]; then
  say "installing wasm-bindgen-cli $bindgen"
  # Its own lock file pins a crate the registry no longer serves for some versions.
  cargo install wasm-bindgen-cli --version "$bindgen" --locked || cargo install wasm-bindgen-cli --version "$bindgen"
fi

# The app's wasm is split by page (scripts/split-build.sh): the splitter is the binary of the
# crate that cargo-leptos uses for this, wasm_split_cli_support, pinned with the helpers that
# Leptos's Cargo.lock entry expects.
WASM_SPLIT_VERSION=0.2.4
if [ ! -x "$TOOLS/bin/wasm-split-cli" ] || [ "$(cat "$TOOLS/wasm-split.version" 2>/dev/null)" != "$WASM_SPLIT_VERSION" ]; then
  say "installing wasm-split-cli (crates.io wasm_split_cli_support $WASM_SPLIT_VERSION, about 6 minutes)"
  cargo install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary --locked --root "$TOOLS" ||
    cargo install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary --root "$TOOLS"
  echo "$WASM_SPLIT_VERSION" >"$TOOLS/wasm-split.version"
fi

# Debian's binaryen is too old for this wasm-bindgen: take npm's, first on PATH.
if ! wasm-opt --version 2>/dev/null | grep -q "^wasm-opt version ${BINARYEN_VERSION%%.*} "; then
  say "installing wasm-opt (npm binaryen@$BINARYEN_VERSION)"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS/npm" "binaryen@$BINARYEN_VERSION"
  ln -sf "$TOOLS/npm/node_modules/binaryen/bin/wasm-opt" "$TOOLS/bin/wasm-opt"
fi

need_apt=()
command -v python3 >/dev/null || need_apt+=(python3)
command -v brotli >/dev/null || need_apt+=(brotli)
if [ "$want_tests" = "--test" ]; then
  [ -x /usr/bin/chromium ] || need_apt+=(chromium)
  [ -x /usr/bin/chromedriver ] || need_apt+=(chromium-driver)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  say "installing ${need_apt[*]} from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ "$want_tests" = "--test" ] && { [ ! -d tests/e2e/node_modules/playwright-core ] ||
  [ ! -d tests/e2e/node_modules/@kusto/language-service-next ]; }; then
  say "installing the end-to-end test driver and the KQL checker (npm playwright-core, @kusto/language-service-next; no browser download)"
  (cd tests/e2e && npm ci --silent --no-audit --no-fund)
fi

# The Terraform export tests parse the files with python-hcl2; 8.x keeps literals as written.
HCL2_VERSION=8.1.4
if [ "$want_tests" = "--test" ] &&
  [ "$(python3 -c 'import importlib.metadata as m; print(m.version("python-hcl2"))' 2>/dev/null)" != "$HCL2_VERSION" ]; then
  say "installing python-hcl2 $HCL2_VERSION (PyPI) for the Terraform export tests"
  python3 -m pip install --quiet --root-user-action=ignore "python-hcl2==$HCL2_VERSION"
fi
exit 0

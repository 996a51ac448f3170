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

# Prints a folder holding the unpacked source of crates.io's crate `$1` version `$2`: cargo fetch
# of a throwaway package that depends on it downloads and unpacks it (the throwaway's own
# resolution only fetches; nothing is built from it). Outside the repository, whose workspace
# would claim it.
crate_source() {
  local name=$1 version=$2 build
  build=$(mktemp -d)
  mkdir -p "$build/fetch/src"
  printf '[package]\nname = "fetch"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\n%s = "=%s"\n\n[workspace]\n' \
    "$name" "$version" >"$build/fetch/Cargo.toml"
  : >"$build/fetch/src/lib.rs"
  cargo fetch --quiet --manifest-path "$build/fetch/Cargo.toml"
  cp -r "$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"$name-$version" | head -1)" "$build/$name-$version"
  printf '%s\n' "$build/$name-$version"
}

# wasm-bindgen-cli must equal the wasm-bindgen in Cargo.lock exactly, and is built from a lock
# file (--locked), never from a fresh resolution. 0.2.130 was published with a lock file that
# pins webpki-roots 1.0.11, which crates.io no longer serves, so `cargo install --locked` fails;
# its copy in scripts/locks/ has webpki-roots 1.0.10 instead, its one change (cargo update -p
# webpki-roots --precise 1.0.10). A version with no copy there is installed with its own lock.
[ -f Cargo.lock ] || cargo generate-lockfile
bindgen=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $bindgen" ]; then
  say "installing wasm-bindgen-cli $bindgen (about 4 minutes)"
  lock="$PWD/scripts/locks/wasm-bindgen-cli-$bindgen.Cargo.lock"
  if [ -f "$lock" ]; then
    src=$(crate_source wasm-bindgen-cli "$bindgen")
    cp "$lock" "$src/Cargo.lock"
    cargo install --locked --path "$src"
    rm -rf "$(dirname "$src")"
  else
    cargo install wasm-bindgen-cli --version "$bindgen" --locked
  fi
fi

# The app's wasm is split by page (scripts/split-build.sh): the splitter is the binary of the
# crate that cargo-leptos uses for this, wasm_split_cli_support, pinned with the helpers that
# Leptos's Cargo.lock entry expects, built with the lock file it was published with.
WASM_SPLIT_VERSION=0.2.4
if [ ! -x "$TOOLS/bin/wasm-split-cli" ] || [ "$(cat "$TOOLS/wasm-split.version" 2>/dev/null)" != "$WASM_SPLIT_VERSION" ]; then
  say "installing wasm-split-cli (crates.io wasm_split_cli_support $WASM_SPLIT_VERSION, about 6 minutes)"
  cargo install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary --locked --root "$TOOLS"
  echo "$WASM_SPLIT_VERSION" >"$TOOLS/wasm-split.version"
fi

# Debian's binaryen is too old for this wasm-bindgen: take npm's, first on PATH.
if ! wasm-opt --version 2>/dev/null | grep -q "^wasm-opt version ${BINARYEN_VERSION%%.*} "; then
  say "installing wasm-opt (npm binaryen@$BINARYEN_VERSION)"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS/npm" "binaryen@$BINARYEN_VERSION"
  ln -sf "$TOOLS/npm/node_modules/binaryen/bin/wasm-opt" "$TOOLS/bin/wasm-opt"
fi

# The export checks' Python tools live in a virtual environment under .tools, made from Debian's
# own python3 (which refuses pip install into itself, PEP 668) when it is there.
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3
AZURE_CLI_VERSION=2.91.0

need_apt=()
command -v python3 >/dev/null || need_apt+=(python3)
command -v brotli >/dev/null || need_apt+=(brotli)
if [ "$want_tests" = "--test" ]; then
  [ -x /usr/bin/chromium ] || need_apt+=(chromium)
  [ -x /usr/bin/chromedriver ] || need_apt+=(chromium-driver)
  # Debian's python3 makes a venv only with python3-venv (it holds ensurepip).
  "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null || need_apt+=(python3-venv)
  # The bash exports run in GBK and BIG5 locales (crates/mde-core/tests/export_scripts.rs).
  # (The list is read whole: grep -q ends the pipe early, which pipefail takes for a failure.)
  locales=$(locale -a 2>/dev/null || true)
  grep -qix 'zh_CN.gbk' <<<"$locales" && grep -qix 'zh_TW' <<<"$locales" || need_apt+=(locales-all)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  say "installing ${need_apt[*]} from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# The end-to-end driver, the KQL checker and the export checks' judges (a PowerShell grammar,
# HashiCorp's HCL parser, ajv for the template schema). No package runs an install script: none
# needs one (tree-sitter-powershell's would build a native binding the checks do not use).
if [ "$want_tests" = "--test" ] && { [ ! -f tests/e2e/node_modules/.package-lock.json ] ||
  [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; }; then
  say "installing the test tools from npm (tests/e2e/package-lock.json; no browser download)"
  (cd tests/e2e && npm ci --silent --no-audit --no-fund --ignore-scripts)
fi

# The Azure CLI that judges the az exports (tests/exports/azure-cli.test.mjs), pinned, with the
# versions of scripts/python-tools.txt. About 3 minutes the first time.
venv="$TOOLS/venv"
if [ "$want_tests" = "--test" ] &&
  [ "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("azure-cli"))' 2>/dev/null)" != "$AZURE_CLI_VERSION" ]; then
  say "installing azure-cli $AZURE_CLI_VERSION (PyPI) in $venv for the export checks (about 3 minutes)"
  rm -rf "$venv"
  "$PYTHON" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -c scripts/python-tools.txt "azure-cli==$AZURE_CLI_VERSION"
fi
exit 0

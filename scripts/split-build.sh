#!/usr/bin/env bash
# Trunk pre_build hook: builds the app's wasm split by page, into Trunk's staging folder.
#
# Trunk cannot split a wasm (it has no step between cargo and wasm-bindgen), so the app is built
# here as cargo-leptos builds a split app: cargo links with relocations kept, wasm-split-cli
# (crates.io wasm_split_cli_support) cuts the pages marked in src/lazy_page.rs into modules of
# their own, wasm-bindgen binds the main module, wasm-opt shrinks every module. Then every
# file takes one name for the build (mde-console-{hash}...: the modules import each other, so
# one hash over all of them), and scripts/app-loader.py (a post_build hook) loads the main
# module from index.html as Trunk's own loader would.
set -euo pipefail
: "${TRUNK_STAGING_DIR:?split-build.sh runs as a Trunk hook}"
cd "${TRUNK_SOURCE_DIR:-$(dirname "$0")/..}"

target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
if [ "${TRUNK_PROFILE:-debug}" = release ]; then profile=release; flag=--release; else profile=debug; flag=; fi
work="$target_dir/split/$profile"
rm -rf "$work" && mkdir -p "$work/split" "$work/bound"

# The split points are the app crate's `split` feature, and the relocations are flags of the
# final link alone (cargo rustc passes them to this binary only): the dependencies stay the ones
# built for the workers, not rebuilt with other flags.
cargo rustc $flag --features split --target wasm32-unknown-unknown --bin mde-console --quiet -- -C link-arg=--emit-relocs
wasm-split-cli "$target_dir/wasm32-unknown-unknown/$profile/mde-console.wasm" "$work/split" --target web --out-name mde-console
wasm-bindgen --target web --no-typescript --keep-lld-exports --no-demangle --out-dir "$work/bound" --out-name mde-console "$work/split/mde-console.wasm"
rm "$work/split/mde-console.wasm"
mv "$work/bound"/* "$work/split/"
if [ "$profile" = release ]; then
  # SPLIT_KEEP_NAMES=1 keeps the functions' names, for a profile (tests/e2e/bench/machines.mjs).
  for wasm in "$work/split"/*.wasm; do wasm-opt -Oz ${SPLIT_KEEP_NAMES:+-g} "$wasm" -o "$wasm"; done
fi
python3 scripts/split-name.py "$work/split" "$TRUNK_STAGING_DIR"

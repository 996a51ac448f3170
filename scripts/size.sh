#!/usr/bin/env bash
# Builds the release site and prints each asset's raw, gzip and brotli size, with totals: the app
# (what every visitor loads before it runs: wasm + js + css; the pages split off it are listed
# apart), the demo tenant (the Web Worker that
# only demo mode loads, after the app runs) and the export worker (loaded when a user exports a
# plan). Fails when the app or the demo tenant is over budget.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/bin:$HOME/.cargo/bin:$PATH"
log=$(mktemp)
trunk build --release >"$log" 2>&1 || { cat "$log"; exit 1; }

APP_BUDGET=300000      # our goal is 250000
# The demo tenant is the whole fake Azure in a worker, loaded in demo mode only (see the README).
DEMO_BUDGET=140000

# Prints one line per file and sets $raw $gz $br to the group's totals.
group() {
  raw=0; gz=0; br=0
  for f in "$@"; do
    local r g b
    r=$(stat -c %s "$f"); g=$(gzip -9 -c "$f" | wc -c); b=$(brotli -q 11 -c "$f" | wc -c)
    printf '  %-42s %10d %10d %10d\n' "$(basename "$f")" "$r" "$g" "$b"
    raw=$((raw + r)); gz=$((gz + g)); br=$((br + b))
  done
}

printf '%-44s %10s %10s %10s\n' asset raw gzip brotli
# The app's wasm is split by page (scripts/split-build.sh): the first load is the main module
# with its JavaScript; demo mode and each page but the overview fetch their module (and the
# chunks they share) when first shown.
pages=($(ls dist/mde-console-*.wasm | grep -v '_bg\.wasm$'))
echo "app: the first load"
group $(ls dist/*.wasm dist/*.js dist/*.css | grep -v -e '/demo-tenant' -e '/plan-export' | grep -v -F "$(printf '%s\n' "${pages[@]}")")
printf '%-44s %10d %10d %10d\n' "app first load (wasm + js + css)" "$raw" "$gz" "$br"
app=$br
echo "split off the app: each page and demo mode, with the chunks it shares, fetched when first shown"
python3 scripts/size-pages.py dist
group "${pages[@]}" >/dev/null
printf '%-44s %10d %10d %10d\n' "all split files (${#pages[@]} files)" "$raw" "$gz" "$br"
demo_root=$(python3 scripts/size-pages.py dist demo_root)
echo "demo tenant (a worker, loaded only in demo mode)"
group dist/demo-tenant*.wasm dist/demo-tenant*.js
printf '%-44s %10d %10d %10d\n' "demo tenant total" "$raw" "$gz" "$br"
demo=$br
printf '%-44s %32d\n' "demo mode in all (app + its split point + demo tenant)" "$((app + demo_root + demo))"
echo "export worker (loaded when a user exports a plan)"
group dist/plan-export*.wasm dist/plan-export*.js
printf '%-44s %10d %10d %10d\n' "export worker total" "$raw" "$gz" "$br"

status=0
if [ "$app" -gt "$APP_BUDGET" ]; then
  echo "over budget: the app is $app bytes brotli > $APP_BUDGET" >&2; status=1
else
  echo "within budget: the app is $app bytes brotli <= $APP_BUDGET (goal 250000)"
fi
if [ "$demo" -gt "$DEMO_BUDGET" ]; then
  echo "over budget: the demo tenant is $demo bytes brotli > $DEMO_BUDGET" >&2; status=1
else
  echo "within budget: the demo tenant is $demo bytes brotli <= $DEMO_BUDGET"
fi
exit $status

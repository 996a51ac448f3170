#!/usr/bin/env bash
# Builds the release site and prints each asset's raw, gzip and brotli size, and the total
# of what the browser must load before the app runs (wasm + js + css).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/bin:$HOME/.cargo/bin:$PATH"
trunk build --release >/dev/null
printf '%-44s %10s %10s %10s\n' asset raw gzip brotli
total_raw=0; total_gz=0; total_br=0
for f in dist/*.wasm dist/*.js dist/*.css; do
  raw=$(stat -c %s "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  br=$(brotli -q 11 -c "$f" | wc -c)
  printf '%-44s %10d %10d %10d\n' "$(basename "$f")" "$raw" "$gz" "$br"
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz)); total_br=$((total_br + br))
done
printf '%-44s %10d %10d %10d\n' "total (wasm + js + css)" "$total_raw" "$total_gz" "$total_br"
budget=250000
if [ "$total_br" -gt "$budget" ]; then
  echo "over budget: $total_br bytes brotli > $budget" >&2
  exit 1
fi
echo "within budget: $total_br bytes brotli <= $budget (goal 200000)"

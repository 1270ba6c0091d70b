#!/usr/bin/env bash
# Prints the render figures: the Google Benchmark (CPU time, one core) and `ccsec render` /
# `ccsec reach` end to end on the synthetic 1,000-host inventory.
# Usage: bench/render/run.sh [preset]   (default: release; builds what it needs)
set -euo pipefail
cd "$(dirname "$0")/../.."
preset="${1:-release}"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" --target render_bench ccsec >/dev/null
inv="$(mktemp --suffix=.yaml)"; out="$(mktemp -d)"
trap 'rm -rf "$inv" "$out"' EXIT
python3 bench/render/gen_inventory.py 1000 > "$inv"
CCSEC_BENCH_INVENTORY="$inv" taskset -c 0 "build/$preset/bench/render/render_bench" --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true
echo "--- ccsec render (end to end, writes every file), one core:"
/usr/bin/time -f "ccsec render: %e s wall, %U s user + %S s sys" taskset -c 0 "build/$preset/src/cli/ccsec" render "$inv" --out "$out" --ca-subject "CN=bench CA" | head -1
echo "--- ccsec reach (process incl. loading the inventory):"
/usr/bin/time -f "ccsec reach: %e s wall, %U s user + %S s sys" taskset -c 0 "build/$preset/src/cli/ccsec" reach "$inv" --from west-ext --to rgr-east-a:445/tcp || true

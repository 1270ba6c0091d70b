#!/usr/bin/env bash
# Times `ccsec check` (load + derive + all rules + JSON output) on synthetic inventories of 1k,
# 10k and 100k hosts, pinned to one core, and prints seconds, the growth ratios 10k/1k and
# 100k/10k (10.0 = linear) and the peak RSS from /usr/bin/time -v.
# Usage: bench/check/run.sh [ccsec binary]   (default: build/release/src/cli/ccsec; build it with
#        cmake --preset release && cmake --build --preset release --target ccsec)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${1:-$root/build/release/src/cli/ccsec}"
[ -x "$bin" ] || { echo "run.sh: $bin not built" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "run.sh: /usr/bin/time missing (scripts/setup installs package time)" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
declare -A secs rss
for n in 1000 10000 100000; do
  python3 "$root/bench/check/gen_inventory.py" "$n" "$work/inv-$n.yaml"
  best=""
  # Best of three wall-clock runs on one core (the machine is shared); RSS of the last.
  for _ in 1 2 3; do
    rc=0
    taskset -c 0 /usr/bin/time -v -o "$work/time-$n" "$bin" check "$work/inv-$n.yaml" \
      --as-of 2026-11-28 --format json > "$work/out-$n.json" 2> "$work/err-$n" || rc=$?
    if [ "$rc" -gt 1 ]; then echo "run.sh: ccsec check failed ($rc) on $n hosts:" >&2; head -5 "$work/err-$n" >&2; exit 1; fi
    t=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$work/time-$n")
    if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$t; fi
  done
  secs[$n]=$best
  rss[$n]=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time-$n")
  findings=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['summary']['total'])" "$work/out-$n.json")
  printf '%7d hosts: %8.3f s  peak RSS %8.1f MiB  (%s findings)\n' "$n" "${secs[$n]}" \
    "$(awk -v k="${rss[$n]}" 'BEGIN{print k/1024}')" "$findings"
  phases="$(dirname "$bin")/../../bench/check/bench_check_phases"
  if [ -x "$phases" ]; then printf '               '; taskset -c 0 "$phases" "$work/inv-$n.yaml"; fi
done
awk -v a="${secs[1000]}" -v b="${secs[10000]}" -v c="${secs[100000]}" \
  'BEGIN{printf "ratio 10k/1k: %.2f   ratio 100k/10k: %.2f   (10.0 = linear)\n", (a>0?b/a:0), (b>0?c/b:0)}'

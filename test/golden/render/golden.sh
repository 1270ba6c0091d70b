#!/usr/bin/env bash
# Golden test of `ccsec render` for one case: renders the case's inventory (test/golden/render/
# <case>/args: inventory path relative to the repository root, then extra arguments; a value
# with spaces follows its option as the rest of the line) and compares byte for byte with
# <case>/expected/. With --update, rewrites expected/ instead (scripts/update-golden).
# Usage: golden.sh CCSEC_BINARY REPO_ROOT CASE_DIR [--update]
set -euo pipefail
ccsec="$1"; root="$2"; case_dir="$3"; mode="${4:-check}"
read -r inv opt rest < "$case_dir/args" || true
args=()
[ -n "${opt:-}" ] && args+=("$opt" "$rest")
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$ccsec" render "$root/$inv" --out "$out/bundle" "${args[@]}" >/dev/null
if [ "$mode" = "--update" ]; then
  rm -rf "$case_dir/expected"
  cp -r "$out/bundle" "$case_dir/expected"
  echo "updated $case_dir/expected"
  exit 0
fi
diff -r "$case_dir/expected" "$out/bundle"
echo "golden $(basename "$case_dir"): $(find "$out/bundle" -type f | wc -l) files identical"

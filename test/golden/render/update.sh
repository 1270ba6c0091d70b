#!/usr/bin/env bash
# Regenerates the render golden files (called by scripts/update-golden with $CCSEC set).
set -euo pipefail
for case_dir in test/golden/render/*/; do
  [ -f "$case_dir/args" ] && test/golden/render/golden.sh "$CCSEC" "$PWD" "${case_dir%/}" --update
done

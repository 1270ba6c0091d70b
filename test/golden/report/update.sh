#!/usr/bin/env bash
# Regenerates test/golden/report/<example>.html (fixed time, no store). Run from the source tree
# root (scripts/update-golden does); $CCSEC is the binary.
set -euo pipefail
for example in lab reference; do
  SOURCE_DATE_EPOCH=1764633600 "$CCSEC" report "examples/$example.yaml" --as-of 2026-11-28 \
    --no-store --out "test/golden/report/$example.html"
  echo "  test/golden/report/$example.html"
done

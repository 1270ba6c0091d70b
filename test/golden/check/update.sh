#!/usr/bin/env bash
# Regenerates test/golden/check/<case>/expected.{txt,json,sarif} from each case's `args`.
# Run from the source tree root (scripts/update-golden does); $CCSEC is the binary.
set -euo pipefail
for dir in test/golden/check/*/; do
  [ -f "$dir/args" ] || continue
  read -r -a args < "$dir/args"
  for f in txt json sarif; do
    format=$f; [ "$f" = txt ] && format=text
    rc=0
    "$CCSEC" check "${args[@]}" --format "$format" > "$dir/expected.$f" || rc=$?
    if [ "$rc" -gt 1 ]; then echo "update-golden: ccsec check ${args[*]} exited $rc" >&2; exit 1; fi
  done
  echo "  $dir"
done

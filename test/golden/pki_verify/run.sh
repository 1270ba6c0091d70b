#!/bin/sh
# Golden test: `ccsec pki verify` text and JSON reports over fixed certificates, byte-exact.
# Usage: run.sh CCSEC_BINARY   (UPDATE_GOLDEN=1 rewrites expected.*)
set -u
bin=$(realpath "$1")
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for format in text json; do
  "$bin" pki verify inventory.yaml --ca fixtures/ca.pem --crl fixtures/crl.pem \
         --as-of 2027-01-15 --format "$format" > "$tmp/out.$format" 2> "$tmp/err"
  rc=$?
  if [ "$rc" -ne 1 ]; then
    echo "verify --format $format exited $rc, expected 1"; cat "$tmp/err"; status=1
  fi
  if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
    cp "$tmp/out.$format" "expected.$format"
  elif ! diff -u "expected.$format" "$tmp/out.$format"; then
    status=1
  fi
done
exit $status

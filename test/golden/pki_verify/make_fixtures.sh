#!/bin/sh
# Regenerates certs/ and fixtures/ (public certificates, CA certificate, CRL; no keys are kept)
# with the ccsec binary given as $1, then the expected outputs must be refreshed:
#   sh make_fixtures.sh build/dev/src/cli/ccsec && UPDATE_GOLDEN=1 sh run.sh build/dev/src/cli/ccsec
# The outputs depend only on these files and --as-of, never on the clock of the test run.
set -eu
bin=$(realpath "$1")
here=$(dirname "$(realpath "$0")")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" pki init --dir "$tmp/ca" --name "Golden CA"
"$bin" pki init --dir "$tmp/other" --name "Golden CA"
"$bin" pki issue --dir "$tmp/ca" --name good-a --dns good-a.lab.example.com --dns good-a --ip 10.1.1.10
"$bin" pki issue --dir "$tmp/ca" --name expired-b --ip 10.1.1.11 --days 10
"$bin" pki issue --dir "$tmp/ca" --name revoked-c --ip 10.1.1.12
"$bin" pki issue --dir "$tmp/other" --name foreign-d --ip 10.1.1.13
"$bin" pki issue --dir "$tmp/ca" --name renamed-e --dns renamed-e.old.example.com --ip 10.1.1.14
"$bin" pki issue --dir "$tmp/ca" --name moved-f --ip 10.1.1.15
"$bin" pki issue --dir "$tmp/ca" --name twin-g --ip 10.1.1.16
"$bin" pki revoke --dir "$tmp/ca" --name revoked-c --reason keyCompromise
"$bin" pki crl --dir "$tmp/ca" --days 3650
rm -rf "$here/certs" "$here/fixtures"
mkdir -p "$here/certs" "$here/fixtures"
cp "$tmp"/ca/hosts/*.pem "$tmp"/other/hosts/*.pem "$here/certs/"
cp "$tmp/ca/ca.pem" "$tmp/ca/crl.pem" "$here/fixtures/"

#!/usr/bin/env bash
# run.sh [bench.py options]   (CCSEC=path/to/ccsec; default build/release, then build/dev)
#   e.g.  ./run.sh            (3 rounds x 10 s, ~6 min)
#                                   ./run.sh --quick    (1 round x 3 s)
#                                   ./run.sh --ldap-mode starttls --json r.json
# Installs the Debian packages it needs, builds ldapbench into a temp dir, runs bench.py.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)

PKGS="slapd ldap-utils apache2 apache2-utils nginx wrk curl libldap-dev gcc libc6-dev openssl python3 util-linux procps"
missing=()
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}" >&2
    made_policy=0
    # the packages' own daemons (system slapd on :389, apache2 on :80) must not start
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; made_policy=1
    fi
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    [ $made_policy -eq 1 ] && rm -f /usr/sbin/policy-rc.d
fi

BUILD=$(mktemp -d)
trap 'rm -rf "$BUILD"' EXIT
cc -O2 -Wall -o "$BUILD/ldapbench" "$HERE/ldapbench.c" -lldap -llber -lpthread

args=()
for x in "$@"; do
    if [ "$x" = --quick ]; then args+=(--rounds 1 --secs 3 --warm 1); else args+=("$x"); fi
done
CCSEC=${CCSEC:-$HERE/../../build/release/src/cli/ccsec}
[ -x "$CCSEC" ] || CCSEC=$HERE/../../build/dev/src/cli/ccsec
[ -x "$CCSEC" ] || { echo "build ccsec first (or set CCSEC=path)" >&2; exit 2; }
python3 "$HERE/bench.py" --ldapbench "$BUILD/ldapbench" --ccsec "$CCSEC" "${args[@]}"

#!/usr/bin/env bash
# Every rendered nftables file passes `nft -c -f` and every rendered swanctl.conf is loaded by a
# real charon (`swanctl --load-conns`), for every golden case. Needs root (nft -c talks to the
# kernel; charon runs in a private network namespace); exits 77 (skipped) otherwise.
# Usage: validate.sh CCSEC_BINARY REPO_ROOT GOLDEN_RENDER_DIR
set -euo pipefail
ccsec="$1"; root="$2"; dir="$3"
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root for nft -c and charon"; exit 77; fi
work="$(mktemp -d)"; ns="ccsec-$$-validate"; charon_pid=""
cleanup() {
  [ -n "$charon_pid" ] && kill "$charon_pid" 2>/dev/null && wait "$charon_pid" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
nft_count=0; sw_count=0
ip netns add "$ns"
cat > "$work/strongswan.conf" <<EOC
charon {
  load_modular = yes
  plugins {
    include /etc/strongswan.d/charon/*.conf
    vici {
      socket = unix://$work/charon.vici
    }
  }
}
swanctl {
  socket = unix://$work/charon.vici
}
EOC
STRONGSWAN_CONF="$work/strongswan.conf" ip netns exec "$ns" /usr/sbin/charon-systemd >"$work/charon.log" 2>&1 &
charon_pid=$!
for _ in $(seq 100); do [ -S "$work/charon.vici" ] && break; sleep 0.1; done
[ -S "$work/charon.vici" ] || { echo "charon did not start"; cat "$work/charon.log"; exit 1; }
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/k.pem" \
  -out "$work/c.pem" -days 2 -subj "/CN=validate" 2>/dev/null
for case_dir in "$dir"/*/; do
  [ -f "$case_dir/args" ] || continue
  read -r inv opt rest < "$case_dir/args" || true
  args=(); [ -n "${opt:-}" ] && args+=("$opt" "$rest")
  b="$work/$(basename "$case_dir")"
  "$ccsec" render "$root/$inv" --out "$b" "${args[@]}" >/dev/null
  while IFS= read -r f; do
    ip netns exec "$ns" nft -c -f "$f" || { echo "nft -c rejected $f"; exit 1; }
    nft_count=$((nft_count + 1))
  done < <(find "$b" -name '*.nft' | sort)
  while IFS= read -r f; do
    # swanctl resolves `certs` against x509/ next to the file; a throwaway certificate stands in.
    sw="$(dirname "$f")"; mkdir -p "$sw/x509"
    for cert in $(sed -n 's/^[[:space:]]*certs = //p' "$f" | sort -u); do cp "$work/c.pem" "$sw/x509/$cert"; done
    out="$(STRONGSWAN_CONF="$work/strongswan.conf" swanctl --load-conns --file "$f" 2>&1 | grep -v "^plugin '")" || true
    echo "$out" | grep -q "^successfully loaded" || { echo "swanctl rejected $f:"; echo "$out"; exit 1; }
    sw_count=$((sw_count + 1))
  done < <(find "$b" -name '*.swanctl.conf' | sort)
done
echo "validated $nft_count nftables files (nft -c) and $sw_count swanctl.conf files (charon)"
[ "$nft_count" -gt 0 ] && [ "$sw_count" -gt 0 ]

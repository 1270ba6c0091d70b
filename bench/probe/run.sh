#!/usr/bin/env bash
# ccsec probe vs sslscan, testssl.sh and nmap ssl-enum-ciphers on the same loopback TLS endpoints
# (one HAProxy, one bind per endpoint, one inventory host per endpoint on its own 127.0.X.Y).
# One run prints, per size: ccsec wall/CPU/peak RSS for every verdict of the whole set, sslscan
# per endpoint (sample), testssl.sh per endpoint (sample, -p -E -S -f: protocols, ciphers per
# protocol, certificate, groups), nmap for the whole set, and the ratios per endpoint.
# Usage: bench/probe/run.sh [SIZES] [SSLSCAN_SAMPLE] [TESTSSL_SAMPLE]   (default "100 1000" 5 1)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CCSEC=${CCSEC:-$ROOT/build/release/src/cli/ccsec}
[ -x "$CCSEC" ] || CCSEC=$ROOT/build/dev/src/cli/ccsec
SIZES=${1:-"100 1000"}
SSLSCAN_SAMPLE=${2:-5}
TESTSSL_SAMPLE=${3:-1}
W=$(mktemp -d /tmp/ccsec-bench-probe.XXXXXX)
HAP=""
cleanup() { [ -n "$HAP" ] && kill "$HAP" 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT
TESTSSL=$(command -v testssl || command -v testssl.sh || true)

openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 -subj "/CN=bench" \
  -keyout "$W/key.pem" -out "$W/cert.pem" 2>/dev/null
cat "$W/cert.pem" "$W/key.pem" > "$W/crt.pem"

# "wall user sys maxrss_kib" of a command (its output discarded).
measure() { /usr/bin/time -f "%e %U %S %M" -o "$W/t" "$@" > /dev/null 2>&1 || true; cat "$W/t" | tail -1; }
cpu() { awk '{print $2 + $3}' <<< "$1"; }

printf "%-6s %-22s %10s %10s %10s %10s\n" "N" "tool" "wall_s" "cpu_s" "per_ep_s" "peak_MiB"
for N in $SIZES; do
  (cd "$ROOT" && python3 bench/probe/gen_lab.py "$N" "$W" "$W/crt.pem")
  ulimit -n 65536 2>/dev/null || true
  haproxy -f "$W/haproxy.cfg" -db > "$W/haproxy.log" 2>&1 &
  HAP=$!
  first=$(head -1 "$W/endpoints.txt")
  for _ in $(seq 100); do (exec 3<>/dev/tcp/${first%:*}/${first#*:}) 2>/dev/null && break; sleep 0.1; done
  # ccsec: every verdict for the whole set (TLS, ports, LDAP). The server's CPU is read from
  # /proc around the run: on a shared 2-core machine the wall time is bound by both ends.
  hcpu() { awk '{print ($14 + $15) / 100}' "/proc/$HAP/stat"; }
  h0=$(hcpu)
  r=$(measure "$CCSEC" probe "$W/lab.yaml" $(cat "$W/resolve.args") --no-store --format json)
  h1=$(hcpu)
  read -r cw cu cs cm <<< "$r"
  c_cpu=$(cpu "$r"); c_ep=$(awk -v w="$cw" -v n="$N" 'BEGIN{printf "%.4f", w/n}')
  printf "%-6s %-22s %10s %10.2f %10s %10.1f\n" "$N" "ccsec probe" "$cw" "$c_cpu" "$c_ep" "$(awk -v m="$cm" 'BEGIN{print m/1024}')"
  printf "%-6s %-22s %10s %10.2f %10s %10s\n" "$N" "  (HAProxy serving it)" "-" "$(awk -v a="$h0" -v b="$h1" 'BEGIN{print b-a}')" "-" "-"
  # sslscan per endpoint on a sample.
  s_w=0; s_c=0
  for ep in $(head -"$SSLSCAN_SAMPLE" "$W/endpoints.txt"); do
    r=$(measure sslscan --no-colour --xml=- "$ep"); read -r w _ _ _ <<< "$r"
    s_w=$(awk -v a="$s_w" -v b="$w" 'BEGIN{print a+b}'); s_c=$(awk -v a="$s_c" -v b="$(cpu "$r")" 'BEGIN{print a+b}')
  done
  s_ep=$(awk -v w="$s_w" -v n="$SSLSCAN_SAMPLE" 'BEGIN{printf "%.4f", w/n}')
  printf "%-6s %-22s %10s %10.2f %10s %10s\n" "$N" "sslscan (per ep, x$SSLSCAN_SAMPLE)" "$s_w" "$s_c" "$s_ep" "-"
  t_ep=""
  if [ -n "$TESTSSL" ] && [ "$TESTSSL_SAMPLE" -gt 0 ]; then
    t_w=0; t_c=0
    for ep in $(head -"$TESTSSL_SAMPLE" "$W/endpoints.txt"); do
      r=$(measure "$TESTSSL" --quiet --warnings off --color 0 -p -E -S -f "$ep"); read -r w _ _ _ <<< "$r"
      t_w=$(awk -v a="$t_w" -v b="$w" 'BEGIN{print a+b}'); t_c=$(awk -v a="$t_c" -v b="$(cpu "$r")" 'BEGIN{print a+b}')
    done
    t_ep=$(awk -v w="$t_w" -v n="$TESTSSL_SAMPLE" 'BEGIN{printf "%.4f", w/n}')
    printf "%-6s %-22s %10s %10.2f %10s %10s\n" "$N" "testssl.sh (x$TESTSSL_SAMPLE)" "$t_w" "$t_c" "$t_ep" "-"
  fi
  # nmap on the whole set (one port, every address); NMAP=0 skips it.
  n_ep=""
  if [ "${NMAP:-1}" != 0 ]; then
    cut -d: -f1 "$W/endpoints.txt" > "$W/addrs.txt"
    r=$(measure nmap -Pn -n -p 28445 --script ssl-enum-ciphers -iL "$W/addrs.txt"); read -r nw _ _ _ <<< "$r"
    n_ep=$(awk -v w="$nw" -v n="$N" 'BEGIN{printf "%.4f", w/n}')
    printf "%-6s %-22s %10s %10.2f %10s %10s\n" "$N" "nmap ssl-enum-ciphers" "$nw" "$(cpu "$r")" "$n_ep" "-"
  fi
  awk -v c="$c_ep" -v s="$s_ep" -v t="$t_ep" -v n="$n_ep" -v N="$N" 'BEGIN{
    printf "N=%s ratios per endpoint (wall): sslscan/ccsec %.1fx", N, s/c;
    if (t != "") printf ", testssl.sh/ccsec %.0fx", t/c;
    if (n != "") printf ", nmap/ccsec %.1fx", n/c;
    printf "\n" }'
  kill "$HAP"; wait "$HAP" 2>/dev/null || true; HAP=""
done

#!/bin/bash
# Side-by-side benchmark of the mutual-TLS tunnel: HAProxy, stunnel and ccsec gateway in one run,
# same certificates (test PKI from make_certs.sh), same plaintext backend, mTLS, TLS 1.3 with a
# CRL, one worker each, tunnel pinned to CPU 1 and load generator + backend to CPU 0.
# Figures are per CPU-second of the tunnel process (utime+stime from /proc/PID/stat).
#   (a) bulk throughput through one connection      (b) full mTLS handshakes
#   (c) 200-byte round trips over 100 long-lived connections: throughput with one round trip in
#       flight per connection, and p50/p99 latency at a fixed rate (connection setup excluded)
#   (d) RSS per idle established connection (1,000 held)
#   (e) GED-188 events with inspection vs the same gateway with protocol: raw (raw, inspected,
#       inspected, raw in each round; the cost is the median of the rounds' costs)
#   (r) TLS 1.3 resumptions (each client offers the ticket of its previous connection)
#   (s) reconnect storms, N clients (STORM_N, default "1000 9000"): all connected holding their
#       sessions, dropped at once, back with their tickets; then the same without tickets (full
#       handshakes). Time until all N are back and the tunnel's CPU-seconds for it.
# Usage: bench/gateway/run.sh [BUILD_DIR]   (env: DUR=seconds per workload, RATE=round trips/s,
#                                             ROUNDS=rounds, medians reported,
#                                             WORKLOADS="a b r c d e s" to run a subset,
#                                             CCSEC_ALT="label:BINARY:TLS_EXTRA ..." more ccsec
#                                             builds side by side, e.g.
#                                             "nocache:build/dev/src/cli/ccsec:,session_cache:~0", ~ = space)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-}
if [ -z "$BUILD" ]; then
  if [ -x "$ROOT/build/release/src/cli/ccsec" ]; then BUILD=$ROOT/build/release; else BUILD=$ROOT/build/dev; fi
fi
CCSEC=$BUILD/src/cli/ccsec
LOADGEN=$BUILD/bench/gateway/gateway_loadgen
DUR=${DUR:-5}
RATE=${RATE:-2000}
IDLE_N=${IDLE_N:-1000}
WORKLOADS=${WORKLOADS:-a b r c d e s}
STORM_N=${STORM_N:-1000 9000}
want() { [[ " $WORKLOADS " == *" $1 "* ]]; }
for b in "$CCSEC" "$LOADGEN"; do [ -x "$b" ] || { echo "missing $b (build the ccsec and gateway_loadgen targets)"; exit 2; }; done
if ! command -v haproxy >/dev/null || ! command -v stunnel4 >/dev/null; then
  apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends haproxy stunnel4 >/dev/null
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
W=$(mktemp -d /tmp/ccsec-gwbench-XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT
sh "$ROOT/test/integration/gateway/make_certs.sh" "$W/pki" >/dev/null
P=$W/pki
cat "$P/hosts/gw.pem" "$P/hosts/gw.key" > "$W/gw-combined.pem"
CLK=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS/{print $2}' "/proc/$1/status"; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

BE=$(free_port); BS=$(free_port)
taskset -c 0 "$LOADGEN" backend "$BE" echo & PIDS+=($!)
taskset -c 0 "$LOADGEN" backend "$BS" sink & PIDS+=($!)

declare -A PORT_ECHO PORT_SINK PID
# --- HAProxy -------------------------------------------------------------------------------
PORT_ECHO[haproxy]=$(free_port); PORT_SINK[haproxy]=$(free_port)
BIND="ssl crt $W/gw-combined.pem ca-file $P/ca.pem crl-file $P/crl.pem verify required ssl-min-ver TLSv1.3"
cat > "$W/haproxy.cfg" <<CFG
global
  nbthread 1
  maxconn 9300
defaults
  mode tcp
  timeout connect 5s
  timeout client 300s
  timeout server 300s
frontend echo
  bind 127.0.0.1:${PORT_ECHO[haproxy]} $BIND
  default_backend echo
backend echo
  server s 127.0.0.1:$BE
frontend sink
  bind 127.0.0.1:${PORT_SINK[haproxy]} $BIND
  default_backend sink
backend sink
  server s 127.0.0.1:$BS
CFG
taskset -c 1 haproxy -db -f "$W/haproxy.cfg" >"$W/haproxy.log" 2>&1 & PID[haproxy]=$!; PIDS+=($!)
# --- stunnel -------------------------------------------------------------------------------
PORT_ECHO[stunnel]=$(free_port); PORT_SINK[stunnel]=$(free_port)
svc() { printf '[%s]\naccept = 127.0.0.1:%s\nconnect = 127.0.0.1:%s\ncert = %s\nkey = %s\nCAfile = %s\nCRLfile = %s\nverifyChain = yes\nsslVersionMin = TLSv1.3\nsocket = l:TCP_NODELAY=1\nsocket = r:TCP_NODELAY=1\n' \
  "$1" "$2" "$3" "$P/hosts/gw.pem" "$P/hosts/gw.key" "$P/ca.pem" "$P/crl.pem"; }
{ printf 'foreground = yes\npid =\ndebug = 3\n'; svc echo "${PORT_ECHO[stunnel]}" "$BE"; svc sink "${PORT_SINK[stunnel]}" "$BS"; } > "$W/stunnel.conf"
taskset -c 1 stunnel4 "$W/stunnel.conf" >"$W/stunnel.log" 2>&1 & PID[stunnel]=$!; PIDS+=($!)
# --- ccsec (and the CCSEC_ALT builds) ---------------------------------------------------------
# start_ccsec NAME BINARY TLS_EXTRA
start_ccsec() {
  local name=$1 bin=$2 extra=$3
  PORT_ECHO[$name]=$(free_port); PORT_SINK[$name]=$(free_port); PORT_GED[$name]=$(free_port)
  local tls="{cert: $P/hosts/gw.pem, key: $P/hosts/gw.key, ca: $P/ca.pem, crl: $P/crl.pem, allowed_peers: [finesse-a], min_version: \"1.3\"$extra}"
  cat > "$W/$name.yaml" <<CFG
listeners:
  - {name: echo, mode: server, listen: "127.0.0.1:${PORT_ECHO[$name]}", forward: "127.0.0.1:$BE", protocol: raw, tls: $tls}
  - {name: sink, mode: server, listen: "127.0.0.1:${PORT_SINK[$name]}", forward: "127.0.0.1:$BS", protocol: raw, tls: $tls}
  - {name: ged, mode: server, listen: "127.0.0.1:${PORT_GED[$name]}", forward: "127.0.0.1:$BS", protocol: ged-188, tls: $tls}
audit: {store: "sqlite:$W/$name-audit.db"}
limits: {max_connections: 20000, accept_rate: 0, per_peer_rate: 0}
CFG
  taskset -c 1 "$bin" gateway --config "$W/$name.yaml" --workers 1 >"$W/$name.log" 2>&1 & PID[$name]=$!; PIDS+=($!)
}
declare -A PORT_GED
TUNNELS=(haproxy stunnel ccsec)
start_ccsec ccsec "$CCSEC" ""
for alt in ${CCSEC_ALT:-}; do
  IFS=: read -r label bin extra <<<"$alt"
  start_ccsec "$label" "$bin" "${extra//\~/ }"
  TUNNELS+=("$label")
done
sleep 1.5
for t in "${TUNNELS[@]}"; do kill -0 "${PID[$t]}" 2>/dev/null || { echo "$t failed to start:"; cat "$W/$t.log"; exit 3; }; done

# measure PID CMD... : runs CMD on CPU 0, prints its output plus cpu_s=<tunnel CPU seconds>
measure() {
  local pid=$1; shift
  local c0; c0=$(cpu_ticks "$pid")
  local out; out=$(taskset -c 0 "$@")
  local c1; c1=$(cpu_ticks "$pid")
  echo "$out"
  awk -v a="$c0" -v b="$c1" -v k="$CLK" 'BEGIN{printf "cpu_s=%.3f\n", (b-a)/k}'
}
# measure_ready PID CMD... : like measure, but CPU counts from the "ready=1" line (connections up)
measure_ready() {
  local pid=$1; shift
  local out=$W/ready.out
  taskset -c 0 "$@" > "$out" & local lp=$!
  for _ in $(seq 1 400); do grep -q '^ready=1' "$out" 2>/dev/null && break; sleep 0.05; done
  local c0; c0=$(cpu_ticks "$pid")
  wait $lp
  local c1; c1=$(cpu_ticks "$pid")
  grep -v '^ready=' "$out"
  awk -v a="$c0" -v b="$c1" -v k="$CLK" 'BEGIN{printf "cpu_s=%.3f\n", (b-a)/k}'
}
val() { echo "$1" | awk -F= -v k="$2" '$1==k{print $2}'; }
per_cpu() { awk -v n="$1" -v c="$2" 'BEGIN{ if (c<=0) c=0.01; printf "%.1f", n/c }'; }

# Every workload runs ROUNDS times, the tunnels in a rotating order within each round; the table
# shows medians (min-max in the per-round log on stderr): a 2-core VM varies by +-20 % run to run.
ROUNDS=${ROUNDS:-3}
declare -A V  # V[metric:tunnel] = space-separated per-round values
add() { V[$1]="${V[$1]:-} $2"; }
median() { tr ' ' '\n' <<<"${V[$1]:-}" | { grep -v '^$' || true; } | sort -g | awk '{a[NR]=$1} END{ if (NR==0) print "n/a"; else if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2 }'; }
NT=${#TUNNELS[@]}
for round in $(seq 1 "$ROUNDS"); do
  order=("${TUNNELS[@]:$(( (round - 1) % NT ))}" "${TUNNELS[@]:0:$(( (round - 1) % NT ))}")
  for t in "${order[@]}"; do
    pid=${PID[$t]}
    if want a; then
      r=$(measure "$pid" "$LOADGEN" bulk "$P" "${PORT_SINK[$t]}" "$DUR")
      add "a:$t" "$(awk -v n="$(val "$r" bytes)" -v c="$(val "$r" cpu_s)" 'BEGIN{if(c<=0)c=0.01; printf "%.3f", n/c/1073741824}')"
    fi
    if want b; then
      r=$(measure "$pid" "$LOADGEN" handshakes "$P" "${PORT_ECHO[$t]}" "$DUR" 2)
      add "b:$t" "$(per_cpu "$(val "$r" handshakes)" "$(val "$r" cpu_s)")"
    fi
    if want r; then
      r=$(measure "$pid" "$LOADGEN" resume "$P" "${PORT_ECHO[$t]}" "$DUR" 2)
      add "r:$t" "$(per_cpu "$(val "$r" resumed)" "$(val "$r" cpu_s)")"
      add "rf:$t" "$(awk -v a="$(val "$r" full)" -v b="$(val "$r" handshakes)" 'BEGIN{printf "%.3f", (b>0?a/b:1)}')"
    fi
    if want c; then
      r=$(measure_ready "$pid" "$LOADGEN" rtt-load "$P" "${PORT_ECHO[$t]}" 100 "$DUR")
      add "c:$t" "$(per_cpu "$(val "$r" round_trips)" "$(val "$r" cpu_s)")"
      r=$(measure_ready "$pid" "$LOADGEN" rtt "$P" "${PORT_ECHO[$t]}" 100 "$RATE" "$DUR")
      add "p50:$t" "$(val "$r" p50_us)"; add "p99:$t" "$(val "$r" p99_us)"
    fi
    # (d) only in round 1: later rounds reuse the heap the first 1,000 connections left behind.
    # (d) before the storms: a storm leaves a heap that later connections reuse.
    if (( round == 1 )) && want d; then
    before=$(rss_kib "$pid")
    taskset -c 0 "$LOADGEN" idle "$P" "${PORT_ECHO[$t]}" "$IDLE_N" 6 > "$W/idle.out" & ip=$!
    for _ in $(seq 1 120); do grep -q held= "$W/idle.out" 2>/dev/null && break; sleep 0.25; done
    sleep 0.5
    during=$(rss_kib "$pid")
    wait $ip || true
    add "d:$t" "$(awk -v a="$before" -v b="$during" -v n="$IDLE_N" 'BEGIN{printf "%.1f", (b-a)/n}')"
    fi
    if want s; then
      for n in $STORM_N; do
        r=$(taskset -c 0 "$LOADGEN" storm "$P" "${PORT_ECHO[$t]}" "$n" "$pid" || true)
        if [ "$(val "$r" resume_back)" != "$n" ] || [ "$(val "$r" full_back)" != "$n" ]; then
          echo "storm $n $t incomplete: $(tr '\n' ' ' <<<"$r")" >&2
        fi
        add "sr$n:$t" "$(per_cpu "$(val "$r" resume_back)" "$(val "$r" resume_cpu_s)")"
        add "srt$n:$t" "$(val "$r" resume_s)"
        add "srn$n:$t" "$(val "$r" resume_resumed)"
        add "sf$n:$t" "$(per_cpu "$(val "$r" full_back)" "$(val "$r" full_cpu_s)")"
        add "sft$n:$t" "$(val "$r" full_s)"
      done
    fi
  done
  if want e; then
    # Raw and inspected alternate raw, inspected, inspected, raw (ABBA) so that a drift of the
    # machine during the round weighs on both alike; the round's cost compares the two sums.
    declare -A EF=() EC=()
    for leg in raw ged ged raw; do
      port=${PORT_SINK[ccsec]}; [ "$leg" = ged ] && port=${PORT_GED[ccsec]}
      r=$(measure "${PID[ccsec]}" "$LOADGEN" ged "$P" "$port" "$DUR")
      EF[$leg]=$(( ${EF[$leg]:-0} + $(val "$r" frames) ))
      EC[$leg]=$(awk -v a="${EC[$leg]:-0}" -v b="$(val "$r" cpu_s)" 'BEGIN{printf "%.3f", a+b}')
    done
    add "e:ged" "$(per_cpu "${EF[ged]}" "${EC[ged]}")"
    add "e:raw" "$(per_cpu "${EF[raw]}" "${EC[raw]}")"
    add "e:cost" "$(awk -v g="$(per_cpu "${EF[ged]}" "${EC[ged]}")" -v r="$(per_cpu "${EF[raw]}" "${EC[raw]}")" 'BEGIN{printf "%.1f", (1-g/r)*100}')"
  fi
  last() { awk '{print $NF}' <<<"${V[$1]:-}"; }
  for t in "${TUNNELS[@]}"; do
    echo "round $round $t: bulk $(last "a:$t") GiB/cpu-s, handshakes $(last "b:$t")/cpu-s, resumptions $(last "r:$t")/cpu-s (full share $(last "rf:$t")), rtt $(last "c:$t")/cpu-s p50 $(last "p50:$t")us p99 $(last "p99:$t")us, idle $(last "d:$t") KiB/conn" >&2
    for n in $STORM_N; do
      want s && echo "round $round $t: storm $n: tickets $(last "sr$n:$t") clients/cpu-s in $(last "srt$n:$t") s ($(last "srn$n:$t") resumed), full $(last "sf$n:$t") clients/cpu-s in $(last "sft$n:$t") s" >&2
    done
  done
  want e && echo "round $round ged: inspected $(last e:ged) raw $(last e:raw) frames/cpu-s, cost $(last e:cost) %" >&2
done
declare -A A B R RF C P50 P99 D E
for t in "${TUNNELS[@]}"; do
  A[$t]=$(median "a:$t"); B[$t]=$(median "b:$t"); C[$t]=$(median "c:$t")
  R[$t]=$(median "r:$t"); RF[$t]=$(median "rf:$t")
  P50[$t]=$(median "p50:$t"); P99[$t]=$(median "p99:$t"); D[$t]=$(median "d:$t")
done
E[ged]=$(median e:ged); E[raw]=$(median e:raw)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b<=0) print "n/a"; else printf "%.2fx", a/b }'; }
# ccsec/HAProxy round by round ("1.20/1.00/1.14x"): both ran in the same minute of each round, so
# these ratios carry less of the machine's drift than the ratio of the medians.
per_round() {  # per_round METRIC [TUNNEL]
  paste -d' ' <(tr ' ' '\n' <<<"${V[$1:${2:-ccsec}]:-}" | grep -v '^$') <(tr ' ' '\n' <<<"${V[$1:haproxy]:-}" | grep -v '^$') |
    awk '{ printf "%s%.2f", (NR > 1 ? "/" : ""), ($2 > 0 ? $1 / $2 : 0) } END { print "x" }'
}
# Every ccsec build (ccsec and the CCSEC_ALT labels) against HAProxy and stunnel.
CC=()
for t in "${TUNNELS[@]}"; do [[ $t == haproxy || $t == stunnel ]] || CC+=("$t"); done
row() {  # row LABEL ARRAY-NAME
  local -n arr=$2
  for t in "${CC[@]}"; do
    printf '%-34s %12s %12s %12s %10s %10s\n' "$1${t/#ccsec/}" "${arr[haproxy]}" "${arr[stunnel]}" "${arr[$t]}" "$(ratio "${arr[$t]}" "${arr[haproxy]}")" "$(ratio "${arr[$t]}" "${arr[stunnel]}")"
  done
}
echo
echo "ccsec gateway vs HAProxy and stunnel (TLS 1.3 mTLS + CRL, 1 worker, per CPU-second of the tunnel; median of $ROUNDS rounds, DUR=${DUR}s)"
printf '%-34s %12s %12s %12s %10s %10s\n' workload haproxy stunnel ccsec vs-haproxy vs-stunnel
want a && row "(a) bulk GiB/CPU-s " A
want b && row "(b) full handshakes/CPU-s " B
want r && row "(r) resumptions/CPU-s " R
want r && printf '%-34s %12s %12s %12s\n' "(r) share that was full handshakes" "${RF[haproxy]}" "${RF[stunnel]}" "${RF[ccsec]}"
want c && row "(c) 200B round trips/CPU-s (100 c) " C
want c && printf '%-34s %12s %12s %12s\n' "(c) p50 us @${RATE}/s" "${P50[haproxy]}" "${P50[stunnel]}" "${P50[ccsec]}"
want c && printf '%-34s %12s %12s %12s\n' "(c) p99 us @${RATE}/s" "${P99[haproxy]}" "${P99[stunnel]}" "${P99[ccsec]}"
want d && printf '%-34s %12s %12s %12s\n' "(d) KiB RSS per idle connection" "${D[haproxy]}" "${D[stunnel]}" "${D[ccsec]}"
if want s; then
  declare -A SR SRT SF SFT
  for n in $STORM_N; do
    for t in "${TUNNELS[@]}"; do
      SR[$t]=$(median "sr$n:$t"); SRT[$t]=$(median "srt$n:$t"); SF[$t]=$(median "sf$n:$t"); SFT[$t]=$(median "sft$n:$t")
    done
    row "(s) storm $n, tickets: back/CPU-s " SR
    printf '%-34s %12s %12s %12s\n' "(s) storm $n, tickets: seconds" "${SRT[haproxy]}" "${SRT[stunnel]}" "${SRT[ccsec]}"
    row "(s) storm $n, full: back/CPU-s " SF
    printf '%-34s %12s %12s %12s\n' "(s) storm $n, full: seconds" "${SFT[haproxy]}" "${SFT[stunnel]}" "${SFT[ccsec]}"
  done
fi
for t in "${CC[@]}"; do
  line="$t/HAProxy per round:"
  for m in a b r c; do want "$m" && line+=" ($m) $(per_round "$m" "$t")"; done
  if want s; then for n in $STORM_N; do line+=" (s$n tickets) $(per_round "sr$n" "$t") (s$n full) $(per_round "sf$n" "$t")"; done; fi
  echo "$line"
done
want e && echo "(e) GED-188 frames/CPU-s (ABBA per round): inspected ${E[ged]}, raw ${E[raw]}; inspection cost $(median e:cost) % (median of the rounds' costs; per round: $(sed 's/^ *//; s/ /, /g' <<<"${V[e:cost]:-}") %)"
true

#!/usr/bin/env bash
# Side-by-side media relay benchmark: rtpengine (userspace, no kernel table) vs ccsec media on
# both packet paths (ccsec-epoll: epoll + recvmmsg/sendmmsg; ccsec-uring: io_uring), in one run.
# Both are set up through the ng protocol by the same paced load generator (media_loadgen,
# sendmmsg), each relay pinned to one core; figures are per CPU-second of the relay process
# (utime+stime from /proc/PID/stat). Also prints the raw transform bound (Google Benchmark).
#
#   bench/media/run.sh [BUILD_DIR]        (default build/dev; needs targets ccsec, media_loadgen,
#                                          media_transform_bench)
# Env: RELAY_CORE (1), GEN_CORE (0), RATE (pps per direction, 30000), SECONDS (5),
#      CAP_CALLS (5000), QUICK=1 (skip the transform micro-benchmarks), ROUNDS (1: the efficiency
#      rows are repeated ROUNDS times, every relay once per round, and the table gives medians; the
#      ratio is the median of the rounds' ratios, each from relays measured minutes apart),
#      RELAYS ("rtpengine ccsec-epoll ccsec-uring"), CAPACITY=0 (skip the capacity runs)
#      An extra RELAYS entry LABEL=PATH runs another ccsec binary (e.g. one built from an earlier
#      commit) on its io_uring path in the same run, for A/B comparison of packet-path variants.
#      NETNS=1: relay and generator in two network namespaces joined by a veth pair, each side's
#      receive processing steered (RPS) to its own CPU, instead of loopback (where every send
#      delivers into the receiver's socket in the sender's softirq, charged to the sender).
# Efficiency (pps per CPU-second) is measured at RATE, below every relay's saturation on this
# machine (2 vCPUs; rtpengine userspace saturates one core near 45k pps, ccsec near 100k): a
# saturated relay's figure is its core's capacity under receive livelock (the receive softirq
# pre-empts the relay, which then forwards less of what it was charged for), not its cost per
# packet. A row where a relay lost more than 1 % is marked "saturated". Overload is the
# capacity run's job. The CPU-seconds are the relay process's (utime+stime) on loopback and the
# relay CPU's active time with NETNS=1: wall time minus the CPU's cpuidle residency, exact, where
# /proc/stat's tick-sampled busy time misses short wake-ups (there the receive softirq that runs
# while the relay sleeps is booked to no process; the relay's CPU must be otherwise idle).
# kernel_share in the raw results is the relay's stime / (utime + stime) over the run;
# relay_core_softirq_s is the softirq time of the relay's CPU over the run (/proc/stat): on
# loopback a send delivers the packet into the receiver's socket in the sender's softirq, which
# is charged to the sender's stime (no CONFIG_IRQ_TIME_ACCOUNTING).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build/dev}
CCSEC=$BUILD/src/cli/ccsec
LOADGEN=$BUILD/bench/media/media_loadgen
TBENCH=$BUILD/bench/media/media_transform_bench
RELAY_CORE=${RELAY_CORE:-1}
GEN_CORE=${GEN_CORE:-0}
RATE=${RATE:-30000}
SECS=${SECONDS_PER_RUN:-5}
CAP_CALLS=${CAP_CALLS:-5000}
NG_PORT=${NG_PORT:-22399}
for b in "$CCSEC" "$LOADGEN" "$TBENCH"; do
  [[ -x $b ]] || { echo "missing $b: cmake --build --preset dev --target ccsec media_loadgen media_transform_bench" >&2; exit 2; }
done
if ! command -v rtpengine >/dev/null; then
  apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends rtpengine-daemon >/dev/null
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
# Each relay holds 4 sockets per call (RTP+RTCP per leg); cap the capacity run by the fd limit.
MAX_CALLS=$(( ($(ulimit -n) - 200) / 4 ))
if (( CAP_CALLS > MAX_CALLS )); then
  echo "note: open-file limit $(ulimit -n) allows $MAX_CALLS calls; capacity run uses $MAX_CALLS instead of $CAP_CALLS" >&2
  CAP_CALLS=$MAX_CALLS
fi
OUT=$(mktemp -d /tmp/ccsec-media-bench-XXXXXX)
PID=
stop_relay() { if [[ -n $PID ]]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=; fi; }
RELAY_IP=127.0.0.1 GEN_IP=127.0.0.1 IN_RELAY_NS=() IN_GEN_NS=() NG_ALLOW=()
if [[ ${NETNS:-0} == 1 ]]; then
  NS_R=ccsec-bench-relay-$$ NS_G=ccsec-bench-gen-$$
  RELAY_IP=10.199.0.1 GEN_IP=10.199.0.2
  IN_RELAY_NS=(ip netns exec "$NS_R") IN_GEN_NS=(ip netns exec "$NS_G") NG_ALLOW=(--ng-allow $GEN_IP/32)
  ip netns add "$NS_R"; ip netns add "$NS_G"
  ip link add vr$$ type veth peer name vg$$
  ip link set vr$$ netns "$NS_R"; ip link set vg$$ netns "$NS_G"
  ip -n "$NS_R" addr add $RELAY_IP/24 dev vr$$; ip -n "$NS_G" addr add $GEN_IP/24 dev vg$$
  for n in "$NS_R" "$NS_G"; do ip -n "$n" link set lo up; done
  ip -n "$NS_R" link set vr$$ up; ip -n "$NS_G" link set vg$$ up
  # Each side's receive (softirq) on its own CPU: the relay's on RELAY_CORE, the generator's on GEN_CORE.
  ip netns exec "$NS_R" sh -c "printf '%x' $((1 << RELAY_CORE)) >/sys/class/net/vr$$/queues/rx-0/rps_cpus"
  ip netns exec "$NS_G" sh -c "printf '%x' $((1 << GEN_CORE)) >/sys/class/net/vg$$/queues/rx-0/rps_cpus"
fi
cleanup() { stop_relay; if [[ ${NETNS:-0} == 1 ]]; then ip netns del "$NS_R" 2>/dev/null; ip netns del "$NS_G" 2>/dev/null; fi; true; }
trap cleanup EXIT

RELAYS=${RELAYS:-rtpengine ccsec-epoll ccsec-uring}
start_relay() {  # $1 = rtpengine | ccsec-epoll | ccsec-uring | LABEL=PATH
  if [[ $1 == *=* ]]; then
    "${IN_RELAY_NS[@]}" taskset -c "$RELAY_CORE" "${1#*=}" media --interface $RELAY_IP --listen-ng $RELAY_IP:$NG_PORT \
      --port-min 20000 --port-max 60999 --num-threads 1 --timeout 600 --packet-path io_uring "${NG_ALLOW[@]}" \
      >"$OUT/${1%%=*}.log" 2>&1 &
  elif [[ $1 == rtpengine ]]; then
    "${IN_RELAY_NS[@]}" taskset -c "$RELAY_CORE" rtpengine --config-file=none --table=-1 --foreground --log-stderr \
      --log-level=3 --interface=$RELAY_IP --listen-ng=$RELAY_IP:$NG_PORT --port-min=20000 \
      --port-max=60999 --num-threads=1 --timeout=600 --delete-delay=0 >"$OUT/rtpengine.log" 2>&1 &
  else
    local path=${1#ccsec-}; [[ $path == uring ]] && path=io_uring
    "${IN_RELAY_NS[@]}" taskset -c "$RELAY_CORE" "$CCSEC" media --interface $RELAY_IP --listen-ng $RELAY_IP:$NG_PORT \
      --port-min 20000 --port-max 60999 --num-threads 1 --timeout 600 --packet-path "$path" "${NG_ALLOW[@]}" \
      >"$OUT/$1.log" 2>&1 &
  fi
  PID=$!
  for _ in $(seq 50); do
    "${IN_GEN_NS[@]}" python3 - "$NG_PORT" "$RELAY_IP" <<'PY' && return 0
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.2)
try:  # not up yet: no answer within 0.2 s (retried, silently)
    s.sendto(b"p d7:command4:pinge", (sys.argv[2], int(sys.argv[1])))
    sys.exit(0 if b"pong" in s.recv(100) else 1)
except OSError:
    sys.exit(1)
PY
    sleep 0.2
  done
  echo "$1 did not answer ng ping" >&2; cat "$OUT/$1.log" >&2; exit 3
}

run() {  # relay scenario args...
  local relay=${1%%=*} name=$2; shift 2
  local line
  line=$("${IN_GEN_NS[@]}" taskset -c "$GEN_CORE" "$LOADGEN" --ng $RELAY_IP:$NG_PORT --pid "$PID" --seconds "$SECS" \
    --relay-cpu "$RELAY_CORE" --local $GEN_IP --relay-ip $RELAY_IP "$@")
  echo "$relay $name $line" | tee -a "$OUT/results.txt"
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT/load.txt"
ROUNDS=${ROUNDS:-1}
for round in $(seq "$ROUNDS"); do
  for relay in $RELAYS; do
    start_relay $relay
    echo "$(date -u +%T) round $round ${relay%%=*}: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/load.txt"
    run $relay srtp2rtp_1000@$round --calls 1000 --mode srtp2rtp --rate "$RATE"
    run $relay rtp2srtp_1000@$round --calls 1000 --mode rtp2srtp --rate "$RATE"
    run $relay srtp2rtp_3000@$round --calls 3000 --mode srtp2rtp --rate "$RATE"
    run $relay rtp2srtp_3000@$round --calls 3000 --mode rtp2srtp --rate "$RATE"
    if (( round == 1 )); then
      run $relay replay_1000 --calls 1000 --mode srtp2rtp --rate 20000 --replay
      [[ ${CAPACITY:-1} == 1 ]] && run $relay capacity_$CAP_CALLS --calls "$CAP_CALLS" --mode both --rate 0
    fi
    stop_relay
  done
done

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/load.txt"
field() { { grep "^$1 $2 " "$OUT/results.txt" || true; } | sed -n "s/.* $3=\([^ ]*\).*/\1/p"; }
CPU_FIELD=relay_cpu_s; CPU_NAME="relay process CPU-s"
[[ ${NETNS:-0} == 1 ]] && CPU_FIELD=relay_core_active_s CPU_NAME="active s of the relay's CPU"
# pps per CPU-second of relay $1 in scenario $2 (a round's name, e.g. srtp2rtp_1000@1); empty if
# not measured; marked * when the relay lost > 1 % (saturated).
eff() {  # active time needs cpuidle; without it, the tick-sampled busy time
  local c; c=$(field "$1" "$2" $CPU_FIELD)
  [[ $CPU_FIELD == relay_core_active_s && ${c:--1} == -* ]] && c=$(field "$1" "$2" relay_core_busy_s)
  awk -v g="$(field "$1" "$2" received)" -v c="$c" -v s="$(field "$1" "$2" sent)" \
    'BEGIN{ if (g>0 && c>0) printf "%.0f%s", g/c, (s-g > s/100 ? "*" : "") }'
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END {
  if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.6f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
fmt() { awk -v v="$1" -v f="$2" 'BEGIN{ if (v == "-" || v == "") print "-"; else printf f, v }'; }
labels=()
for r in $RELAYS; do labels+=("${r%%=*}"); done
echo
echo "pps per $CPU_NAME at $RATE pps per direction, median of $ROUNDS round(s)"
echo "(x: median of the rounds' ratios to rtpengine; * saturated in a round: lost > 1 %)"
printf '%-16s' scenario; for r in "${labels[@]}"; do printf ' %26s' "$r (x rte, ksh, sirq)"; done; echo
for s in srtp2rtp_1000 rtp2srtp_1000 srtp2rtp_3000 rtp2srtp_3000; do
  printf '%-16s' "$s"
  for r in "${labels[@]}"; do
    vals="" ratios="" sat="" ksh="" sirq=""
    for k in $(seq "$ROUNDS"); do
      v=$(eff "$r" "$s@$k"); a=$(eff rtpengine "$s@$k")
      [[ $v == *\* ]] && sat="*"
      vals+=" ${v%\*}"
      ratios+=" $(awk -v a="${a%\*}" -v b="${v%\*}" 'BEGIN{ if (a>0 && b>0) printf "%.3f", b/a }')"
      ksh+=" $(field "$r" "$s@$k" kernel_share)"
      sirq+=" $(awk -v q="$(field "$r" "$s@$k" relay_core_softirq_s)" -v c="$(field "$r" "$s@$k" relay_cpu_s)" 'BEGIN{ if (c>0) printf "%.2f", q/c }')"
    done
    printf ' %26s' "$(fmt "$(echo $vals | median)" %.0f)$sat $(fmt "$(echo $ratios | median)" %.2fx) $(fmt "$(echo $ksh | median)" %.2f) $(fmt "$(echo $sirq | median)" %.2f)"
  done; echo
done
echo "(ksh: stime/(utime+stime) of the relay; sirq: softirq seconds on the relay's CPU / relay process CPU-s)"
if [[ $CPU_FIELD != relay_cpu_s ]]; then  # the same rows against the relay process's CPU-s
  printf '%-16s' "by process CPU"
  for s in srtp2rtp_1000 rtp2srtp_1000 srtp2rtp_3000 rtp2srtp_3000; do
    printf ' %s:' "$s"
    for r in "${labels[@]}"; do
      [[ $r == rtpengine ]] && continue
      ratios=""
      for k in $(seq "$ROUNDS"); do
        ratios+=" $(awk -v a="$(field rtpengine "$s@$k" pps_per_cpu_s)" -v b="$(field "$r" "$s@$k" pps_per_cpu_s)" 'BEGIN{ if (a>0 && b>0) printf "%.3f", b/a }')"
      done
      printf ' %s %s' "$r" "$(fmt "$(echo $ratios | median)" %.2fx)"
    done
  done; echo
fi
if (( ROUNDS > 1 )); then
  for r in "${labels[@]}"; do
    [[ $r == rtpengine ]] && continue
    printf '%-16s' "$r per round"
    for s in srtp2rtp_1000 rtp2srtp_1000 srtp2rtp_3000 rtp2srtp_3000; do
      printf ' %s:' "$s"
      for k in $(seq "$ROUNDS"); do
        v=$(eff "$r" "$s@$k"); a=$(eff rtpengine "$s@$k")
        printf ' %s' "$(awk -v a="${a%\*}" -v b="${v%\*}" 'BEGIN{ if (a>0 && b>0) printf "%.2f", b/a; else print "-" }')"
      done
    done; echo
  done
fi
echo "p99 transit/jitter in us (round 1):"
for s in srtp2rtp_1000 rtp2srtp_1000 srtp2rtp_3000 rtp2srtp_3000; do
  printf '%-16s' "$s"
  for r in "${labels[@]}"; do printf ' %26s' "$r $(field "$r" "$s@1" transit_p99_us)/$(field "$r" "$s@1" jitter_p99_us) us"; done; echo
done
printf '%-20s %11s %11s %11s\n' "replays forwarded" "$(field rtpengine replay_1000 replays_forwarded)" \
  "$(field ccsec-epoll replay_1000 replays_forwarded)" "$(field ccsec-uring replay_1000 replays_forwarded)"
if [[ ${CAPACITY:-1} == 1 ]]; then
  offered() { awk -v s="$(field "$1" "capacity_$CAP_CALLS" sent)" -v t="$(field "$1" "capacity_$CAP_CALLS" seconds)" 'BEGIN{ if (t > 0) printf "%.0f", s / t; else print "-" }'; }
  for r in $RELAYS; do
    printf 'capacity %-12s lost %s cpu_s %s pps sent %s (nominal %d) transit p50/p99 %s/%s us, jitter p50/p99 %s/%s us\n' \
      "$r" "$(field "$r" capacity_$CAP_CALLS lost)" "$(field "$r" capacity_$CAP_CALLS relay_cpu_s)" "$(offered "$r")" \
      $(( CAP_CALLS * 100 )) "$(field "$r" capacity_$CAP_CALLS transit_p50_us)" "$(field "$r" capacity_$CAP_CALLS transit_p99_us)" \
      "$(field "$r" capacity_$CAP_CALLS jitter_p50_us)" "$(field "$r" capacity_$CAP_CALLS jitter_p99_us)"
  done
  echo "(capacity: $CAP_CALLS bridged calls, 50 pps each way, ${SECS}s; lost = sent - received; when"
  echo " 'pps sent' is below nominal the load generator, not the relay, set the pace: no capacity verdict;"
  echo " transit: send to kernel receive timestamp; jitter: change in transit between consecutive packets"
  echo " of a stream (RFC 3550 D); both include the harness's own, see the efficiency rows' raw results)"
fi
if [[ ${QUICK:-0} != 1 ]]; then
  echo
  taskset -c "$RELAY_CORE" "$TBENCH" --benchmark_min_time=0.5 2>/dev/null | grep -E "^(ccsec|libsrtp)"
fi
echo "raw results: $OUT/results.txt"

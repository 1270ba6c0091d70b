#!/usr/bin/env bash
# Side-by-side media relay benchmark: rtpengine (userspace, no kernel table) vs ccsec media on
# both packet paths (ccsec-epoll: epoll + recvmmsg/sendmmsg; ccsec-uring: io_uring), in one run.
# Both are set up through the ng protocol by the same paced load generator (media_loadgen,
# sendmmsg), each relay pinned to one core; figures are per CPU-second of the relay process
# (utime+stime from /proc/PID/stat). Also prints the raw transform bound (Google Benchmark).
#
#   bench/media/run.sh [BUILD_DIR]        (default build/dev; needs targets ccsec, media_loadgen,
#                                          media_transform_bench)
# Env: RELAY_CORE (1), GEN_CORE (0), RATE (pps per direction, 100000), SECONDS (5),
#      CAP_CALLS (5000), QUICK=1 (skip the transform micro-benchmarks),
#      RELAYS ("rtpengine ccsec-epoll ccsec-uring"), CAPACITY=0 (skip the capacity runs)
# kernel_share in the raw results is the relay's stime / (utime + stime) over the run.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build/dev}
CCSEC=$BUILD/src/cli/ccsec
LOADGEN=$BUILD/bench/media/media_loadgen
TBENCH=$BUILD/bench/media/media_transform_bench
RELAY_CORE=${RELAY_CORE:-1}
GEN_CORE=${GEN_CORE:-0}
RATE=${RATE:-100000}
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
trap stop_relay EXIT

RELAYS=${RELAYS:-rtpengine ccsec-epoll ccsec-uring}
start_relay() {  # $1 = rtpengine | ccsec-epoll | ccsec-uring
  if [[ $1 == rtpengine ]]; then
    taskset -c "$RELAY_CORE" rtpengine --config-file=none --table=-1 --foreground --log-stderr \
      --log-level=3 --interface=127.0.0.1 --listen-ng=127.0.0.1:$NG_PORT --port-min=20000 \
      --port-max=60999 --num-threads=1 --timeout=600 --delete-delay=0 >"$OUT/rtpengine.log" 2>&1 &
  else
    local path=${1#ccsec-}; [[ $path == uring ]] && path=io_uring
    taskset -c "$RELAY_CORE" "$CCSEC" media --interface 127.0.0.1 --listen-ng 127.0.0.1:$NG_PORT \
      --port-min 20000 --port-max 60999 --num-threads 1 --timeout 600 --packet-path "$path" \
      >"$OUT/$1.log" 2>&1 &
  fi
  PID=$!
  for _ in $(seq 50); do
    python3 - "$NG_PORT" <<'PY' && return 0
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.2)
s.sendto(b"p d7:command4:pinge", ("127.0.0.1", int(sys.argv[1])))
sys.exit(0 if b"pong" in s.recv(100) else 1)
PY
    sleep 0.2
  done
  echo "$1 did not answer ng ping" >&2; cat "$OUT/$1.log" >&2; exit 3
}

run() {  # relay scenario args...
  local relay=$1 name=$2; shift 2
  local line
  line=$(taskset -c "$GEN_CORE" "$LOADGEN" --ng 127.0.0.1:$NG_PORT --pid "$PID" --seconds "$SECS" "$@")
  echo "$relay $name $line" | tee -a "$OUT/results.txt"
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT/load.txt"
for relay in $RELAYS; do
  start_relay $relay
  run $relay srtp2rtp_1000 --calls 1000 --mode srtp2rtp --rate "$RATE"
  run $relay rtp2srtp_1000 --calls 1000 --mode rtp2srtp --rate "$RATE"
  run $relay srtp2rtp_3000 --calls 3000 --mode srtp2rtp --rate "$RATE"
  run $relay rtp2srtp_3000 --calls 3000 --mode rtp2srtp --rate "$RATE"
  run $relay replay_1000 --calls 1000 --mode srtp2rtp --rate 20000 --replay
  [[ ${CAPACITY:-1} == 1 ]] && run $relay capacity_$CAP_CALLS --calls "$CAP_CALLS" --mode both --rate 0
  stop_relay
done

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/load.txt"
field() { grep "^$1 $2 " "$OUT/results.txt" | sed -n "s/.* $3=\([^ ]*\).*/\1/p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a>0 && b>0) printf "%.2fx", b/a; else print "-" }'; }
echo
printf '%-20s %11s %11s %11s %8s %8s %22s\n' scenario rtpengine ccsec-epoll ccsec-uring epoll/rte uring/rte "kernel share r/e/u"
for s in srtp2rtp_1000 rtp2srtp_1000 srtp2rtp_3000 rtp2srtp_3000; do
  a=$(field rtpengine $s pps_per_cpu_s); e=$(field ccsec-epoll $s pps_per_cpu_s); u=$(field ccsec-uring $s pps_per_cpu_s)
  printf '%-20s %11s %11s %11s %8s %8s %22s\n' "$s pps/CPU-s" "$a" "$e" "$u" "$(ratio "$a" "$e")" "$(ratio "$a" "$u")" \
    "$(field rtpengine $s kernel_share)/$(field ccsec-epoll $s kernel_share)/$(field ccsec-uring $s kernel_share)"
done
printf '%-20s %11s %11s %11s\n' "replays forwarded" "$(field rtpengine replay_1000 replays_forwarded)" \
  "$(field ccsec-epoll replay_1000 replays_forwarded)" "$(field ccsec-uring replay_1000 replays_forwarded)"
if [[ ${CAPACITY:-1} == 1 ]]; then
  offered() { awk -v s="$(field "$1" "capacity_$CAP_CALLS" sent)" -v t="$(field "$1" "capacity_$CAP_CALLS" seconds)" 'BEGIN{ if (t > 0) printf "%.0f", s / t; else print "-" }'; }
  for r in $RELAYS; do
    printf 'capacity %-12s lost %s cpu_s %s pps sent %s (nominal %d)\n' "$r" "$(field "$r" capacity_$CAP_CALLS lost)" \
      "$(field "$r" capacity_$CAP_CALLS relay_cpu_s)" "$(offered "$r")" $(( CAP_CALLS * 100 ))
  done
  echo "(capacity: $CAP_CALLS bridged calls, 50 pps each way, ${SECS}s; lost = sent - received; when"
  echo " 'pps sent' is below nominal the load generator, not the relay, set the pace: no capacity verdict)"
fi
if [[ ${QUICK:-0} != 1 ]]; then
  echo
  taskset -c "$RELAY_CORE" "$TBENCH" --benchmark_min_time=0.5 2>/dev/null | grep -E "^(ccsec|libsrtp)"
fi
echo "raw results: $OUT/results.txt"

#!/usr/bin/env bash
# Side-by-side media relay benchmark: rtpengine (userspace, no kernel table) vs ccsec media.
# Both are set up through the ng protocol by the same paced load generator (media_loadgen,
# sendmmsg), each relay pinned to one core; figures are per CPU-second of the relay process
# (utime+stime from /proc/PID/stat). Also prints the raw transform bound (Google Benchmark).
#
#   bench/media/run.sh [BUILD_DIR]        (default build/dev; needs targets ccsec, media_loadgen,
#                                          media_transform_bench)
# Env: RELAY_CORE (1), GEN_CORE (0), RATE (pps per direction, 100000), SECONDS (5),
#      CAP_CALLS (5000), QUICK=1 (skip the transform micro-benchmarks)
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

start_relay() {  # $1 = rtpengine | ccsec
  if [[ $1 == rtpengine ]]; then
    taskset -c "$RELAY_CORE" rtpengine --config-file=none --table=-1 --foreground --log-stderr \
      --log-level=3 --interface=127.0.0.1 --listen-ng=127.0.0.1:$NG_PORT --port-min=20000 \
      --port-max=60999 --num-threads=1 --timeout=600 --delete-delay=0 >"$OUT/rtpengine.log" 2>&1 &
  else
    taskset -c "$RELAY_CORE" "$CCSEC" media --interface 127.0.0.1 --listen-ng 127.0.0.1:$NG_PORT \
      --port-min 20000 --port-max 60999 --num-threads 1 --timeout 600 >"$OUT/ccsec.log" 2>&1 &
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

for relay in rtpengine ccsec; do
  start_relay $relay
  run $relay srtp2rtp_1000 --calls 1000 --mode srtp2rtp --rate "$RATE"
  run $relay rtp2srtp_1000 --calls 1000 --mode rtp2srtp --rate "$RATE"
  run $relay srtp2rtp_3000 --calls 3000 --mode srtp2rtp --rate "$RATE"
  run $relay rtp2srtp_3000 --calls 3000 --mode rtp2srtp --rate "$RATE"
  run $relay replay_1000 --calls 1000 --mode srtp2rtp --rate 20000 --replay
  run $relay capacity_$CAP_CALLS --calls "$CAP_CALLS" --mode both --rate 0
  stop_relay
done

field() { grep "^$1 $2 " "$OUT/results.txt" | sed -n "s/.* $3=\([^ ]*\).*/\1/p"; }
echo
printf '%-18s %14s %14s %8s\n' scenario rtpengine ccsec ratio
for s in srtp2rtp_1000 rtp2srtp_1000 srtp2rtp_3000 rtp2srtp_3000; do
  a=$(field rtpengine $s pps_per_cpu_s); b=$(field ccsec $s pps_per_cpu_s)
  printf '%-18s %14s %14s %8s\n' "$s pps/CPU-s" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN{ if (a>0) printf "%.2fx", b/a; else print "-" }')"
done
printf '%-18s %14s %14s\n' "replays forwarded" "$(field rtpengine replay_1000 replays_forwarded)" "$(field ccsec replay_1000 replays_forwarded)"
printf '%-18s %14s %14s\n' "capacity lost" "$(field rtpengine capacity_$CAP_CALLS lost)" "$(field ccsec capacity_$CAP_CALLS lost)"
printf '%-18s %14s %14s\n' "capacity cpu_s" "$(field rtpengine capacity_$CAP_CALLS relay_cpu_s)" "$(field ccsec capacity_$CAP_CALLS relay_cpu_s)"
offered() { awk -v s="$(field "$1" "capacity_$CAP_CALLS" sent)" -v t="$(field "$1" "capacity_$CAP_CALLS" seconds)" 'BEGIN{ if (t > 0) printf "%.0f", s / t; else print "-" }'; }
printf '%-18s %14s %14s   (nominal %d)\n' "capacity pps sent" "$(offered rtpengine)" "$(offered ccsec)" $(( CAP_CALLS * 100 ))
echo "(capacity: $CAP_CALLS bridged calls, 50 pps each way, ${SECS}s; lost = sent - received; when"
echo " 'pps sent' is below nominal the load generator, not the relay, set the pace: no capacity verdict)"
if [[ ${QUICK:-0} != 1 ]]; then
  echo
  taskset -c "$RELAY_CORE" "$TBENCH" --benchmark_min_time=0.5 2>/dev/null | grep -E "^(ccsec|libsrtp)"
fi
echo "raw results: $OUT/results.txt"

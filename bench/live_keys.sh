#!/usr/bin/env bash
# Issue 12, section 4: how long the live screen takes to act on a key while a refresh longer than
# the interval is in flight (goal: 100 ms).
#
#   bench/live_keys.sh [-s SOCKETS] [-d MS] [-k KEYS] [-i SECONDS] [-p] [-c RATE]
#                      [-b OTHER_CONNWATCH] [-o DIR]
#     -s  hold this many sockets (half as many loopback connections, bench/populate) and let the
#         table make the refresh long                                          (default 0: none)
#     -d  or make every refresh this many ms longer (CONNWATCH_TEST_SLOW_REFRESH_MS)  (default 0)
#     -k  key presses timed per binary                                        (default 10)
#     -i  the live view's interval                                            (default 0.2)
#     -p  with the owners (`live -p`); the hook's delay is then spent in the owner step
#     -c  RATE new and RATE closed connections a second during the run (bench/churn.py), so
#         that every refresh has new sockets whose owners are looked up      (default 0: none)
#     -b  a second connwatch binary timed the same way in the same run (e.g. main before the
#         change), for the ratio
#     -o  where the raw results go                                 (default bench/results-keys)
#
# In a private network namespace, `connwatch live -i SECONDS` runs on a pseudo-terminal driven
# by bench/key_latency.py: after the first refresh, KEYS presses of `?` at random moments of the
# refresh cycle, each timed until the help box is in the output; then `q`, timed until connwatch
# has exited. With -s 0 -d 0 it gives the floor of the method. Reported per binary: median, 90th
# percentile and maximum key latency, the q latency, the refresh time the header showed and the
# peak resident memory (VmHWM) before q.
# With -s 100000 or more run it under the machine's benchmark lock:
#   flock /tmp/connwatch-bench.lock bench/live_keys.sh -s 235000
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

SOCKETS=0 DELAY=0 KEYS=10 INTERVAL=0.2 OTHER= OUT=$HERE/results-keys INNER= OWNERS= CHURN=0
while getopts "s:d:k:i:pc:b:o:I" opt; do
  case $opt in
    s) SOCKETS=$OPTARG ;;
    d) DELAY=$OPTARG ;;
    k) KEYS=$OPTARG ;;
    i) INTERVAL=$OPTARG ;;
    p) OWNERS=-p ;;
    c) CHURN=$OPTARG ;;
    b) OTHER=$OPTARG ;;
    o) OUT=$OPTARG ;;
    I) INNER=1 ;; # internal: inside the namespace
    *) sed -n '2,26p' "$0" >&2; exit 2 ;;
  esac
done
command -v python3 >/dev/null || bench_die "python3 is missing (scripts/dev.sh deps installs it)"
[ -x "$CONNWATCH" ] || bench_die "build first: ninja -C build"
[ -z "$OTHER" ] || [ -x "$OTHER" ] || bench_die "$OTHER is not executable"

one_binary() { # NAME PATH
  python3 "$HERE/key_latency.py" "$1" "$KEYS" \
    env CONNWATCH_TEST_SLOW_REFRESH_MS="$DELAY" "$2" live $OWNERS -i "$INTERVAL"
}
ARGS=(-s "$SOCKETS" -d "$DELAY" -k "$KEYS" -i "$INTERVAL" $OWNERS -c "$CHURN" -o "$OUT"
      ${OTHER:+-b "$OTHER"})

if [ -n "$INNER" ]; then
  bench_in_netns -I "${ARGS[@]}"
  if [ "$SOCKETS" -gt 0 ]; then
    # per-namespace limits only: this namespace exists for this run alone
    sysctl -qw net.ipv4.tcp_max_tw_buckets=2000000 net.core.somaxconn=8192
    bench_populate -n $((SOCKETS / 2)) -c 0 -w 0 -t 1800
    echo "sockets=$(bench_socket_count)"
  fi
  if [ "$CHURN" -gt 0 ]; then # bounded: churn.py stops by itself after an hour at most
    python3 "$HERE/churn.py" "$CHURN" 3600 >"$OUT/churn.out" 2>&1 &
    CHURN_PID=$!
    trap 'kill $CHURN_PID 2>/dev/null; bench_stop_populator' EXIT
    for _ in $(seq 300); do grep -q READY "$OUT/churn.out" && break; sleep 0.1; done
    grep -q READY "$OUT/churn.out" || bench_die "churn.py not ready: $(cat "$OUT/churn.out")"
  fi
  echo "load_start=$(cut -d' ' -f1 /proc/loadavg)"
  one_binary connwatch "$CONNWATCH"
  [ -z "$OTHER" ] || one_binary other "$OTHER"
  echo "load_end=$(cut -d' ' -f1 /proc/loadavg)"
  exit 0
fi

mkdir -p "$OUT"
{
  echo "date=$(date -u +%FT%TZ) nproc=$(nproc) kernel=$(uname -r)"
  echo "connwatch=$("$CONNWATCH" --version | head -1) commit=$(git -C "$HERE/.." rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "command=bench/live_keys.sh ${ARGS[*]}"
  bash "$0" -I "${ARGS[@]}"
} | tee "$OUT/summary.txt"

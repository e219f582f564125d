#!/usr/bin/env bash
# Issue 12, section 4: how long the live screen takes to act on a key while a refresh longer than
# the interval is in flight (goal: 100 ms).
#
#   bench/live_keys.sh [-s SOCKETS] [-d MS] [-k KEYS] [-i SECONDS] [-b OTHER_CONNWATCH] [-o DIR]
#     -s  hold this many sockets (half as many loopback connections, bench/populate) and let the
#         table make the refresh long                                          (default 0: none)
#     -d  or make every refresh this many ms longer (CONNWATCH_TEST_SLOW_REFRESH_MS)  (default 0)
#     -k  key presses timed per binary                                        (default 20)
#     -i  the live view's interval                                            (default 0.2)
#     -b  a second connwatch binary timed the same way in the same run (e.g. main before the
#         change), for the ratio
#     -o  where the raw results go                                 (default bench/results-keys)
#
# In a 200x50 tmux pane: `connwatch live -i SECONDS`. After the first refresh, each of KEYS
# rounds waits a random 0-1 s (so that presses land anywhere in the refresh cycle), sends `?` and
# times until the help box is on the pane, then `x` and times until it is gone; then `q` is
# timed until connwatch has exited. Time is taken from before `tmux send-keys` to the first
# `tmux capture-pane` that shows the change (a pane is captured every 5-10 ms: the floor of the
# method is measured with -s 0 -d 0). Reported per binary: median, 90th percentile and maximum
# of the 2*KEYS key latencies, the q latency, and the refresh time the header showed.
# With -s 100000 or more run it under the machine's benchmark lock:
#   flock /tmp/connwatch-bench.lock bench/live_keys.sh -s 235000
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

SOCKETS=0 DELAY=0 KEYS=20 INTERVAL=0.2 OTHER= OUT=$HERE/results-keys INNER=
while getopts "s:d:k:i:b:o:I" opt; do
  case $opt in
    s) SOCKETS=$OPTARG ;;
    d) DELAY=$OPTARG ;;
    k) KEYS=$OPTARG ;;
    i) INTERVAL=$OPTARG ;;
    b) OTHER=$OPTARG ;;
    o) OUT=$OPTARG ;;
    I) INNER=1 ;; # internal: inside the namespace
    *) sed -n '2,24p' "$0" >&2; exit 2 ;;
  esac
done
for tool in tmux python3; do
  command -v "$tool" >/dev/null || bench_die "$tool is missing (scripts/dev.sh deps installs it)"
done
[ -x "$CONNWATCH" ] || bench_die "build first: ninja -C build"
[ -z "$OTHER" ] || [ -x "$OTHER" ] || bench_die "$OTHER is not executable"

TM="tmux -L cw-keys-$$"
now_ms() { echo $(($(date +%s%N) / 1000000)); }
pane() { $TM capture-pane -p -t k 2>/dev/null; }
# one_binary NAME PATH: prints "NAME key_ms=... q_ms=... refresh=..."
one_binary() {
  local name=$1 bin=$2 lat=() t0 t1 k refresh
  $TM kill-server 2>/dev/null || true
  $TM new-session -d -s k -x 200 -y 50 \
    "env TERM=xterm-256color LC_ALL=C.UTF-8 CONNWATCH_TEST_SLOW_REFRESH_MS=$DELAY $bin live -i $INTERVAL; echo KEYS-EXIT; sleep 600"
  for _ in $(seq 1200); do pane | grep -q '^Every' && break; sleep 0.1; done
  pane | grep -q '^Every' || bench_die "$name: no screen after 120 s: $(pane)"
  sleep 3 # a few refreshes, so the header knows how long one takes
  for k in $(seq "$KEYS"); do
    sleep "$(python3 -c 'import random; print(random.random())')"
    t0=$(now_ms)
    $TM send-keys -t k '?'
    for _ in $(seq 20000); do pane | grep -q 'connwatch live: keys' && break; sleep 0.005; done
    t1=$(now_ms); lat+=($((t1 - t0)))
    sleep "$(python3 -c 'import random; print(random.random())')"
    t0=$(now_ms)
    $TM send-keys -t k x
    for _ in $(seq 20000); do pane | grep -q 'connwatch live: keys' || break; sleep 0.005; done
    t1=$(now_ms); lat+=($((t1 - t0)))
  done
  refresh=$(pane | sed -n 's/.*refresh takes \([0-9.]*s\).*/\1/p' | head -1)
  sleep "$(python3 -c 'import random; print(random.random())')"
  t0=$(now_ms)
  $TM send-keys -t k q
  for _ in $(seq 20000); do pane | grep -q 'KEYS-EXIT' && break; sleep 0.005; done
  t1=$(now_ms)
  $TM kill-server 2>/dev/null || true
  python3 - "$name" "$((t1 - t0))" "${refresh:-within-interval}" "${lat[@]}" <<'PY'
import statistics, sys
name, q, refresh, lat = sys.argv[1], sys.argv[2], sys.argv[3], sorted(int(x) for x in sys.argv[4:])
p90 = lat[min(len(lat) - 1, int(0.9 * len(lat)))]
print(f"{name}: keys={len(lat)} median_ms={statistics.median(lat):.0f} p90_ms={p90} "
      f"max_ms={lat[-1]} q_ms={q} header_refresh={refresh}")
PY
}

if [ -n "$INNER" ]; then
  bench_in_netns -I -s "$SOCKETS" -d "$DELAY" -k "$KEYS" -i "$INTERVAL" -o "$OUT" ${OTHER:+-b "$OTHER"}
  trap '$TM kill-server 2>/dev/null; bench_stop_populator' EXIT
  if [ "$SOCKETS" -gt 0 ]; then
    sysctl -qw net.ipv4.tcp_max_tw_buckets=2000000 net.core.somaxconn=8192
    bench_populate -n $((SOCKETS / 2)) -c 0 -w 0 -t 1800
    echo "sockets=$(bench_socket_count)"
  fi
  echo "load_start=$(cut -d' ' -f1 /proc/loadavg)"
  one_binary connwatch "$CONNWATCH"
  [ -n "$OTHER" ] && one_binary other "$OTHER"
  echo "load_end=$(cut -d' ' -f1 /proc/loadavg)"
  exit 0
fi

mkdir -p "$OUT"
{
  echo "date=$(date -u +%FT%TZ) nproc=$(nproc) kernel=$(uname -r)"
  echo "connwatch=$("$CONNWATCH" --version | head -1) commit=$(git -C "$HERE/.." rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "command=bench/live_keys.sh -s $SOCKETS -d $DELAY -k $KEYS -i $INTERVAL${OTHER:+ -b $OTHER}"
  bash "$0" -I -s "$SOCKETS" -d "$DELAY" -k "$KEYS" -i "$INTERVAL" -o "$OUT" ${OTHER:+-b "$OTHER"}
} | tee "$OUT/summary.txt"

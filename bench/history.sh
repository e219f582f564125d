#!/usr/bin/env bash
# Issue 15's benchmark: what recording costs on top of the live view, and how much disk.
#
#   bench/history.sh [-d SECONDS] [-o DIR]
#     -d  seconds measured (default 300), after a 20 s warm-up
#     -o  where the raw results and the recordings go (default bench/results-history)
#
# In a private network namespace: build/bench/populate -n 10000 (10,000 ESTABLISHED connections
# plus its default TIME_WAIT and CLOSE_WAIT, about 23,500 sockets) and bench/churn.py 100 (100
# new and 100 closed connections a second, the closed ones leaving TIME_WAIT). Three processes
# run side by side on that same load, at the 2 s interval:
#   A  connwatch live --plain                        the live view alone
#   B  connwatch live --plain --record FILE          the live view, recording
#   C  connwatch record FILE                         the recorder alone (what the service runs)
# Goals: B - A <= 0.5% of one core; the recording grows <= 10 MiB an hour (measured over -d
# seconds after the warm-up, so the first, whole refresh is not counted; extrapolated to an hour
# and a day). CPU is utime+stime from /proc/PID/stat over the same window for all three.
# Needs root and python3; run it under `flock /tmp/connwatch-bench.lock`. Whatever way it ends
# (done, an error, Ctrl-C, SIGTERM to the outer script), every process it started is stopped and
# waited for before it exits.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

DURATION=300 OUT=$HERE/results-history INNER=
while getopts "d:o:I" opt; do
  case $opt in
    d) DURATION=$OPTARG ;;
    o) OUT=$OPTARG ;;
    I) INNER=1 ;;
    *) sed -n '2,20p' "$0" >&2; exit 2 ;;
  esac
done
[ -x "$CONNWATCH" ] && [ -x "$POPULATE" ] || bench_die "build first: ninja -C build"
HZ=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
size() { stat -c %s "$1"; }

# A child has ended once it is gone or a zombie (kill -0 still finds a zombie until it is waited
# for).
gone() {
  local st
  st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 0
  [ -z "$st" ] || [ "${st%% *}" = Z ]
}
# Stops every process in pids (SIGTERM; SIGKILL after 5 s) and the populator, and waits for
# each, so nothing outlives the script or keeps the namespace's sockets.
stop_started() {
  local p _
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 50); do gone "$p" && break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  pids=()
  bench_stop_populator
}
# sleep in the background and wait for it: a signal runs the trap at once instead of after the
# sleep, and the sleep itself is stopped with the rest.
nap() {
  sleep "$1" &
  pids+=($!)
  wait $!
}

if [ -n "$INNER" ]; then
  bench_in_netns -I -d "$DURATION" -o "$OUT"
  pids=()
  # replaces bench_populate's own EXIT trap (stop_started calls bench_stop_populator)
  trap stop_started EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
  bench_populate -n 10000 -t $((DURATION + 120))
  trap stop_started EXIT
  python3 "$HERE/churn.py" 100 $((DURATION + 60)) >"$OUT/churn.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 300); do grep -q READY "$OUT/churn.out" && break; nap 0.1; done
  grep -q READY "$OUT/churn.out" || bench_die "churn.py not ready: $(cat "$OUT/churn.out")"
  rm -f "$OUT"/live.rec* "$OUT"/record.rec*
  "$CONNWATCH" live --plain >/dev/null &
  a=$!
  pids+=($a)
  "$CONNWATCH" live --plain --record "$OUT/live.rec" >/dev/null &
  b=$!
  pids+=($b)
  "$CONNWATCH" record "$OUT/record.rec" &
  c=$!
  pids+=($c)
  nap 20
  for p in $a $b $c; do gone "$p" && bench_die "a connwatch under test ended early"; done
  sockets=$(bench_socket_count)
  a0=$(cpu_ticks $a) b0=$(cpu_ticks $b) c0=$(cpu_ticks $c)
  s0=$(size "$OUT/live.rec") r0=$(size "$OUT/record.rec")
  nap "$DURATION"
  a1=$(cpu_ticks $a) b1=$(cpu_ticks $b) c1=$(cpu_ticks $c)
  s1=$(size "$OUT/live.rec") r1=$(size "$OUT/record.rec")
  frames=$("$CONNWATCH" summary --replay "$OUT/record.rec" --from +0s --json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["refreshes"])')
  python3 - <<PY
d, hz = $DURATION, $HZ
a, b, c = ($a1 - $a0) / hz, ($b1 - $b0) / hz, ($c1 - $c0) / hz
grow_b, grow_c = $s1 - $s0, $r1 - $r0
mib = 1024 * 1024
print(f"sockets={$sockets} seconds={d} refreshes_recorded={$frames}")
print(f"cpu live={100*a/d:.2f}% live_record={100*b/d:.2f}% record_alone={100*c/d:.2f}% "
      f"record_cost={100*(b-a)/d:.2f}% (of one core; goal <= 0.5%)")
print(f"disk live_record={grow_b/mib*3600/d:.2f} MiB/h record={grow_c/mib*3600/d:.2f} MiB/h "
      f"= {grow_c/mib*86400/d:.1f} MiB/day (goal <= 10 MiB/h; grew {grow_c} bytes in {d} s)")
PY
  exit 0
fi

mkdir -p "$OUT"
{
  echo "date=$(date -u +%FT%TZ) nproc=$(nproc) kernel=$(uname -r) load: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "connwatch=$("$CONNWATCH" --version | head -1) commit=$(git -C "$HERE/.." rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "command=bench/history.sh -d $DURATION"
} | tee "$OUT/summary.txt"
# The measuring half runs in its own namespace (unshare execs it under this same pid): a signal
# to this script is passed on to it and waited for, so its cleanup always runs.
bash "$0" -I -d "$DURATION" -o "$OUT" >"$OUT/inner.txt" 2>&1 &
inner=$!
trap 'kill -TERM "$inner" 2>/dev/null; wait "$inner"; cat "$OUT/inner.txt" >&2; exit 143' INT TERM HUP
rc=0
wait "$inner" || rc=$?
trap - INT TERM HUP
tee -a "$OUT/summary.txt" <"$OUT/inner.txt"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/summary.txt"
exit "$rc"

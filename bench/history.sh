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
# Needs root and python3; run it under `flock /tmp/connwatch-bench.lock`.
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

if [ -n "$INNER" ]; then
  bench_in_netns -I -d "$DURATION" -o "$OUT"
  pids=()
  bench_populate -n 10000 -t $((DURATION + 120))
  # after bench_populate, whose own EXIT trap this one replaces (and calls)
  trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; bench_stop_populator' EXIT
  python3 "$HERE/churn.py" 100 $((DURATION + 60)) >"$OUT/churn.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 300); do grep -q READY "$OUT/churn.out" && break; sleep 0.1; done
  grep -q READY "$OUT/churn.out" || bench_die "churn.py not ready: $(cat "$OUT/churn.out")"
  rm -f "$OUT"/live.rec* "$OUT"/record.rec*
  "$CONNWATCH" live --plain >/dev/null &
  a=$!
  "$CONNWATCH" live --plain --record "$OUT/live.rec" >/dev/null &
  b=$!
  "$CONNWATCH" record "$OUT/record.rec" &
  c=$!
  pids+=($a $b $c)
  sleep 20
  sockets=$(bench_socket_count)
  a0=$(cpu_ticks $a) b0=$(cpu_ticks $b) c0=$(cpu_ticks $c)
  s0=$(size "$OUT/live.rec") r0=$(size "$OUT/record.rec")
  sleep "$DURATION"
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
  bash "$0" -I -d "$DURATION" -o "$OUT"
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/summary.txt"

#!/usr/bin/env bash
# Issue 5's benchmark: what the live view costs on top of the kernel dump.
#
#   bench/live.sh [-r ROUNDS] [-d SECONDS] [-o DIR]
#     -r  rounds of the 100,000-connection refresh measurement       (default 3)
#     -d  seconds of the CPU measurement at the default interval     (default 40)
#     -o  where the raw results go                                    (default bench/results-live)
#
# Goals (issue 5), each measured in its own private network namespace with a fresh populator:
#  1. 10,000 connections (23,500 sockets): CPU of `connwatch` (the screen, in a tmux pane) at the
#     default 2 s interval, averaged over -d seconds: under 3% of one core. The same for --plain.
#  2. 100,000 connections (235,000 sockets): one refresh of the screen costs at most 1.3x one bare
#     sock_diag dump (build/bench/bare_dump). A refresh is measured as the difference between
#     `-i 0 -c 21` and `-i 0 -c 1` divided by 20, so start-up is not counted; bare_dump is timed
#     by hyperfine in the same namespace. Wall and CPU time are both reported.
#  3. Resident memory over 1,000 refreshes at 10,000 connections (`-i 0 -c 1000`): VmRSS sampled
#     every 0.2 s must stay flat (reported: after the first second, and the maximum, and the last).
# Needs root, tmux, hyperfine, python3 and a built tree (ninja -C build).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

ROUNDS=3 DURATION=40 OUT=$HERE/results-live INNER=
while getopts "r:d:o:I:" opt; do
  case $opt in
    r) ROUNDS=$OPTARG ;;
    d) DURATION=$OPTARG ;;
    o) OUT=$OPTARG ;;
    I) INNER=$OPTARG ;; # internal: the measurement to run inside the namespace
    *) sed -n '2,20p' "$0" >&2; exit 2 ;;
  esac
done
for tool in tmux hyperfine python3; do
  command -v "$tool" >/dev/null || bench_die "$tool is missing (scripts/dev.sh deps installs it)"
done
[ -x "$CONNWATCH" ] && [ -x "$BARE_DUMP" ] && [ -x "$POPULATE" ] || bench_die "build first: ninja -C build"

TM="tmux -L cw-bench-$$"
HZ=$(getconf CLK_TCK)

# Starts "$@" in a detached 200x50 tmux pane (a real terminal for the screen); sets LIVE_PID.
# The pane writes its exit status to $OUT/.done when the command ends.
tmux_start() {
  rm -f "$OUT/.done"
  $TM kill-server 2>/dev/null || true
  $TM new-session -d -s b -x 200 -y 50 "TERM=xterm-256color $*; echo \$? >$OUT/.done"
  local shell_pid i
  shell_pid=$($TM display -p -t b '#{pane_pid}')
  # The pid, when connwatch is the pane's direct child (not under /usr/bin/time).
  for i in $(seq 50); do
    LIVE_PID=$(pgrep -x -P "$shell_pid" connwatch || true)
    [ -n "$LIVE_PID" ] && return 0
    [ -f "$OUT/.done" ] && return 0
    sleep 0.02
  done
}
tmux_wait() {
  local i
  for i in $(seq 6000); do [ -f "$OUT/.done" ] && return 0; sleep 0.05; done
  bench_die "connwatch in tmux did not finish"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# Wall and CPU seconds of one run in the tmux pane: "wall user sys".
tmux_timed() {
  tmux_start "$(printf '%q ' /usr/bin/time -f "%e %U %S" -o "$OUT/.time" "$@")"
  tmux_wait
  cat "$OUT/.time"
}

measure_cpu() { # MODE: screen | plain
  bench_populate -n 10000
  local sockets pid t0 t1 used
  sockets=$(bench_socket_count)
  if [ "$1" = screen ]; then
    tmux_start "$CONNWATCH"
    pid=$LIVE_PID
    [ -n "$pid" ] || bench_die "connwatch did not start in tmux"
  else
    "$CONNWATCH" live --plain >/dev/null &
    pid=$!
  fi
  sleep 4 # past the first refreshes
  t0=$(cpu_ticks "$pid")
  sleep "$DURATION"
  t1=$(cpu_ticks "$pid")
  kill "$pid"
  used=$((t1 - t0))
  python3 -c "import sys; t=$used/$HZ; print(f'cpu mode=$1 sockets=$sockets seconds=$DURATION cpu_seconds={t:.2f} percent={100*t/$DURATION:.2f}')"
}

measure_refresh() {
  bench_populate -n 100000
  local sockets
  sockets=$(bench_socket_count)
  # The bare dump is timed before and after the screen runs (the machine is shared: the mean of
  # the two medians follows its load).
  hyperfine -N --warmup 1 --runs 10 --style basic --export-json "$OUT/bare1.json" "$BARE_DUMP" >/dev/null 2>&1
  local one many plain1 plain
  one=$(tmux_timed "$CONNWATCH" -i 0 -c 1)
  many=$(tmux_timed "$CONNWATCH" -i 0 -c 21)
  hyperfine -N --warmup 1 --runs 10 --style basic --export-json "$OUT/bare2.json" "$BARE_DUMP" >/dev/null 2>&1
  plain1=$( { /usr/bin/time -f "%e %U %S" "$CONNWATCH" live --plain -i 0 -c 1 >/dev/null; } 2>&1 )
  plain=$( { /usr/bin/time -f "%e %U %S" "$CONNWATCH" live --plain -i 0 -c 21 >/dev/null; } 2>&1 )
  python3 - "$OUT/bare1.json" "$sockets" "$one" "$many" "$plain1" "$plain" "$OUT/bare2.json" <<'PY'
import json, statistics, sys
bs = [json.load(open(f))["results"][0] for f in (sys.argv[1], sys.argv[7])]
bare_wall = statistics.mean(statistics.median(b["times"]) for b in bs)
bare_cpu = statistics.mean(b["user"] + b["system"] for b in bs)
def per(a, z):
    a = [float(x) for x in a.split()]; z = [float(x) for x in z.split()]
    return (z[0] - a[0]) / 20, (z[1] + z[2] - a[1] - a[2]) / 20
sw, sc = per(sys.argv[3], sys.argv[4])
pw, pc = per(sys.argv[5], sys.argv[6])
print(f"refresh sockets={sys.argv[2]} bare_wall_ms={bare_wall*1000:.1f} bare_cpu_ms={bare_cpu*1000:.1f} "
      f"screen_wall_ms={sw*1000:.1f} screen_cpu_ms={sc*1000:.1f} "
      f"ratio_wall={sw/bare_wall:.2f} ratio_cpu={sc/bare_cpu:.2f} "
      f"plain_wall_ms={pw*1000:.1f} plain_ratio_wall={pw/bare_wall:.2f}")
PY
}

measure_rss() { # MODE: screen | plain
  bench_populate -n 10000
  local sockets pid samples=()
  sockets=$(bench_socket_count)
  if [ "$1" = screen ]; then
    tmux_start "$CONNWATCH" -i 0 -c 1000
    pid=$LIVE_PID
    [ -n "$pid" ] || bench_die "connwatch did not start in tmux"
  else
    "$CONNWATCH" live --plain -i 0 -c 1000 >/dev/null &
    pid=$!
  fi
  local start=$SECONDS
  while kill -0 "$pid" 2>/dev/null && [ -r "/proc/$pid/status" ]; do
    samples+=("$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null)")
    sleep 0.2
  done
  echo "rss mode=$1 sockets=$sockets seconds=$((SECONDS - start)) samples_kib=${samples[*]}" |
    python3 -c "
import sys
line = sys.stdin.read().split()
head = ' '.join(line[:4])
s = [int(x) for x in line[4:][0].split('=')[1:] + line[5:] if x]
s = s[5:] or s  # after the first second
print(f'{head} after_1s_kib={s[0]} max_kib={max(s)} last_kib={s[-1]} growth_kib={s[-1]-s[0]}')"
}

if [ -n "$INNER" ]; then
  bench_in_netns -I "$INNER" -d "$DURATION" -o "$OUT"
  trap '$TM kill-server 2>/dev/null; bench_stop_populator' EXIT
  case $INNER in
    cpu-screen) measure_cpu screen ;;
    cpu-plain) measure_cpu plain ;;
    refresh) measure_refresh ;;
    rss-screen) measure_rss screen ;;
    rss-plain) measure_rss plain ;;
  esac
  exit 0
fi

mkdir -p "$OUT"
{
  echo "date=$(date -u +%FT%TZ) nproc=$(nproc) kernel=$(uname -r)"
  echo "connwatch=$("$CONNWATCH" --version) commit=$(git -C "$HERE/.." rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "command=bench/live.sh -r $ROUNDS -d $DURATION"
  for m in cpu-screen cpu-plain; do bash "$0" -I $m -d "$DURATION" -o "$OUT"; done
  for r in $(seq "$ROUNDS"); do bash "$0" -I refresh -o "$OUT"; done
  for m in rss-screen rss-plain; do bash "$0" -I $m -o "$OUT"; done
} | tee "$OUT/summary.txt"

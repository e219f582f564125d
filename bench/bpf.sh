#!/usr/bin/env bash
# The resident BPF fast path (issue 12, section 5): one `serve` scrape with the BPF source and with
# sock_diag, and one live-view refresh with each, against the bare dump, measured in the same run
# on the same table (build/bench/populate: N loopback connections, both ends held, 30% of N
# TIME_WAIT, 2.5% of N CLOSE_WAIT; 235,000 sockets at N=100,000) in a private network namespace.
#
#   bench/bpf.sh [-n N] [-r ROUNDS] [-k REFRESHES] [-P]      (defaults: 100000 7 3)
#
# 1. Two `connwatch serve` processes hold the table's counts: --source bpf (127.0.0.1:9878) and
#    --source netlink (127.0.0.1:9879). Each of ROUNDS rounds times, one after the other:
#    `bare_dump -s 0xfff` (one compat request, every state, no extensions, counting only, and
#    the UDP dumps serve also makes; once for its wall time, once under perf stat for its CPU
#    time), then one fresh scrape of each serve (at least 1.05 s after
#    its last one, past serve's one-second cache). Wall time: the dump's, and serve's own
#    connwatch_scrape_duration_seconds (read, count, diagnose, format; no curl, no HTTP). CPU
#    time: `perf stat -e task-clock` of the dump, and of the serve process while curl waits for
#    its scrape. Printed: medians and their ratios to the dump's. CPU time is what a loaded
#    machine disturbs least; the wall times wait for a core too.
# 2. The live view's screen in a 200x50 tmux pane: (time of `-i 0.1 -c K+1` - time of `-c 1`) / K
#    with --source bpf and --source netlink; the refresh interval is shorter than a refresh, so
#    refreshes run back to back.
# 3. With -P: `perf record` of the bpf serve over ROUNDS more scrapes, and where its time went.
# The TIME_WAIT sockets live 60 s after READY: the script says whether the table was still whole
# when the scrapes (and then the live view) were measured.
# Run heavy sizes under `flock /tmp/connwatch-bench.lock bench/bpf.sh`. Needs root, perf, curl,
# tmux, python3 and a tree built with the fast path (connwatch --version says so).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

N=100000 ROUNDS=7 K=3 PROFILE=
while getopts "n:r:k:P" o; do
  case $o in
    n) N=$OPTARG ;;
    r) ROUNDS=$OPTARG ;;
    k) K=$OPTARG ;;
    P) PROFILE=1 ;;
    *) bench_die "usage: bench/bpf.sh [-n N] [-r ROUNDS] [-k REFRESHES] [-P]" ;;
  esac
done
bench_need_bpf
bench_need perf curl tmux python3
bench_in_netns "$@"
OUT=$(mktemp -d)
SERVES=
TM="tmux -L cw-bpf-$$"
cleanup() {
  [ -n "$SERVES" ] && kill $SERVES 2>/dev/null && wait $SERVES 2>/dev/null
  $TM kill-server 2>/dev/null || true
  bench_stop_populator
  rm -rf "$OUT"
}
bench_populate -n "$N" -t 1800
trap cleanup EXIT # after bench_populate, whose own EXIT trap this replaces (cleanup stops it)
READY_AT=$(date +%s)
echo "date=$(date -u +%FT%TZ) nproc=$(nproc) kernel=$(uname -r) load=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
echo "connwatch=$("$CONNWATCH" --version | head -1) commit=$(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo ?)"
SOCKETS=$(bench_socket_count)
echo "table: $POP_READY; sockets in the default list request: $SOCKETS"
table_check() { # WHAT: is the table still the one measured at the start? (curl's own
  # connections add a few TIME_WAIT sockets; the populator's expiring would remove 30% of N)
  local now
  now=$(bench_socket_count)
  echo "table after $1 ($(($(date +%s) - READY_AT)) s after READY): $now sockets$([ "$now" -ge $((SOCKETS * 95 / 100)) ] && echo ", still the table measured" || echo ": CHANGED, TIME_WAIT expired; those figures mix two tables")"
}

"$CONNWATCH" serve --source bpf --listen 127.0.0.1:9878 2>"$OUT/bpf.err" &
BPF_PID=$!
"$CONNWATCH" serve --source netlink --listen 127.0.0.1:9879 2>"$OUT/netlink.err" &
NL_PID=$!
SERVES="$BPF_PID $NL_PID"
for port in 9878 9879; do
  for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
  curl -sf -o /dev/null "http://127.0.0.1:$port/" || bench_die "serve on $port did not start: $(cat "$OUT"/*.err)"
done
curl -sf "http://127.0.0.1:9878/metrics" | grep -q 'connwatch_source_info{source="bpf"} 1' ||
  bench_die "the bpf serve did not answer from the bpf source"
curl -sf -o /dev/null "http://127.0.0.1:9879/metrics"

# task-clock in ms of "$@" (a command, or -p PID -- command)
cpu_ms() { perf stat -x, -e task-clock "$@" 2>&1 >/dev/null | awk -F, '/task-clock/ { print $1 }'; }
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
declare -A LAST=([9878]=0 [9879]=0)
scrape() { # PORT PID: sets SCRAPED to "wall_s cpu_ms" of one fresh scrape
  local port=$1 pid=$2 wait_ms cpu
  wait_ms=$((LAST[$port] + 1050 - $(now_ms)))
  [ "$wait_ms" -gt 0 ] && sleep "$(printf '%d.%03d' $((wait_ms / 1000)) $((wait_ms % 1000)))"
  cpu=$(cpu_ms -p "$pid" -- curl -sf -o "$OUT/m.$port" "http://127.0.0.1:$port/metrics")
  LAST[$port]=$(now_ms)
  SCRAPED="$(sed -n 's/^connwatch_scrape_duration_seconds //p' "$OUT/m.$port") $cpu"
}
for r in $(seq "$ROUNDS"); do
  t0=${EPOCHREALTIME/./}
  "$BARE_DUMP" -s 0xfff 2>/dev/null
  t1=${EPOCHREALTIME/./}
  bare_wall=$(((t1 - t0) / 1000)).$(printf '%03d' $(((t1 - t0) % 1000)))
  bare_cpu=$(cpu_ms "$BARE_DUMP" -s 0xfff)
  scrape 9878 "$BPF_PID"
  bpf=$SCRAPED
  scrape 9879 "$NL_PID"
  echo "$bare_wall $bare_cpu $bpf $SCRAPED" >>"$OUT/rounds"
done
table_check "the scrapes"
python3 - "$OUT/rounds" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
bare_w, bare_c, bpf_w, bpf_c, nl_w, nl_c = (statistics.median(c) for c in zip(*rows))
bare_w /= 1000
print("| %d rounds, medians | wall ms | vs dump | CPU ms | vs dump |" % len(rows))
print("|---|---|---|---|---|")
print("| `bare_dump -s 0xfff` | %.1f | 1.00x | %.1f | 1.00x |" % (bare_w * 1000, bare_c))
for name, w, c in (("scrape inside serve, --source bpf", bpf_w, bpf_c),
                   ("scrape inside serve, --source netlink", nl_w, nl_c)):
    print("| %s | %.1f | %.2fx | %.1f | %.2fx |" % (name, w * 1000, w / bare_w, c, c / bare_c))
PY

# The live view's refresh, screen mode in tmux.
tmux_timed() {
  rm -f "$OUT/.time" "$OUT/.done"
  $TM new-session -d -x 200 -y 50 \
    "$(printf '%q ' /usr/bin/time -f "%e %U %S" -o "$OUT/.time" "$@"); touch $OUT/.done" 2>/dev/null ||
    $TM new-window -d "$(printf '%q ' /usr/bin/time -f "%e %U %S" -o "$OUT/.time" "$@"); touch $OUT/.done"
  for _ in $(seq 1200); do [ -f "$OUT/.done" ] && break; sleep 0.1; done
  [ -f "$OUT/.done" ] || bench_die "connwatch in tmux did not finish"
  cat "$OUT/.time"
}
BARE_MED=$(python3 -c 'import statistics,sys; print(statistics.median(float(l.split()[0]) for l in open(sys.argv[1])) / 1000)' "$OUT/rounds")
for src in bpf netlink; do
  one=$(tmux_timed "$CONNWATCH" --source "$src" -i 0.1 -c 1)
  many=$(tmux_timed "$CONNWATCH" --source "$src" -i 0.1 -c $((K + 1)))
  python3 - "$src" "$K" "$one" "$many" "$BARE_MED" <<'PY'
import sys
src, k = sys.argv[1], int(sys.argv[2])
one, many = [list(map(float, s.split())) for s in sys.argv[3:5]]
bare = float(sys.argv[5])
wall = (many[0] - one[0]) / k
cpu = (many[1] + many[2] - one[1] - one[2]) / k
print("live refresh (%s): wall %.1f ms = %.2fx the bare dump's wall, cpu %.1f ms"
      % (src, wall * 1000, wall / bare, cpu * 1000))
PY
done
table_check "the live view"
if [ -n "$PROFILE" ]; then
  perf record -e cpu-clock -F 2000 -g -p "$BPF_PID" -o "$OUT/perf.data" 2>/dev/null &
  PERF=$!
  sleep 0.5
  for _ in $(seq "$ROUNDS"); do scrape 9878 "$BPF_PID"; done
  kill -INT $PERF
  wait $PERF || true
  echo "where the bpf serve's CPU went over $ROUNDS scrapes (share of its samples):"
  # Kernel call chains are whole, so a kernel function's share includes its callees; user space
  # is built without frame pointers, so it is given as one share (its own samples).
  { perf report -i "$OUT/perf.data" --stdio --children --sort sym -g none 2>/dev/null
    echo "@@dso"
    perf report -i "$OUT/perf.data" --stdio --no-children --sort dso -g none 2>/dev/null; } |
    python3 -c '
import re, sys
parts = [
  ("bpf_seq_read", "the iterator run (kernel): everything below"),
  ("bpf_iter_tcp_batch", "  the walk: hash buckets locked in turn, a reference taken on each socket"),
  ("bpf_iter_tcp_seq_show", "  per socket: its lock, its owner uid, then the program"),
  ("bpf_prog_", "    the program itself (tcp_iter.bpf.c: counting, records)"),
]
seen, dso, in_dso = {}, {}, False
for line in sys.stdin:
    if line.startswith("@@dso"):
        in_dso = True
        continue
    if in_dso:
        m = re.match(r"\s*([\d.]+)%\s+(\S+)", line)
        if m:
            dso[m.group(2)] = dso.get(m.group(2), 0.0) + float(m.group(1))
        continue
    m = re.match(r"\s*([\d.]+)%\s+([\d.]+)%\s+\[k\]\s+(\S+)", line)
    if m:
        for key, _ in parts:
            if m.group(3).startswith(key) and key not in seen:
                seen[key] = float(m.group(1))
for key, label in parts:
    print("  %5.1f%%  %s" % (seen.get(key, 0.0), label))
user = sum(v for k, v in dso.items() if not k.startswith("[") and "bpf_prog" not in k)
print("  %5.1f%%  the rest of the kernel (UDP dump, /proc counter files, HTTP)"
      % max(0.0, 100.0 - user - seen.get("bpf_seq_read", 0.0)))
print("  %5.1f%%  user space (records to rows, counts taken over, diagnosis, formatting)" % user)
'
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

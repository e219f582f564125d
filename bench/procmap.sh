#!/usr/bin/env bash
# Issue 6's benchmark: `connwatch list -p` against `netstat -ntup` and `ss -tanp` (and
# `connwatch list` without -p) at 10,000 and 100,000 established loopback connections held as
# fds, plus peak RSS and a check that all three show the same rows with the same pids.
#
#   bench/procmap.sh [-s "SIZES"] [-k RUNS] [-K RUNS_AT_100K] [-o DIR]
#     -s  connection counts (populate -n)                            (default "10000 100000")
#     -k  hyperfine runs per command below 100,000 (after 1 warm-up) (default 5)
#     -K  hyperfine runs per command at 100,000 and above (no warm-up: ss -tanp takes ~27 s
#         there; the capture runs before it warm the caches)          (default 3)
#     -o  where the raw results go                                   (default bench/results-procmap)
#
# TIME_WAIT sockets are left out (populate -w 0): they have no owner, and the kernel ends them
# after 60 s, which is shorter than one round with ss -tanp at 100,000. Each size runs in its
# own private network namespace (bench/lib.sh). Needs root, hyperfine, ss, netstat, python3,
# /usr/bin/time and a built tree (ninja -C build).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

SIZES="10000 100000" RUNS=5 RUNS_BIG=3 OUT=$HERE/results-procmap INNER=
while getopts "s:k:K:o:I:" opt; do
  case $opt in
    s) SIZES=$OPTARG ;;
    k) RUNS=$OPTARG ;;
    K) RUNS_BIG=$OPTARG ;;
    o) OUT=$OPTARG ;;
    I) INNER=$OPTARG ;; # internal: the size, run inside the namespace
    *) sed -n '2,15p' "$0" >&2; exit 2 ;;
  esac
done
for tool in hyperfine ss netstat python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || bench_die "$tool is missing (scripts/dev.sh deps installs it)"
done
[ -x "$CONNWATCH" ] && [ -x "$POPULATE" ] || bench_die "build first: ninja -C build"

# Runs "$@" once with stdout to FILE; prints its peak RSS in KiB and wall seconds (GNU time).
capture() {
  local file=$1 t
  shift
  t=$(mktemp)
  /usr/bin/time -f "%M %e" -o "$t" "$@" >"$file" 2>/dev/null
  cat "$t"
  rm -f "$t"
}

one_size() {
  local size=$1 tag="n$1"
  bench_populate -n "$size" -w 0 -t 3600
  local sockets
  sockets=$(ss -tanH | wc -l)
  # One capture of each for the row/pid check and peak RSS (and as the warm-up at 100k).
  local rss_cw rss_cw0 rss_ss rss_ns
  rss_cw=$(capture "$OUT/$tag.connwatch.json" "$CONNWATCH" list -p --json)
  rss_cw0=$(capture /dev/null "$CONNWATCH" list)
  rss_ss=$(capture "$OUT/$tag.ss.txt" ss -tanpH)
  rss_ns=$(capture "$OUT/$tag.netstat.txt" netstat -ntup)
  local check
  check=$(python3 "$HERE/procmap_check.py" "$OUT/$tag.connwatch.json" "$OUT/$tag.ss.txt" \
    "$OUT/$tag.netstat.txt") || true
  local runs=$RUNS warm=1
  [ "$size" -ge 100000 ] && runs=$RUNS_BIG warm=0
  hyperfine -N --warmup "$warm" --runs "$runs" --style basic \
    --export-json "$OUT/$tag.hyperfine.json" \
    "$CONNWATCH list -p" "netstat -ntup" "ss -tanp" "$CONNWATCH list" \
    >"$OUT/$tag.hyperfine.txt" 2>&1 || bench_die "hyperfine failed: $(tail -5 "$OUT/$tag.hyperfine.txt")"
  # The table must not have changed during the timing (the populator holds it for an hour).
  local sockets_after
  sockets_after=$(ss -tanH | wc -l)
  # What a live view pays per refresh once the owners are known.
  local refresh=""
  [ -x "$BUILD/bench/procmap_refresh" ] && refresh=$("$BUILD/bench/procmap_refresh" 3 | tr '\n' ';')
  {
    echo "size=$size tcp_sockets=$sockets tcp_sockets_after=$sockets_after loadavg=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,)"
    echo "populate: $POP_READY"
    echo "rss_kib_and_seconds: connwatch_p=${rss_cw// /,} connwatch=${rss_cw0// /,}" \
      "ss_tanp=${rss_ss// /,} netstat_ntup=${rss_ns// /,}"
    echo "check: $check"
    echo "refresh: $refresh"
  } >"$OUT/$tag.info"
  bench_stop_populator
  rm -f "$OUT/$tag.connwatch.json" "$OUT/$tag.ss.txt" "$OUT/$tag.netstat.txt" # large
}

if [ -n "$INNER" ]; then
  bench_in_netns -I "$INNER" -k "$RUNS" -K "$RUNS_BIG" -o "$OUT"
  one_size "$INNER"
  exit 0
fi

mkdir -p "$OUT"
{
  echo "date=$(date -u +%FT%TZ) nproc=$(nproc) kernel=$(uname -r)"
  echo "connwatch=$("$CONNWATCH" --version | cut -d' ' -f2) commit=$(git -C "$HERE/.." rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "command=bench/procmap.sh -s \"$SIZES\" -k $RUNS -K $RUNS_BIG"
} >"$OUT/machine.info"
for size in $SIZES; do
  bash "$0" -I "$size" -k "$RUNS" -K "$RUNS_BIG" -o "$OUT"
done
cat "$OUT/machine.info"
python3 - "$OUT" $SIZES <<'PY'
import json, statistics, sys
out, sizes = sys.argv[1], sys.argv[2:]
print("| connections | connwatch list -p | netstat -ntup | ss -tanp | connwatch list | "
      "netstat / list -p (goal ≥ 10) | ss / list -p (goal ≥ 20) |")
print("|---|---|---|---|---|---|---|")
for size in sizes:
    res = json.load(open(f"{out}/n{size}.hyperfine.json"))["results"]
    med = [statistics.median(r["times"]) for r in res]
    cpu = [r["user"] + r["system"] for r in res]  # mean CPU seconds per run
    cw, ns, ss, cw0 = med
    print(f"| {int(size):,} wall (median) | {cw:.3f} s | {ns:.3f} s | {ss:.3f} s | {cw0:.3f} s | "
          f"{ns / cw:.1f}x {'met' if ns / cw >= 10 else 'NOT met'} | "
          f"{ss / cw:.1f}x {'met' if ss / cw >= 20 else 'NOT met'} |")
    cw, ns, ss, cw0 = cpu
    print(f"| {int(size):,} CPU (user+sys, mean) | {cw:.3f} s | {ns:.3f} s | {ss:.3f} s | "
          f"{cw0:.3f} s | {ns / cw:.1f}x | {ss / cw:.1f}x |")
for size in sizes:
    print(f"n={size}: " + " | ".join(l.strip() for l in open(f"{out}/n{size}.info")))
PY

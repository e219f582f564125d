#!/usr/bin/env bash
# Issue 12's benchmark: every command of connwatch on a large table, against `ss -tan`,
# `netstat -ntu` and the bare sock_diag dump, ratios taken in the same run, plus peak RSS.
#
#   bench/million.sh [-k RUNS] [-s "SIZES"] [-o DIR]
#     -k  hyperfine runs per command (after one warm-up)                    (default 5)
#     -s  table sizes in sockets (even; half as many connections)           (default
#         "10000 235000 1000000")
#     -o  where the raw results go                                          (default
#         bench/results-million)
#
# Per size, in a fresh private network namespace: `populate` holds SIZE/2 - 2,500 established
# loopback connections and 2,500 CLOSE_WAIT ones (both ends held: SIZE sockets; no TIME_WAIT, so
# the table does not change while it is measured), then hyperfine times
#   connwatch list | summary | check | serve --textfile (one scrape) | live --plain -c 1 (one
#   refresh), ss -tan, netstat -ntu, bare_dump -s 0xfff (one compat request, all states, no
#   extensions, counting only)
# and GNU time gives each one's peak RSS. The namespace's own sysctls are raised for the load
# (tcp_max_tw_buckets, somaxconn); nothing outside the namespace changes.
# bench/million_summary.py DIR prints the Markdown table docs/benchmarks.md records.
#
# Run it under the machine's benchmark lock (one heavy benchmark at a time):
#   flock /tmp/connwatch-bench.lock bench/million.sh
# 1,000,000 sockets take about 4 GiB of kernel memory: check `free -g` first.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

RUNS=5 SIZES="10000 235000 1000000" OUT=$HERE/results-million INNER=
while getopts "k:s:o:I:" opt; do
  case $opt in
    k) RUNS=$OPTARG ;;
    s) SIZES=$OPTARG ;;
    o) OUT=$OPTARG ;;
    I) INNER=$OPTARG ;; # internal: the size to measure, inside the namespace
    *) sed -n '2,24p' "$0" >&2; exit 2 ;;
  esac
done
for tool in hyperfine ss netstat python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || bench_die "$tool is missing (scripts/dev.sh deps installs it)"
done
[ -x "$CONNWATCH" ] && [ -x "$BARE_DUMP" ] && [ -x "$POPULATE" ] || bench_die "build first: ninja -C build"

peak_rss_kib() {
  local f
  f=$(mktemp)
  /usr/bin/time -v -o "$f" "$@" >/dev/null 2>&1 || true
  sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$f"
  rm -f "$f"
}

one_size() {
  local size=$1 tag="s$1"
  # Per-namespace limits only: this namespace exists for this run alone.
  sysctl -qw net.ipv4.tcp_max_tw_buckets=2000000 net.core.somaxconn=8192 ||
    bench_die "cannot set the namespace's sysctls"
  local empty_list_rss empty_summary_rss
  empty_list_rss=$(peak_rss_kib "$CONNWATCH" list)
  empty_summary_rss=$(peak_rss_kib "$CONNWATCH" summary)
  local cw=2500
  [ "$size" -lt 20000 ] && cw=0
  bench_populate -n $((size / 2 - cw)) -c "$cw" -w 0 -t 1800
  local sockets_before sockets_after
  sockets_before=$(bench_socket_count)
  local textfile
  textfile=$(mktemp -d)/metrics.prom
  local -a cmds=(
    "$CONNWATCH list"
    "$CONNWATCH summary"
    "$CONNWATCH check"
    "$CONNWATCH serve --textfile $textfile"
    "$CONNWATCH live --plain -c 1"
    "ss -tan"
    "netstat -ntu"
    "$BARE_DUMP -s 0xfff"
  )
  local load_start load_end
  load_start=$(cut -d' ' -f1 /proc/loadavg)
  hyperfine -N --warmup 1 --runs "$RUNS" --style basic -i \
    --export-json "$OUT/$tag.hyperfine.json" "${cmds[@]}" >"$OUT/$tag.hyperfine.txt" 2>&1 ||
    bench_die "hyperfine failed: $(tail -5 "$OUT/$tag.hyperfine.txt")"
  load_end=$(cut -d' ' -f1 /proc/loadavg)
  local rss="" c
  for c in "${cmds[@]}"; do
    # shellcheck disable=SC2086 # the command lines are split on purpose
    rss+="$(peak_rss_kib $c)|"
  done
  sockets_after=$(bench_socket_count)
  bench_stop_populator
  rm -rf "$(dirname "$textfile")"
  {
    echo "size=$size sockets_before=$sockets_before sockets_after=$sockets_after"
    echo "empty_rss_kib list=$empty_list_rss summary=$empty_summary_rss"
    echo "rss_kib=$rss"
    echo "loadavg_start=$load_start loadavg_end=$load_end"
    echo "populate: $POP_READY"
  } >"$OUT/$tag.info"
  echo "size $size: sockets $sockets_before -> $sockets_after, 1-min load $load_start -> $load_end" >&2
}

if [ -n "$INNER" ]; then
  bench_in_netns -I "$INNER" -k "$RUNS" -o "$OUT"
  one_size "$INNER"
  exit 0
fi

mkdir -p "$OUT"
{
  echo "date=$(date -u +%FT%TZ)"
  echo "nproc=$(nproc) kernel=$(uname -r) mem_free_gib=$(free -g | awk '/^Mem:/ {print $7}')"
  echo "connwatch=$("$CONNWATCH" --version | head -1) commit=$(git -C "$HERE/.." rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "command=bench/million.sh -k $RUNS -s \"$SIZES\""
} >"$OUT/machine.info"
rm -f "$OUT"/s*.*
for size in $SIZES; do
  bash "$0" -I "$size" -k "$RUNS" -o "$OUT"
done
python3 "$HERE/million_summary.py" "$OUT"

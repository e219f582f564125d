#!/usr/bin/env bash
# Issue 3's benchmark: `connwatch list` against `ss -tan`, `netstat -ntu` and the bare sock_diag
# dump, at 10,000 and 100,000 established loopback connections (23,500 and 235,000 sockets with
# the TIME_WAIT and CLOSE_WAIT shares), plus peak RSS.
#
#   bench/list.sh [-r ROUNDS] [-k RUNS] [-s "SIZES"] [-o DIR]
#     -r  rounds per size, each in a fresh namespace with a fresh populator  (default 3)
#     -k  hyperfine runs per command per round (after 1 warm-up)            (default 5)
#     -s  connection counts (populate -n)                                    (default "10000 100000")
#     -o  where the raw results go (hyperfine JSON, time -v output)          (default bench/results)
#
# Needs root (unshare -n), hyperfine, ss, netstat, /usr/bin/time, python3 and a built tree
# (ninja -C build). Each round runs in its own private network namespace and should last less than
# the 60 s that TIME_WAIT sockets live, so that every command of the round sees the same table:
# the socket count is taken before and after the timing, and a round where it changed is reported
# and left out of the medians (on a heavily loaded machine, lower -k). The order of the commands
# rotates from round to round so that a burst of load from other users of the machine does not
# always hit the same command. Prints a Markdown summary (bench/summarize.py) at the end.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

ROUNDS=3 RUNS=5 SIZES="10000 100000" OUT=$HERE/results
INNER=
while getopts "r:k:s:o:I:" opt; do
  case $opt in
    r) ROUNDS=$OPTARG ;;
    k) RUNS=$OPTARG ;;
    s) SIZES=$OPTARG ;;
    o) OUT=$OPTARG ;;
    I) INNER=$OPTARG ;; # internal: "SIZE ROUND", run inside the namespace
    *) sed -n '2,10p' "$0" >&2; exit 2 ;;
  esac
done

for tool in hyperfine ss netstat python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || bench_die "$tool is missing (scripts/dev.sh deps installs it)"
done
[ -x "$CONNWATCH" ] && [ -x "$BARE_DUMP" ] && [ -x "$POPULATE" ] ||
  bench_die "build first: ninja -C build"

# Peak RSS in KiB of one run of "$@" (stdout to /dev/null), from GNU time -v.
peak_rss_kib() {
  local f
  f=$(mktemp)
  /usr/bin/time -v -o "$f" "$@" >/dev/null 2>&1
  sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$f"
  rm -f "$f"
}

one_round() {
  local size=$1 round=$2 tag="n${1}-r${2}"
  # The base: the same binary on an empty table, in this same fresh namespace.
  local base_rss
  base_rss=$(peak_rss_kib "$CONNWATCH" list)
  bench_populate -n "$size"
  # TIME_WAIT sockets live 60 s from READY: what needs the full table comes first.
  local sockets_before sockets_after rows r
  sockets_before=$(bench_socket_count)
  rows=$("$CONNWATCH" list | wc -l)
  local rss_line=""
  for r in 1 2 3; do rss_line+=" connwatch=$(peak_rss_kib "$CONNWATCH" list)"; done
  local cmds=("$CONNWATCH list" "ss -tan" "netstat -ntu" "$BARE_DUMP")
  local shift_by=$(((round - 1) % 4)) ordered=() i
  for i in 0 1 2 3; do ordered+=("${cmds[$(((i + shift_by) % 4))]}"); done
  local load_start load_end
  load_start=$(cut -d' ' -f1 /proc/loadavg)
  hyperfine -N --warmup 1 --runs "$RUNS" --style basic \
    --export-json "$OUT/$tag.hyperfine.json" "${ordered[@]}" >"$OUT/$tag.hyperfine.txt" 2>&1 ||
    bench_die "hyperfine failed: $(tail -5 "$OUT/$tag.hyperfine.txt")"
  sockets_after=$(bench_socket_count)
  load_end=$(cut -d' ' -f1 /proc/loadavg)
  # For comparison only (one run each; the table may have lost its TIME_WAIT share by now).
  rss_line+=" ss=$(peak_rss_kib ss -tan) netstat=$(peak_rss_kib netstat -ntu) bare=$(peak_rss_kib "$BARE_DUMP")"
  bench_stop_populator
  {
    echo "size=$size round=$round sockets_before=$sockets_before sockets_after=$sockets_after"
    echo "connwatch_rows=$((rows - 1)) base_rss_kib=$base_rss"
    echo "rss_kib$rss_line"
    echo "loadavg_start=$load_start loadavg_end=$load_end"
    echo "populate: $POP_READY"
  } >"$OUT/$tag.info"
  local valid=yes
  [ "$sockets_before" = "$sockets_after" ] || valid="NO (the table changed during timing)"
  echo "round $tag: sockets $sockets_before -> $sockets_after, 1-min load $load_start -> $load_end, valid: $valid" >&2
}

if [ -n "$INNER" ]; then
  bench_in_netns -I "$INNER" -k "$RUNS" -o "$OUT"
  one_round $INNER
  exit 0
fi

mkdir -p "$OUT"
{
  echo "date=$(date -u +%FT%TZ)"
  echo "nproc=$(nproc) kernel=$(uname -r)"
  echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
  echo "connwatch=$("$CONNWATCH" --version) commit=$(git -C "$HERE/.." rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "ss=$(ss -V 2>&1 | head -1) netstat=$(netstat -V 2>&1 | head -1) hyperfine=$(hyperfine --version)"
  echo "command=bench/list.sh -r $ROUNDS -k $RUNS -s \"$SIZES\""
} >"$OUT/machine.info"
rm -f "$OUT"/n*-r*.*
for size in $SIZES; do
  for round in $(seq "$ROUNDS"); do
    # A fresh namespace per round (bench_in_netns): the last round's TIME_WAIT sockets go with it.
    bash "$0" -I "$size $round" -k "$RUNS" -o "$OUT"
  done
done
python3 "$HERE/summarize.py" "$OUT"

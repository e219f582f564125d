#!/usr/bin/env bash
# Issue 12 section 3's benchmark: `connwatch list --port P`, whose filter goes to the kernel as
# inet_diag bytecode, against the unfiltered bare sock_diag dump, when about 2% of the sockets
# match. Also timed in the same run: the unfiltered `connwatch list` (what --port cost when it
# filtered in user space) and `ss -tan` with the same filter.
#
#   bench/filter.sh [-r ROUNDS] [-k RUNS] [-s "SIZES"] [-p PORT] [-x "POPULATE ARGS"] [-o DIR]
#     -r  rounds per size, each in a fresh namespace with a fresh populator   (default 3)
#     -k  hyperfine runs per command per round (after 1 warm-up)             (default 5)
#     -s  connection counts (populate -n)                                     (default "100000")
#     -p  the port filtered on                                                (default 8001)
#     -x  more populate options                                               (default "-6 24")
#     -o  where the raw results go                                (default bench/results-filter)
#
# The default table: populate's child k serves its IPv6 share on [::1]:8000+k, so with 24% of the
# connections over IPv6 and 12 children (100,000 connections) port 8001 carries 1/12 of 24%: about
# 2% of the sockets, both ends. The matching share is measured and printed per round.
# Needs root (unshare -n), hyperfine, ss, python3 and a built tree (ninja -C build). Run it under
# `flock /tmp/connwatch-bench.lock` (heavy). Rounds last well under the 60 s of TIME_WAIT sockets;
# a round whose socket count changed during the timing is reported and left out.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

ROUNDS=3 RUNS=5 SIZES="100000" PORT=8001 POP_ARGS="-6 24" OUT=$HERE/results-filter
INNER=
while getopts "r:k:s:p:x:o:I:" opt; do
  case $opt in
    r) ROUNDS=$OPTARG ;;
    k) RUNS=$OPTARG ;;
    s) SIZES=$OPTARG ;;
    p) PORT=$OPTARG ;;
    x) POP_ARGS=$OPTARG ;;
    o) OUT=$OPTARG ;;
    I) INNER=$OPTARG ;; # internal: "SIZE ROUND", run inside the namespace
    *) sed -n '2,16p' "$0" >&2; exit 2 ;;
  esac
done

for tool in hyperfine ss python3; do
  command -v "$tool" >/dev/null || bench_die "$tool is missing (scripts/dev.sh deps installs it)"
done
[ -x "$CONNWATCH" ] && [ -x "$BARE_DUMP" ] && [ -x "$POPULATE" ] ||
  bench_die "build first: ninja -C build"

one_round() {
  local size=$1 round=$2 tag="n${1}-r${2}"
  # shellcheck disable=SC2086 # POP_ARGS is a list of options
  bench_populate -n "$size" $POP_ARGS
  local before after matched load_start load_end
  before=$(bench_socket_count)
  matched=$("$CONNWATCH" list --port "$PORT" | tail -n +2 | wc -l)
  local cmds=("$BARE_DUMP" "$CONNWATCH list --port $PORT" "$CONNWATCH list"
    "ss -tan ( sport = :$PORT or dport = :$PORT )")
  local shift_by=$(((round - 1) % 4)) ordered=() i
  for i in 0 1 2 3; do ordered+=("${cmds[$(((i + shift_by) % 4))]}"); done
  load_start=$(cut -d' ' -f1 /proc/loadavg)
  hyperfine -N --warmup 1 --runs "$RUNS" --style basic \
    --export-json "$OUT/$tag.hyperfine.json" "${ordered[@]}" >"$OUT/$tag.hyperfine.txt" 2>&1 ||
    bench_die "hyperfine failed: $(tail -5 "$OUT/$tag.hyperfine.txt")"
  after=$(bench_socket_count)
  load_end=$(cut -d' ' -f1 /proc/loadavg)
  bench_stop_populator
  {
    echo "size=$size round=$round port=$PORT sockets_before=$before sockets_after=$after matched=$matched"
    echo "loadavg_start=$load_start loadavg_end=$load_end"
    echo "populate: $POP_READY"
  } >"$OUT/$tag.info"
  echo "round $tag: sockets $before -> $after, $matched match port $PORT, 1-min load $load_start -> $load_end" >&2
}

if [ -n "$INNER" ]; then
  bench_in_netns -I "$INNER" -k "$RUNS" -p "$PORT" -x "$POP_ARGS" -o "$OUT"
  one_round $INNER
  exit 0
fi

mkdir -p "$OUT"
rm -f "$OUT"/n*-r*.*
{
  echo "date=$(date -u +%FT%TZ) nproc=$(nproc) kernel=$(uname -r)"
  echo "connwatch=$("$CONNWATCH" --version | head -1) commit=$(git -C "$HERE/.." rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "command=bench/filter.sh -r $ROUNDS -k $RUNS -s \"$SIZES\" -p $PORT -x \"$POP_ARGS\""
} >"$OUT/machine.info"
for size in $SIZES; do
  for round in $(seq "$ROUNDS"); do
    bash "$0" -I "$size $round" -k "$RUNS" -p "$PORT" -x "$POP_ARGS" -o "$OUT"
  done
done
python3 - "$OUT" <<'EOF'
import glob, json, os, re, statistics, sys
out = sys.argv[1]
print(open(os.path.join(out, "machine.info")).read().strip())
rows = {}
for info in sorted(glob.glob(os.path.join(out, "n*-r*.info"))):
    tag = os.path.basename(info)[:-5]
    kv = dict(re.findall(r"(\w+)=(\S+)", open(info).read()))
    res = json.load(open(os.path.join(out, tag + ".hyperfine.json")))["results"]
    med = {}
    for r in res:
        c = r["command"]
        name = ("bare" if c.endswith("bare_dump") else "ss" if c.startswith("ss ")
                else "port" if "--port" in c else "list")
        med[name] = (statistics.median(r["times"]) * 1000, (r["user"] + r["system"]) * 1000)
    valid = kv["sockets_before"] == kv["sockets_after"]
    rows.setdefault(int(kv["size"]), []).append((tag, kv, med, valid))
for size, rounds in sorted(rows.items()):
    print(f"\n{size} connections (populate -n {size})\n")
    print("| round | sockets | match | load | bare ms | list --port ms | list ms | ss filter ms |"
          " port/bare wall (CPU) | list/bare wall |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    ratios = []
    for tag, kv, m, valid in rounds:
        pct = 100.0 * int(kv["matched"]) / max(1, int(kv["sockets_before"]))
        r, rc = m["port"][0] / m["bare"][0], m["port"][1] / m["bare"][1]
        if valid:
            ratios.append(r)
        print(f"| {tag}{'' if valid else ' (table changed: left out)'} | {kv['sockets_before']} |"
              f" {kv['matched']} ({pct:.1f}%) | {kv['loadavg_start']}-{kv['loadavg_end']} |"
              f" {m['bare'][0]:.0f} | {m['port'][0]:.1f} | {m['list'][0]:.0f} | {m['ss'][0]:.0f} |"
              f" {r:.2f} ({rc:.2f}) | {m['list'][0] / m['bare'][0]:.2f} |")
    if ratios:
        print(f"\nMedian over {len(ratios)} valid round(s): list --port / bare dump ="
              f" {statistics.median(ratios):.2f} (goal <= 0.35)")
EOF

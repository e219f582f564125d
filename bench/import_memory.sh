#!/usr/bin/env bash
# Peak memory of `connwatch import` on a capture of any size (issue 12: at most 64 MiB, 2 million
# distinct peers included, same counts): writes ROWS lines of `netstat -ntu` text (default
# 13,000,000, about 1 GB) whose remote addresses cycle over PEERS distinct IPv4 addresses
# (default 2,000,000), imports it, and checks that the per-state totals equal what awk counts in
# the same file. Needs about 1.2 GB of free disk in TMPDIR.
#   bench/import_memory.sh [ROWS [PEERS]]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-13000000}
peers=${2:-2000000}
bin=build/connwatch
[ -x "$bin" ] || ninja -C build >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk -v n="$rows" -v peers="$peers" 'BEGIN {
  print "Active Internet connections (w/o servers)"
  print "Proto Recv-Q Send-Q Local Address           Foreign Address         State"
  split("ESTABLISHED ESTABLISHED ESTABLISHED ESTABLISHED ESTABLISHED TIME_WAIT TIME_WAIT CLOSE_WAIT SYN_RECV", st, " ")
  for (i = 0; i < n; i++) {
    p = i % peers
    printf "tcp        0      0 10.0.0.1:%-14d %d.%d.%d.%d:%-9d %s\n", 443, 11 + int(p / 65536) % 200, int(p / 256) % 256, p % 256, 1 + i % 250, 1024 + i % 60000, st[i % 9 + 1]
  }
}' >"$tmp/netstat.txt"
echo "input: $(wc -l <"$tmp/netstat.txt") lines, $(du -h "$tmp/netstat.txt" | cut -f1), $peers distinct peers"
awk 'NR > 2 {n[$6]++} END {for (s in n) print s, n[s]}' "$tmp/netstat.txt" | sort >"$tmp/want"
/usr/bin/time -v "$bin" import --json "$tmp/netstat.txt" >"$tmp/out.json" 2>"$tmp/time" || true
python3 - "$tmp/out.json" <<'PY' | sort >"$tmp/got"
import json, sys
d = json.load(open(sys.argv[1]))
for state, n in d["states"].items():
    if n:
        print(state, n)
PY
if diff -u "$tmp/want" "$tmp/got"; then echo "counts: equal to awk's"; else echo "counts: DIFFER"; fi
awk -F': ' '/Maximum resident/ {printf "peak RSS %.1f MiB\n", $2 / 1024} /Elapsed/ {print "wall " $2} /User time/ {print "user " $2 " s"}' "$tmp/time"

#!/usr/bin/env bash
# Memory of `connwatch import` on a capture of any size (issue 12): LINES lines of netstat -ntu
# text (default 13,000,000, about 1 GB) with PEERS distinct remote addresses (default 2,000,000),
# generated on the fly and piped in, so the capture never sits on disk. Prints the input size,
# the counts connwatch found (they must equal what was generated), wall time and peak RSS.
#   bench/import_memory.sh [LINES [PEERS]]
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-13000000}
peers=${2:-2000000}
[ -x build/connwatch ] || ninja -C build >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gen() {
  awk -v n="$lines" -v peers="$peers" 'BEGIN {
    print "Active Internet connections (w/o servers)"
    print "Proto Recv-Q Send-Q Local Address           Foreign Address         State"
    split("ESTABLISHED ESTABLISHED ESTABLISHED ESTABLISHED ESTABLISHED TIME_WAIT TIME_WAIT CLOSE_WAIT", st, " ")
    for (i = 0; i < n; i++) {
      p = i % peers
      printf "tcp        0      0 192.0.2.1:%-13d 10.%d.%d.%d:%-11d %s\n", 443, int(p / 65536) % 256, int(p / 256) % 256, p % 256, 1024 + i % 60000, st[i % 8 + 1]
    }
  }'
}
gen | wc -c >"$tmp/bytes" &
start=$(date +%s.%N)
gen | /usr/bin/time -v -o "$tmp/time" build/connwatch import --json - >"$tmp/out.json"
end=$(date +%s.%N)
wait
python3 - "$tmp/out.json" "$lines" "$(cat "$tmp/bytes")" "$start" "$end" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
lines, size, t = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[5]) - float(sys.argv[4])
print("input: %d lines, %.0f MB; connwatch counted %d (%s); %.1f s" % (
    lines, size / 1e6, doc["total"], doc["states"], t))
assert doc["total"] == lines, "counted %d of %d lines" % (doc["total"], lines)
PY
awk -F': ' '/Maximum resident/ {print "peak RSS " $2 " KiB"}' "$tmp/time"

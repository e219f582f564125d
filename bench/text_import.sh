#!/usr/bin/env bash
# Times the saved-text parser (the input of `connwatch import`) on N lines of netstat -ntu text
# (default 235,000, the size of the list benchmark's socket table): hyperfine median and peak
# RSS. Uses build/tests/text_table, which parses the file and prints it as `list` does.
#   bench/text_import.sh [LINES]
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-235000}
tool=build/tests/text_table
[ -x "$tool" ] || ninja -C build >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk -v n="$lines" 'BEGIN {
  print "Active Internet connections (w/o servers)"
  print "Proto Recv-Q Send-Q Local Address           Foreign Address         State"
  split("ESTABLISHED ESTABLISHED ESTABLISHED ESTABLISHED ESTABLISHED TIME_WAIT TIME_WAIT CLOSE_WAIT", st, " ")
  for (i = 0; i < n; i++) {
    s = st[i % 8 + 1]
    if (i % 3 == 0)
      printf "tcp6       0      0 ::1:%-19d ::1:%-19d %s\n", 1024 + i % 60000, 2000 + i % 50000, s
    else
      printf "tcp        0      0 127.0.%d.%d:%-11d 127.0.0.1:%-13d %s\n", i % 250, i % 200 + 1, 1024 + i % 60000, 3306, s
  }
}' >"$tmp/netstat.txt"
echo "input: $(wc -l <"$tmp/netstat.txt") lines, $(du -h "$tmp/netstat.txt" | cut -f1)"
hyperfine --warmup 1 --runs 10 --export-json "$tmp/h.json" "$tool $tmp/netstat.txt >/dev/null" >/dev/null
python3 - "$tmp/h.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(f"median {r['median']*1000:.0f} ms, user {r['user']*1000:.0f} ms, system {r['system']*1000:.0f} ms (mean)")
PY
/usr/bin/time -v "$tool" "$tmp/netstat.txt" 2>&1 >/dev/null | awk -F': ' '/Maximum resident/ {print "peak RSS " $2 " KiB"}'

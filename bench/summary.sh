#!/usr/bin/env bash
# What `connwatch summary` costs next to `connwatch list`, `ss -tan`, `ss -s` and `netstat -ntu`
# on the same table: N established loopback connections (2N sockets) + TW TIME_WAIT + CW
# CLOSE_WAIT, in a private network namespace. Medians of hyperfine runs, peak RSS from GNU time.
#
#   bench/summary.sh [N [TW [CW [RUNS]]]]     (defaults: 20000 5000 1000 10)
#
# Needs root (unshare -n), hyperfine, ss, netstat, python3, /usr/bin/time and build/connwatch.
set -euo pipefail
. "$(dirname "$0")/table.sh"
table_describe
table_medians list "$CONNWATCH list -t" "$CONNWATCH summary -t" "$CONNWATCH summary -t --json" \
  "ss -tan" "ss -s" "netstat -nt"
# User-space cost alone: the same kernel replies, recorded once, replayed to both commands.
"$CONNWATCH" list -t --record "$out/rec" >/dev/null
hyperfine -N -w 1 -r "$RUNS" --export-json "$out/r.json" \
  "$CONNWATCH list -t --replay $out/rec" "$CONNWATCH summary -t --replay $out/rec" >/dev/null
python3 - "$out/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
for x in r:
    print("replayed: `connwatch %s`: median %.1f ms (%.2fx list)" % (x["command"].split()[1],
          x["median"] * 1000, x["median"] / r[0]["median"]))
PY
for cmd in "list -t" "summary -t"; do
  /usr/bin/time -v -o "$out/t" "$CONNWATCH" $cmd >/dev/null 2>&1
  echo "peak RSS connwatch $cmd: $(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$out/t") KiB"
done

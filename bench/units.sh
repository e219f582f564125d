#!/usr/bin/env bash
# Issue 14's cost goal: `connwatch list -p` with units and containers (each owner's
# /proc/PID/cgroup read once) against `connwatch list -p` of a build without them, at 100,000
# established loopback connections. The populator is moved into a cgroup named like a systemd
# service, so that the unit is really read and shown. Goal: ratio <= 1.2.
#
#   flock /tmp/connwatch-bench.lock bench/units.sh -b BASELINE_CONNWATCH [-n CONNECTIONS] [-k RUNS]
#     -b  the connwatch binary to compare with (a build of the commit before units)
#     -n  connections (populate -n)                 (default 100000)
#     -k  hyperfine runs per command after 1 warm-up (default 5)
#
# Needs root (unshare -n, cgroups), hyperfine and a built tree (ninja -C build).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
BASE="" SIZE=100000 RUNS=5
while getopts "b:n:k:" opt; do
  case $opt in
    b) BASE=$OPTARG ;;
    n) SIZE=$OPTARG ;;
    k) RUNS=$OPTARG ;;
    *) sed -n '2,11p' "$0" >&2; exit 2 ;;
  esac
done
[ -x "$BASE" ] || bench_die "-b BASELINE: the connwatch binary to compare with"
command -v hyperfine >/dev/null || bench_die "hyperfine is missing (scripts/dev.sh deps installs it)"
bench_in_netns -b "$BASE" -n "$SIZE" -k "$RUNS"
CG=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
[ -n "$CG" ] || bench_die "no cgroup2 hierarchy mounted"
slice="$CG/cwbench$$.slice"
mkdir -p "$slice/populate.service"
bench_populate -n "$SIZE" -w 0 -t 3600
# populate forks helpers that hold sockets too: the whole family goes into the unit.
for p in "$POP_PID" $(ps -o pid= --ppid "$POP_PID"); do
  echo "$p" >"$slice/populate.service/cgroup.procs"
done
trap 'bench_stop_populator; rmdir "$slice/populate.service" "$slice" 2>/dev/null' EXIT
"$CONNWATCH" list -p | sed -n 2p | grep -q "populate.service" ||
  bench_die "the unit is not shown: $("$CONNWATCH" list -p | sed -n 1,3p)"
echo "date=$(date -u +%FT%TZ) commit=$(git -C "$HERE/.." rev-parse --short HEAD) loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"
echo "populate: $POP_READY; sockets: $(ss -tanH | wc -l)"
out=$(mktemp)
hyperfine -N --warmup 1 --runs "$RUNS" --style basic --export-json "$out" \
  "$BASE list -p" "$CONNWATCH list -p" "$CONNWATCH list"
python3 - "$out" <<'PY'
import json, statistics, sys
res = json.load(open(sys.argv[1]))["results"]
base, units, plain = (statistics.median(r["times"]) for r in res)
cpu = [r["user"] + r["system"] for r in res]
print(f"median wall: before {base:.3f} s, with units {units:.3f} s, list without -p {plain:.3f} s")
print(f"ratio with units / before: {units / base:.2f} (goal <= 1.2: {'met' if units / base <= 1.2 else 'NOT met'}); "
      f"CPU ratio {cpu[1] / cpu[0]:.2f}")
PY
echo "loadavg after: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -f "$out"

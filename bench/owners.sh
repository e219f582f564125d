#!/usr/bin/env bash
# Owners (-p) through the BPF task-file iterator (issue 12, section 5): `connwatch list -p` with
# the iterator, the same without it (the /proc walk: CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN
# dropped, as a user without them gets), and `connwatch list`, against the bare dump, in the
# same run on the same table, in a private network namespace.
#
#   bench/owners.sh [-n N] [-w TIME_WAIT] [-c CLOSE_WAIT] [-r RUNS]
#                                              (defaults: 110000 0 2000 5: 224,000 sockets)
#
# build/bench/populate holds N loopback connections (both ends held, spread over child
# processes under the 20,000-fd limit: 13 at N=110,000), CLOSE_WAIT pairs and TIME_WAIT
# sockets (none by default: they have no owner, and they expire 60 s after READY, shorter than
# the /proc walk's runs; the script says whether the table was still whole at its end). hyperfine (-N, 1 warm-up, RUNS runs)
# times the four commands; then both -p outputs are compared: every socket with an owner has
# the same pid both ways. Run it under `flock /tmp/connwatch-bench.lock bench/owners.sh`. Needs
# root, hyperfine, setpriv, jq, python3 and a tree built with the fast path.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

N=110000 TW=0 CW=2000 RUNS=5
while getopts "n:w:c:r:" o; do
  case $o in
    n) N=$OPTARG ;;
    w) TW=$OPTARG ;;
    c) CW=$OPTARG ;;
    r) RUNS=$OPTARG ;;
    *) bench_die "usage: bench/owners.sh [-n N] [-w TIME_WAIT] [-c CLOSE_WAIT] [-r RUNS]" ;;
  esac
done
bench_need_bpf
bench_need hyperfine setpriv jq python3
bench_in_netns "$@"
OUT=$(mktemp -d)
trap 'bench_stop_populator; rm -rf "$OUT"' EXIT
bench_populate -n "$N" -w "$TW" -c "$CW" -t 600
trap 'bench_stop_populator; rm -rf "$OUT"' EXIT # bench_populate set its own
READY_AT=$(date +%s)
SOCKETS=$(bench_socket_count)
echo "date=$(date -u +%FT%TZ) nproc=$(nproc) kernel=$(uname -r) load=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
echo "connwatch=$("$CONNWATCH" --version | head -1) commit=$(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo ?)"
echo "table: $POP_READY; sockets in the default list request: $SOCKETS"

WALK="setpriv --inh-caps=-bpf,-perfmon,-sys_admin --bounding-set=-bpf,-perfmon,-sys_admin"
hyperfine -N -w 1 -r "$RUNS" --style basic --export-json "$OUT/owners.json" \
  "$BARE_DUMP -s 0xfff" \
  "$CONNWATCH list" \
  "$CONNWATCH list -p" \
  "$WALK $CONNWATCH list -p" >/dev/null 2>"$OUT/hyperfine.err" ||
  bench_die "hyperfine failed: $(cat "$OUT/hyperfine.err")"
"$CONNWATCH" list -p --json >"$OUT/bpf.json"
$WALK "$CONNWATCH" list -p --json >"$OUT/walk.json"
now=$(bench_socket_count)
echo "table at the end ($(($(date +%s) - READY_AT)) s after READY): $now sockets$([ "$now" -ge $((SOCKETS * 95 / 100)) ] && echo ", still the table measured" || echo ": CHANGED, TIME_WAIT expired during the run")"
python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
r = json.load(open(out + "/owners.json"))["results"]
bare, plain, bpf, walk = (x["median"] for x in r)
# CPU: hyperfine's mean user + system time of the same runs (the wall time waits for a core
# when the machine is loaded; the CPU time does not)
cbare, cplain, cbpf, cwalk = (x["user"] + x["system"] for x in r)
names = ["`bare_dump -s 0xfff`", "`connwatch list`", "`connwatch list -p` (BPF task-file iterator)",
         "`connwatch list -p` without CAP_BPF (/proc walk)"]
print("| command | median ms | vs bare dump | vs `list` | CPU ms | CPU vs bare | CPU vs `list` |")
print("|---|---|---|---|---|---|---|")
for name, m, c in zip(names, (bare, plain, bpf, walk), (cbare, cplain, cbpf, cwalk)):
    print("| %s | %.1f | %.2fx | %.2fx | %.1f | %.2fx | %.2fx |" % (name, m * 1000, m / bare, m / plain,
          c * 1000, c / cbare, c / cplain))
def owners(path):
    return {c["inode"]: c.get("pid") for c in json.load(open(path))["connections"] if c["inode"]}
a, b = owners(out + "/bpf.json"), owners(out + "/walk.json")
owned = sum(1 for p in a.values() if p)
same = sum(1 for i in a if a[i] and a[i] == b.get(i))
print("owners: %d sockets with an inode, %d with an owner through the iterator, %d the same pid "
      "through the /proc walk, %d processes" % (len(a), owned, same, len({p for p in a.values() if p})))
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

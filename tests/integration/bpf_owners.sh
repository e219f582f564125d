#!/usr/bin/env bash
# -p through the BPF task-file iterator gives the same owners as the /proc walk: every socket
# of 21,000, held by several processes (the benchmark's populator and owners.py's renamed
# children), has the same pid both ways (one of its holders when processes share it, as the walk
# also picks one), and the iterator path reads no fd link at all. At this size (above list's
# 20,000) list runs the iterator on a second thread during the dump (owners_bpf_start).
set -u
. "$(dirname "$0")/lib.sh"
need_tool jq
need_tool strace
need_tool setpriv
need_tool python3
"$CONNWATCH" --version | grep -q "BPF fast path: built in" ||
  skip "connwatch was built without the BPF fast path (apt-get install libbpf-dev bpftool clang)"
POPULATE=$(cd "$(dirname "$CONNWATCH")" && pwd)/bench/populate
[ -x "$POPULATE" ] || skip "$POPULATE is not built"
in_private_netns "$@"
tmp=$(mktemp -d)
PIDS=
on_exit 'kill $PIDS 2>/dev/null; wait $PIDS 2>/dev/null; rm -rf "$tmp"'
hold() { # NAME COMMAND...
  local name=$1
  shift
  "$@" >"$tmp/$name.out" 2>&1 &
  PIDS="$PIDS $!"
  for _ in $(seq 300); do
    grep -q READY "$tmp/$name.out" && return 0
    sleep 0.1
  done
  fail "holder $name not ready: $(cat "$tmp/$name.out")"
}
hold populate "$POPULATE" -n 10500 -c 50 -w 0 -6 20 -f 1500 -t 120
hold owners python3 "$HERE/owners.py"

# LeakSanitizer cannot run under ptrace; ASan and UBSan still check these runs.
traced() {
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    strace -f -qq -e trace=readlinkat,clone,clone3 -o "$1" "${@:2}"
}
traced "$tmp/bpf.trace" "$CONNWATCH" list -t -a -p --json >"$tmp/bpf.json" || fail "list -p failed"
traced "$tmp/walk.trace" setpriv --inh-caps=-bpf,-perfmon,-sys_admin \
  --bounding-set=-bpf,-perfmon,-sys_admin "$CONNWATCH" list -t -a -p --json >"$tmp/walk.json" ||
  fail "list -p without CAP_BPF failed"
links_bpf=$(grep -c 'socket:\[' "$tmp/bpf.trace")
links_walk=$(grep -c 'socket:\[' "$tmp/walk.trace")
[ "$links_bpf" -eq 0 ] || fail "the iterator path read $links_bpf fd links"
grep -q 'clone3\?(' "$tmp/bpf.trace" || fail "the iterator did not run on a thread of its own"
owned=$(jq '[.connections[] | select(.pid != null)] | length' "$tmp/walk.json")
[ "$links_walk" -ge "$owned" ] && [ "$owned" -ge 4000 ] ||
  fail "the walk found $owned owners reading $links_walk socket links: was it a walk?"

# Who holds each socket inode, straight from /proc, after both runs (the table is held still).
python3 - "$tmp/bpf.json" "$tmp/walk.json" <<'PY' || fail "owners differ"
import json, os, re, sys
holders = {}
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        continue
    for fd in fds:
        try:
            m = re.fullmatch(r"socket:\[(\d+)\]", os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            continue
        if m:
            holders.setdefault(int(m.group(1)), set()).add(int(pid))
def owners(path):
    return {c["inode"]: c.get("pid") for c in json.load(open(path))["connections"] if c["inode"]}
bpf, walk = owners(sys.argv[1]), owners(sys.argv[2])
if bpf.keys() != walk.keys():
    sys.exit(f"different sockets: {len(bpf)} vs {len(walk)}")
bad = [(i, bpf[i], walk[i], sorted(holders.get(i, ()))) for i in bpf
       if bpf[i] not in holders.get(i, ()) or walk[i] not in holders.get(i, ())
       or (len(holders.get(i, ())) == 1 and bpf[i] != walk[i])]
if bad:
    sys.exit(f"{len(bad)} sockets with other owners (inode, bpf, walk, holders): {bad[:10]}")
shared = sum(1 for i in bpf if len(holders.get(i, ())) > 1)
pids = {p for p in bpf.values()}
if len(bpf) < 4000 or len(pids) < 4:
    sys.exit(f"too small a comparison: {len(bpf)} sockets, {len(pids)} processes")
print(f"{len(bpf)} sockets, {len(pids)} processes, {shared} shared: same owners")
PY
echo ok

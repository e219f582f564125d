#!/usr/bin/env bash
# `connwatch import` runs the summary and the diagnosis on saved netstat/ss text:
#  - the user's example (15 connections, ESTABLISHED 11 = 9 tcp + 2 udp, TIME_WAIT 2 with one
#    tcp6, SYN_RECV 1, CLOSING 1; 127.0.0.1 the busiest remote IP with 6), from a file and stdin;
#  - netstat -ntu and ss -tanu output of real sockets (a CLOSE_WAIT leak, in a private network
#    namespace) gives the same counts as `summary` on the live sockets, and the close_wait warning;
#  - unreadable lines are named with their line number, skipped, and exit 3.
set -u
. "$(dirname "$0")/lib.sh"
need_tool python3
need_tool netstat
need_tool ss
in_private_netns "$@"
EXAMPLE=$FIXTURES/user-example/netstat-ntu.txt

check_example() {
  JSON=$1 python3 - <<'PY' || fail "user example summary is wrong: $1"
import json, os
d = json.loads(os.environ["JSON"])
assert d["version"] == 1 and d["total"] == 15, d
assert d["states"] == {"ESTABLISHED": 11, "TIME_WAIT": 2, "SYN_RECV": 1, "CLOSING": 1}, d["states"]
p = d["protocols"]
assert p["tcp"]["ESTABLISHED"] + p["tcp6"].get("ESTABLISHED", 0) == 9, p
assert p["udp"]["ESTABLISHED"] + p["udp6"].get("ESTABLISHED", 0) == 2, p
assert p["tcp6"]["TIME_WAIT"] == 1 and p["tcp"]["TIME_WAIT"] == 1, p
assert d["remote_ips"][0] == {"address": "127.0.0.1", "count": 6}, d["remote_ips"]
assert d["warnings"] == [], d["warnings"]
PY
}
check_example "$("$CONNWATCH" import --json "$EXAMPLE")"
check_example "$("$CONNWATCH" import --json - <"$EXAMPLE")"
check_example "$("$CONNWATCH" import --json <"$EXAMPLE")"
"$CONNWATCH" import "$EXAMPLE" | grep -q "^ESTABLISHED  *9  *0  *2  *0  *11$" ||
  fail "text summary of the example lacks the ESTABLISHED row"

# Real sockets, saved as an operator would, then imported.
start_holder python3 "$HERE/diag_load.py" closewait 8082 250
live=$("$CONNWATCH" summary --json) || fail "summary failed"
saved_netstat=$(netstat -ntu) || fail "netstat failed"
saved_ss=$(ss -tanu) || fail "ss failed"
for saved in "$saved_netstat" "$saved_ss"; do
  json=$("$CONNWATCH" import --json <<<"$saved") || fail "import failed: $saved"
  python3 "$HERE/diag_check.py" warning close_wait <<<"$json" port=8082 count=250 || exit 1
  LIVE=$live JSON=$json python3 - <<'PY' || fail "import and summary disagree"
import json, os
live, imp = json.loads(os.environ["LIVE"]), json.loads(os.environ["JSON"])
# ss -tanu also shows the listener and unconnected UDP; compare the connected states.
drop = {"LISTEN", "UNCONN"}
a = {k: v for k, v in live["states"].items() if k not in drop}
b = {k: v for k, v in imp["states"].items() if k not in drop}
assert a == b, (a, b)
assert live["remote_ips"] == imp["remote_ips"], (live["remote_ips"], imp["remote_ips"])
PY
done

# Unreadable lines: named with their number, skipped, exit 3; the good rows still count.
bad=$(mktemp)
{ head -5 "$EXAMPLE"; printf 'tcp 0 0 999.1.1.1:80 1.2.3.4:5 ESTABLISHED\n'; tail -n +6 "$EXAMPLE"; } >"$bad"
json=$("$CONNWATCH" import --json "$bad" 2>"$bad.err")
rc=$?
[ $rc -eq 3 ] || fail "import of a bad line exited $rc, want 3"
grep -q "$bad:6:" "$bad.err" || fail "bad line not named with its number: $(cat "$bad.err")"
JSON=$json python3 -c 'import json,os; d=json.loads(os.environ["JSON"]); assert d["total"]==15 and d["skipped"]==1, d' ||
  fail "good rows not counted around the bad line"
# A missing file is a runtime error that names it.
"$CONNWATCH" import /nonexistent/x.txt 2>"$bad.err"
[ $? -eq 1 ] || fail "missing file: wrong exit code"
grep -q "/nonexistent/x.txt" "$bad.err" || fail "missing file not named"
rm -f "$bad" "$bad.err"
echo ok

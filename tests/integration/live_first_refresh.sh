#!/usr/bin/env bash
# The live view tells the truth on its first refresh (issue 13): sockets that were already in
# CLOSE_WAIT, FIN_WAIT2 or TIME_WAIT before it started show the age the kernel knows (tcp_info,
# timers), not "0s+", and a CLOSE_WAIT leak older than the threshold warns on refresh 1, also
# with `-c 1`. The age threshold is lowered to 1 s so the test need not wait the default minute.
set -u
. "$(dirname "$0")/lib.sh"
need_tool python3
in_private_netns "$@"
tmp=$(mktemp -d)

start_holder python3 "$HERE/diag_load.py" closewait 8083 60
python3 "$HERE/time_wait_maker.py" 5 >"$tmp/tw" 2>&1 &
TW_PID=$!
on_exit 'kill $HOLDER_PID $TW_PID 2>/dev/null; rm -rf "$tmp"'
for _ in $(seq 100); do grep -q READY "$tmp/tw" && break; sleep 0.1; done
grep -q READY "$tmp/tw" || fail "time_wait_maker not ready: $(cat "$tmp/tw")"
sleep 2.5 # every socket of the pattern is now at least 2.5 s in its state

"$CONNWATCH" live --json -c 1 --threshold close_wait_age=1 >"$tmp/json" 2>"$tmp/err" ||
  fail "live --json -c 1 failed: $(cat "$tmp/err")"
python3 - "$tmp/json" <<'PY' || fail "first refresh does not know the ages"
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
assert len(docs) == 1 and docs[0]["refresh"] == 1, docs
d = docs[0]
ids = [w["id"] for w in d["warnings"]]
assert "close_wait" in ids, ("no close_wait warning on refresh 1", ids)
w = [w for w in d["warnings"] if w["id"] == "close_wait"][0]
assert w["evidence"]["port"] == 8083 and w["evidence"]["hanging"] == 60, w["evidence"]
assert 2 <= w["evidence"]["oldest_s"] < 60, w["evidence"]
seen = {"CLOSE_WAIT": 0, "FIN_WAIT2": 0, "TIME_WAIT": 0}
for c in d["connections"]:
    if c["state"] in seen:
        seen[c["state"]] += 1
        assert c["seen_at_start"], c
        assert c["state_age_from_kernel"], c
        assert 2000 <= c["state_age_ms"] < 60000, c
assert seen == {"CLOSE_WAIT": 60, "FIN_WAIT2": 60, "TIME_WAIT": 5}, seen
PY

# The screen's text form: the first block warns and shows real ages, no "0s+" for the leak.
"$CONNWATCH" live --plain -c 1 --threshold close_wait_age=1 >"$tmp/plain" 2>"$tmp/err" ||
  fail "live --plain -c 1 failed: $(cat "$tmp/err")"
grep -q "Warnings: none" "$tmp/plain" && fail "first refresh says no warnings: $(head -c 2000 "$tmp/plain")"
grep -q "close_wait\|CLOSE_WAIT.*8083\|8083.*CLOSE_WAIT" "$tmp/plain" || fail "no leak warning: $(head -c 2000 "$tmp/plain")"
grep "CLOSE_WAIT" "$tmp/plain" | grep -q " 0s+" && fail "CLOSE_WAIT rows show 0s+: $(head -c 2000 "$tmp/plain")"
grep "CLOSE_WAIT" "$tmp/plain" | grep -Eq " ([2-9]|[1-5][0-9])s( |$)" || fail "CLOSE_WAIT age not shown: $(head -c 2000 "$tmp/plain")"

# Without the lowered threshold the young leak does not warn (the defaults want a minute).
"$CONNWATCH" live --json -c 1 >"$tmp/json" 2>"$tmp/err" || fail "live failed: $(cat "$tmp/err")"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "close_wait" not in [w["id"] for w in d["warnings"]], d["warnings"]' "$tmp/json" ||
  fail "a 3 s old leak warned with the default 60 s age"
echo ok

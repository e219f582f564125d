#!/usr/bin/env bash
# The live view as a stream: `-c 3 --json` gives three valid documents; a connection opened
# between refreshes is marked new in the next one (and only there); --plain prints a block per
# refresh; piped into head it ends quietly with status 0.
set -u
. "$(dirname "$0")/lib.sh"
need_tool python3
in_private_netns "$@"

start_holder python3 "$HERE/sockets.py"
tmp=$(mktemp -d)
# Waits for hold_one.py's READY line (python can start slowly on a loaded machine).
wait_one_ready() {
  for _ in $(seq 200); do grep -q READY "$tmp/one" && return 0; sleep 0.05; done
  fail "hold_one.py not ready after 10 s: $(cat "$tmp/one")"
}
on_exit 'kill $HOLDER_PID ${ONE_PID:-} 2>/dev/null; rm -rf "$tmp"'

# 1. Three documents, each valid JSON with the documented fields, refresh numbers 1..3.
"$CONNWATCH" live --json -c 3 -i 0.2 >"$tmp/three" 2>"$tmp/err" || fail "live --json -c 3 failed: $(cat "$tmp/err")"
[ -s "$tmp/err" ] && fail "unexpected stderr: $(cat "$tmp/err")"
python3 - "$tmp/three" <<'PY' || fail "documents are not as documented"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 3, f"{len(lines)} lines"
docs = [json.loads(l) for l in lines]
for n, d in enumerate(docs, 1):
    assert d["version"] == 1 and d["refresh"] == n, d
    for k in ("time", "hostname", "interval_s", "counts", "changes", "total", "listening",
              "read", "connections"):
        assert k in d, k
    # total as every command counts it (docs/json.md): the connections, not the listeners read
    assert d["total"] == sum(d["counts"].values()), d
    assert d["listening"] >= 1 and d["read"] >= d["total"] + d["listening"], d
    assert d["counts"].get("ESTABLISHED", 0) >= 6, d["counts"]
    assert d["counts"].get("CLOSE_WAIT", 0) == 2, d["counts"]
    for c in d["connections"]:
        for k in ("proto", "local_address", "local_port", "state", "new", "changed", "age_ms",
                  "state_age_ms", "seen_at_start"):
            assert k in c, (k, c)
        assert c["state"] != "LISTEN", c
assert all(not c["new"] for d in docs for c in d["connections"]), "new rows in a still table"
assert docs[2]["connections"][0]["age_ms"] >= 300, docs[2]["connections"][0]
PY

# 2. A connection opened after the first document is new in the second, not new in the third.
HOLD_ONE_TRIGGER=$tmp/go python3 "$HERE/hold_one.py" 30 >"$tmp/one" &
ONE_PID=$!
for _ in $(seq 200); do grep -q WAITING "$tmp/one" && break; sleep 0.05; done
"$CONNWATCH" live --json -c 3 -i 1 >"$tmp/seq" 2>"$tmp/err" &
LIVE_PID=$!
for _ in $(seq 200); do [ -s "$tmp/seq" ] && break; sleep 0.02; done
[ -s "$tmp/seq" ] || fail "no first document"
touch "$tmp/go"
wait_one_ready
read -r _ cport sport < <(grep READY "$tmp/one")
wait $LIVE_PID || fail "live --json -c 3 -i 1 failed: $(cat "$tmp/err")"
python3 - "$tmp/seq" "$cport" "$sport" <<'PY' || fail "the new connection was not marked as new once"
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
ports = {int(sys.argv[2]), int(sys.argv[3])}
def mine(d):
    return [c for c in d["connections"] if c["local_port"] in ports and c["remote_port"] in ports]
assert len(docs) == 3
assert mine(docs[0]) == [], "seen before it was opened"
assert len(mine(docs[1])) == 2 and all(c["new"] and c["age_ms"] == 0 for c in mine(docs[1])), mine(docs[1])
assert docs[1]["changes"]["new"] == 2, docs[1]["changes"]
assert len(mine(docs[2])) == 2 and not any(c["new"] for c in mine(docs[2])), mine(docs[2])
assert all(c["age_ms"] >= 900 for c in mine(docs[2])), mine(docs[2])
PY
kill $ONE_PID; wait $ONE_PID 2>/dev/null; ONE_PID=

# 3. Plain blocks: a watch-style header per refresh, the table, the counts.
"$CONNWATCH" live --plain -c 2 -i 0.1 >"$tmp/plain" || fail "--plain failed"
[ "$(grep -c '^Every 0.1s: connwatch' "$tmp/plain")" -eq 2 ] || fail "not two blocks: $(cat "$tmp/plain")"
grep -q '^Counts: ESTABLISHED' "$tmp/plain" || fail "no counts line: $(cat "$tmp/plain")"
grep -q 'CLOSE_WAIT  *[0-9]*s$' "$tmp/plain" || fail "no CLOSE_WAIT row with its kernel-told age (no '+'): $(cat "$tmp/plain")"
# Not a terminal: the same blocks without --plain.
"$CONNWATCH" -c 1 -i 0.1 </dev/null | grep -q '^Every 0.1s: connwatch' || fail "no plain block when piped"

# 4. Piped into head: no error, status 0, even without --count.
timeout 20 "$CONNWATCH" live --plain -i 0.1 2>"$tmp/err" | head -1 >/dev/null
st=("${PIPESTATUS[@]}")
[ "${st[0]}" -eq 0 ] || fail "live | head exited ${st[0]}: $(cat "$tmp/err")"
[ -s "$tmp/err" ] && fail "live | head wrote to stderr: $(cat "$tmp/err")"
timeout 20 "$CONNWATCH" live --json -i 0.1 2>"$tmp/err" | head -c 10 >/dev/null
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "live --json | head -c failed"

# 4b. The diagnosis runs at every refresh: warnings and top remote addresses are in each document.
"$CONNWATCH" live --json -c 2 -i 0.1 --threshold time_wait_total=1 >"$tmp/warn" || fail "--threshold failed"
python3 - "$tmp/warn" <<'PY' || fail "warnings or top addresses missing"
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    assert d["severity"] == "warning", d["severity"]
    assert [w["id"] for w in d["warnings"]] == ["time_wait"], d["warnings"]
    assert all(k in d["warnings"][0] for k in ("message", "evidence", "remedy")), d["warnings"][0]
    top = {t["address"]: t["count"] for t in d["top_remote_addresses"]}
    assert top.get("127.0.0.1", 0) >= 4 and top.get("::1", 0) >= 4, top
PY
"$CONNWATCH" live --plain -c 1 --threshold time_wait_total=1 | grep -q '^  \[warning\] time_wait: ' ||
  fail "--plain does not show the warning"

# 4c. -p: the owner of each socket, by pid and name, in every document.
# (the file of section 2 goes first: the redirection below happens in the background, and its
# old READY line could otherwise be read before it is truncated)
rm -f "$tmp/one"
python3 "$HERE/hold_one.py" 30 "$(printf 'cw\033[31mred')" >"$tmp/one" &
ONE_PID=$!
wait_one_ready
read -r _ cport sport < <(grep READY "$tmp/one")
"$CONNWATCH" live --json -p -c 1 >"$tmp/owners" || fail "live --json -p failed"
python3 - "$tmp/owners" "$HOLDER_PID" "$ONE_PID" "$cport" <<'PY' || fail "-p owners wrong"
import json, sys
d = json.loads(open(sys.argv[1]).read())
holder, one, cport = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
est = [c for c in d["connections"] if c["state"] == "ESTABLISHED" and c["proto"].startswith("tcp")]
assert any(c["pid"] == holder and c["process"] == "python3" for c in est), est
mine = [c for c in est if c["local_port"] == cport]
assert mine and mine[0]["pid"] == one and mine[0]["process"] == "cw\x1b[31mred", mine
assert all(c["pid"] is None for c in d["connections"] if c["state"] == "TIME_WAIT")
PY
"$CONNWATCH" live --plain -p -c 1 >"$tmp/owners.txt" || fail "live --plain -p failed"
grep -q "PID/Program name" "$tmp/owners.txt" || fail "no PID/Program column"
grep -qF "$ONE_PID/cw\x1b[31mred" "$tmp/owners.txt" || fail "hostile name not escaped: $(grep "$cport" "$tmp/owners.txt")"
grep -q $'\033' "$tmp/owners.txt" && fail "raw escape character in the output"
kill $ONE_PID; wait $ONE_PID 2>/dev/null; ONE_PID=

# 5. `live --help` shows the live view's options (live is also the default command); bad values
#    are usage errors.
"$CONNWATCH" live --help >"$tmp/help" || fail "live --help failed"
grep -q '^Usage: connwatch live ' "$tmp/help" || fail "live --help shows the overview: $(head -3 "$tmp/help")"
grep -q -- '--interval SECONDS' "$tmp/help" || fail "live --help does not list --interval"
"$CONNWATCH" --help | grep -q '^Without a command: live\.' || fail "--help does not say live is the default"
for bad in "-i -1" "-i abc" "-i 1e9" "-c 0" "-c x" "--sort bogus"; do
  # shellcheck disable=SC2086
  "$CONNWATCH" live $bad -c 1 >/dev/null 2>"$tmp/err"
  [ $? -eq 2 ] || fail "'live $bad' did not exit 2: $(cat "$tmp/err")"
  grep -q '^connwatch: ' "$tmp/err" || fail "'live $bad': no message"
done
echo "ok"

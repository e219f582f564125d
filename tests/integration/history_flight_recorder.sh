#!/usr/bin/env bash
# The flight recorder end to end, in a private namespace: `connwatch record` runs a refresh a
# second for about 30 s while a SYN flood on port 8080 starts after 10 s and a CLOSE_WAIT leak
# on port 8082 10 s later (the issue's minute, scaled by half). Then, on the replay:
#   - the table at second 5 has no SYN_RECV;
#   - `summary --at` the start of the leak (second 20 or later) reports syn_flood on 8080;
#   - `summary --from/--to` lists both warnings, first seen after their starts, in order;
#   - the SYN_RECV sparkline series of `live --replay --json` rises where the flood starts;
#   - a torn tail and a flipped byte: the good refreshes still replay, the damage is named
#     (file, byte offset), exit 3; the recorder continuing a torn file cuts the tail, says so.
# Every load is bounded (300 SYNs, 120 sockets; diag_load.py holds them at most 60 s).
set -u
. "$(dirname "$0")/lib.sh"
need_tool nft
need_tool python3
need_tool tmux
in_private_netns "$@"

tmp=$(mktemp -d)
pids=()
TM="tmux -L cw-hist-$$"
cleanup() {
  $TM kill-server 2>/dev/null
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
on_exit cleanup
nft -f - <<'NFT' || fail "cannot add the nft rule in the test namespace"
table inet cwtest {
  chain out { type filter hook output priority 0; tcp flags & rst == rst drop; }
}
NFT

rec=$tmp/ns.rec
now() { date +%s.%N; }
wait_ready() { # OUTFILE PID
  for _ in $(seq 200); do
    grep -q READY "$1" && return 0
    kill -0 "$2" 2>/dev/null || fail "load helper died: $(cat "$1")"
    sleep 0.1
  done
  fail "load helper not ready after 20 s"
}
# Times are taken around each step, so a slow, loaded machine only stretches the recording.
# The leak's age threshold is lowered to 1 s so it fires within this short recording.
started=$(now)
"$CONNWATCH" record "$rec" -i 1 --threshold close_wait_age=1 2>"$tmp/rec.err" &
rec_pid=$!
pids+=("$rec_pid")
sleep 10
flood_at=$(now)
python3 "$HERE/diag_load.py" synflood 8080 300 30 >"$tmp/flood.out" 2>&1 &
pids+=($!)
wait_ready "$tmp/flood.out" $!
flood_ready=$(now)
sleep 10
leak_at=$(now)
python3 "$HERE/diag_load.py" closewait 8082 120 >"$tmp/leak.out" 2>&1 &
pids+=($!)
wait_ready "$tmp/leak.out" $!
leak_ready=$(now)
sleep 8
# systemd stops the recorder with SIGTERM: it finishes the refresh at hand and exits 0.
kill -TERM "$rec_pid"
wait "$rec_pid" || fail "record exited $? on SIGTERM: $(cat "$tmp/rec.err")"
[ -s "$tmp/rec.err" ] && fail "record printed: $(cat "$tmp/rec.err")"
export FLOOD_AT=$flood_at FLOOD_READY=$flood_ready LEAK_AT=$leak_at LEAK_READY=$leak_ready

# Second 5: before the flood, no SYN_RECV in the table.
"$CONNWATCH" list -a --replay "$rec" --at +5s >"$tmp/at5" || fail "list --at +5s exited $?"
grep -q LISTEN "$tmp/at5" && fail "a listener at second 5: $(cat "$tmp/at5")"
grep -q SYN_RECV "$tmp/at5" && fail "SYN_RECV at second 5: $(cat "$tmp/at5")"
# The same second as epoch seconds and as a local date.
t5=$(python3 -c "import sys; print(int(float(sys.argv[1])) + 5)" "$started")
"$CONNWATCH" list -a --replay "$rec" --at "$t5" | grep -q SYN_RECV && fail "SYN_RECV at epoch $t5"
"$CONNWATCH" list -a --replay "$rec" --at "$(date -d "@$t5" '+%Y-%m-%d %H:%M:%S')" >/dev/null ||
  fail "--at with a local date"

# Just before the leak starts (second 20 or later): the flood is on, and summary --at
# diagnoses it from the recording.
at=${leak_at%.*}
json=$("$CONNWATCH" summary --replay "$rec" --at "$at" --json) || fail "summary --at $at exited $?"
python3 "$HERE/diag_check.py" warning syn_flood <<<"$json" port=8080 count=300 \
  distinct_sources=30 || exit 1
"$CONNWATCH" summary --replay "$rec" --at "$at" | grep -q "syn_flood: 300 .*8080" ||
  fail "text summary --at lacks syn_flood"
# At second 5 nothing fired.
json=$("$CONNWATCH" summary --replay "$rec" --at +5s --json) || fail "summary --at +5s exited $?"
python3 "$HERE/diag_check.py" none <<<"$json" || fail "warnings at second 5"

# The span: both warnings with their first times, after their starts, the flood first.
"$CONNWATCH" summary --replay "$rec" --from +0s --to -0s --json >"$tmp/span.json" ||
  fail "summary --from/--to exited $?"
python3 - "$tmp/span.json" <<'PY' || fail "span is wrong"
import json, os, sys
doc = json.load(open(sys.argv[1]))
e = {k: float(os.environ[k]) * 1000 for k in ("FLOOD_AT", "FLOOD_READY", "LEAK_AT", "LEAK_READY")}
w = {x["id"]: x for x in doc["warnings"]}
assert doc["refreshes"] >= 25, doc
assert set(w) >= {"syn_flood", "close_wait"}, doc
assert w["syn_flood"]["port"] == 8080 and w["close_wait"]["port"] == 8082, doc
# first seen after the load started, and within a few refreshes of it being in place
# (the leak needs its 1 s of age)
assert e["FLOOD_AT"] <= w["syn_flood"]["first_seen_ms"] <= e["FLOOD_READY"] + 4000, (e, doc)
assert e["LEAK_AT"] <= w["close_wait"]["first_seen_ms"] <= e["LEAK_READY"] + 6000, (e, doc)
assert w["syn_flood"]["first_seen_ms"] < w["close_wait"]["first_seen_ms"], doc
assert w["syn_flood"]["last_seen_ms"] >= w["close_wait"]["first_seen_ms"], doc
PY
"$CONNWATCH" summary --replay "$rec" --from +0s >"$tmp/span.txt" || fail "text span exited $?"
grep -q "syn_flood port 8080" "$tmp/span.txt" || fail "text span: $(cat "$tmp/span.txt")"
grep -q "close_wait port 8082" "$tmp/span.txt" || fail "text span: $(cat "$tmp/span.txt")"

# The SYN_RECV series rises where the flood starts.
"$CONNWATCH" live --replay "$rec" --json >"$tmp/live.ndjson" || fail "live --replay --json exited $?"
python3 - "$tmp/live.ndjson" <<'PY' || fail "sparkline series"
import calendar, json, os, sys, time
docs = [json.loads(l) for l in open(sys.argv[1])]
flood, ready = float(os.environ["FLOOD_AT"]), float(os.environ["FLOOD_READY"])
assert 25 <= len(docs) <= 60, len(docs)  # a minute of sparkline holds them all
series = docs[-1]["trend"]["syn_recv"]["values"]
assert len(series) == len(docs), series
rise = next(i for i, v in enumerate(series) if v > 0)
assert all(v == 0 for v in series[:rise]) and max(series[rise:]) >= 300, series
t = calendar.timegm(time.strptime(docs[rise]["time"], "%Y-%m-%dT%H:%M:%SZ"))
assert int(flood) <= t <= ready + 3, (flood, ready, t, series)
# each document carries the series up to its own refresh
assert docs[rise]["trend"]["syn_recv"]["values"][-1] == series[rise], docs[rise]["trend"]
assert docs[-1]["trend"]["syn_recv"]["per_minute"] is not None
# the replayed view shows the warnings as they were recorded
assert any(w["id"] == "syn_flood" for w in docs[-1]["warnings"]), docs[-1]["warnings"]
PY
"$CONNWATCH" live --replay "$rec" --plain | grep -q "^SYN_RECV " || fail "no trend in --plain"

# The replay on the screen (tmux): g goes to a time, ] to the first refresh with a warning (the
# one the JSON stream says), Left steps back one, [ finds none before; the header says REPLAY
# i/N and shows the recorded time.
total=$(wc -l <"$tmp/live.ndjson")
first_warn=$(python3 -c '
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
print(next(i + 1 for i, d in enumerate(docs) if d["warnings"]))' "$tmp/live.ndjson")
screen() { $TM capture-pane -p -t cw; }
wait_screen() { # PATTERN: until the screen shows it (grep -E), 10 s at most
  for _ in $(seq 100); do screen | grep -qE -- "$1" && return 0; sleep 0.1; done
  return 1
}
$TM new-session -d -s cw -x 160 -y 50 \
  "LC_ALL=C.UTF-8 TERM=xterm-256color $CONNWATCH live --replay $rec -i 0.2; echo LIVE-EXIT=\$?; sleep 60"
wait_screen "REPLAY [0-9]+/$total" || fail "no REPLAY header: $(screen)"
$TM send-keys -t cw g
wait_screen "Go to" || fail "g does not ask for a time: $(screen)"
$TM send-keys -t cw "+5s" Enter
wait_screen "REPLAY [0-9]+/$total +PAUSED" || fail "g did not pause on a refresh: $(screen)"
screen | head -2 | grep -q SYN_RECV && fail "SYN_RECV at second 5 on the screen: $(screen)"
k=$(screen | head -1 | sed -n 's/.*REPLAY \([0-9]*\)\/.*/\1/p')
when=$(date -d "$(sed -n "${k}p" "$tmp/live.ndjson" | python3 -c 'import json,sys; print(json.load(sys.stdin)["time"])')" +%H:%M:%S)
screen | head -1 | grep -q "$when" || fail "the header does not show refresh $k's recorded time ($when): $(screen | head -1)"
$TM send-keys -t cw "]"
wait_screen "REPLAY $first_warn/$total" || fail "] did not go to refresh $first_warn: $(screen)"
wait_screen "syn_flood" || fail "the warning is not on the screen: $(screen)"
$TM send-keys -t cw Left
wait_screen "REPLAY $((first_warn - 1))/$total" || fail "Left did not step back: $(screen)"
$TM send-keys -t cw "["
wait_screen "no refresh with a warning before this one" || fail "[ with none before: $(screen)"
sleep 0.5
$TM send-keys -t cw q # the first key may only close the message
sleep 0.5
$TM send-keys -t cw q
wait_screen "LIVE-EXIT=0" || fail "q did not end the replay with 0: $(screen)"
$TM kill-server 2>/dev/null

# A torn tail (the recorder killed mid-write): every whole refresh replays, the damage is
# named with the file and the byte, exit 3.
total=$(wc -l <"$tmp/live.ndjson")
size=$(stat -c %s "$rec")
head -c $((size - 7)) "$rec" >"$tmp/torn.rec"
"$CONNWATCH" summary --replay "$tmp/torn.rec" --from +0s >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 3 ] || fail "torn recording exited $rc: $(cat "$tmp/err")"
grep -q "syn_flood port 8080" "$tmp/out" || fail "torn recording lost the good refreshes"
grep -q "^$tmp/torn.rec: $((total - 1)) refreshes" "$tmp/out" || fail "torn: $(cat "$tmp/out")"
grep -q "^connwatch: $tmp/torn.rec: damaged at byte [0-9]*: the last refresh is cut short" \
  "$tmp/err" || fail "torn: unclear note: $(cat "$tmp/err")"
"$CONNWATCH" live --replay "$tmp/torn.rec" --json >"$tmp/out" 2>"$tmp/err"
[ $? -eq 3 ] || fail "live --replay of a torn recording did not exit 3"
[ "$(wc -l <"$tmp/out")" -eq $((total - 1)) ] || fail "live --replay of a torn recording: $(wc -l <"$tmp/out") refreshes"
# Recording on into it: the torn end is cut off with a note, the recording is whole again.
"$CONNWATCH" record "$tmp/torn.rec" -c 1 2>"$tmp/err" || fail "record into a torn file failed"
grep -q "cut short at byte" "$tmp/err" || fail "no note about the torn end: $(cat "$tmp/err")"
"$CONNWATCH" summary --replay "$tmp/torn.rec" --from +0s >/dev/null 2>&1 ||
  fail "the repaired recording does not read cleanly"

# A flipped byte in the middle: what comes before it replays, the byte offset is named.
cp "$rec" "$tmp/flip.rec"
python3 - "$tmp/flip.rec" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[len(b) // 2] ^= 0x20
open(p, "wb").write(b)
PY
"$CONNWATCH" summary --replay "$tmp/flip.rec" --from +0s >"$tmp/out" 2>"$tmp/err"
[ $? -eq 3 ] || fail "flipped byte: exit not 3: $(cat "$tmp/err")"
grep -q "$tmp/flip.rec: damaged at byte [0-9]*: checksum mismatch" "$tmp/err" ||
  fail "flipped byte: unclear note: $(cat "$tmp/err")"
"$CONNWATCH" list -a --replay "$tmp/flip.rec" --at +5s >/dev/null 2>"$tmp/err"
[ $? -eq 3 ] || fail "list --at before the damage did not exit 3"
# A time before the recording: a usage error.
"$CONNWATCH" list --replay "$rec" --at 1000000000 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "--at before the start: exit not 2"
grep -q "before the recording starts" "$tmp/err" || fail "--at before: $(cat "$tmp/err")"
echo ok

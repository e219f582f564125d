#!/usr/bin/env bash
# --replay of the recorded dump in tests/fixtures/netlink prints exactly what the live read printed
# when it was recorded (make-recording.sh saved both), through filters and JSON too; truncated or
# corrupt recordings are a clear error naming the file and record, exit 1, and print no rows.
# (The live record -> replay round trip is in handshake_close_states.sh, which has a namespace.)
set -u
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'
rec="$FIXTURES/netlink/loopback-states.rec"
live="$FIXTURES/netlink/loopback-states.txt"

"$CONNWATCH" list -a --replay "$rec" >"$tmp/out" 2>"$tmp/err" ||
  fail "replay of the fixture exited $?: $(cat "$tmp/err")"
diff -u "$live" "$tmp/out" >"$tmp/diff" || fail "replay differs from the live read: $(cat "$tmp/diff")"
[ -s "$tmp/err" ] && fail "replay printed on stderr: $(cat "$tmp/err")"

# Filters apply to replayed rows as to live ones.
"$CONNWATCH" list --replay "$rec" --state time-wait --no-header >"$tmp/out" || fail "filtered replay failed"
diff -u <(grep ' TIME_WAIT$' "$live") "$tmp/out" || fail "--state time-wait on the replay"
"$CONNWATCH" list -6 -t -l --replay "$rec" --no-header >"$tmp/out" || fail "-6 -t -l replay failed"
diff -u <(grep '^tcp6 .* LISTEN$' "$live") "$tmp/out" || fail "-6 -t -l on the replay"
"$CONNWATCH" list -a --json --replay "$rec" >"$tmp/json" || fail "JSON replay failed"
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["connections"]))' "$tmp/json") ||
  fail "replay JSON does not parse"
[ "$n" -eq $(($(wc -l <"$live") - 1)) ] || fail "JSON has $n connections"

expect_broken() { # FILE WHAT_THE_MESSAGE_SAYS
  "$CONNWATCH" list -a --replay "$1" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  [ $rc -eq 1 ] || fail "replay of $(basename "$1") exited $rc, expected 1: $(cat "$tmp/err")"
  grep -F "$1" "$tmp/err" | grep -q "^connwatch: .*$2" || fail "unclear error for $(basename "$1"): $(cat "$tmp/err")"
  [ -s "$tmp/out" ] && fail "rows printed from a broken recording: $(cat "$tmp/out")"
  return 0
}
size=$(stat -c %s "$rec")
head -c 6 "$rec" >"$tmp/cut-header.rec"
expect_broken "$tmp/cut-header.rec" "record 1: not a connwatch netlink recording"
head -c 100 "$rec" >"$tmp/cut-payload.rec"
expect_broken "$tmp/cut-payload.rec" "record 1: truncated"
head -c $((size - 12)) "$rec" >"$tmp/no-end.rec"
expect_broken "$tmp/no-end.rec" "truncated after record"
: >"$tmp/empty.rec"
expect_broken "$tmp/empty.rec" "empty file"
printf 'Proto Recv-Q Send-Q Local Address\n' >"$tmp/text.rec"
expect_broken "$tmp/text.rec" "not a connwatch netlink recording"
{ cat "$rec"; head -c 40 "$rec"; } >"$tmp/trailing.rec"
expect_broken "$tmp/trailing.rec" "after the end of the recording"
# A netlink length inside the first record that runs past it.
{ head -c 12 "$rec"; printf '\xff\xff\xff\x7f'; tail -c +17 "$rec"; } >"$tmp/nl-len.rec"
expect_broken "$tmp/nl-len.rec" "record 1: truncated netlink reply"
expect_broken "$tmp/missing.rec" "cannot open recording"
echo ok

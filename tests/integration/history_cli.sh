#!/usr/bin/env bash
# The recorder's and the replay's command line: a short recording of this machine's sockets
# round-trips through list, summary and live; bad uses are clear errors with the documented exit
# codes (2 usage, 1 a file that cannot be a recording). No namespace needed: nothing is sent.
set -u
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'
rec=$tmp/r.rec

"$CONNWATCH" record "$rec" -i 0.1 -c 3 2>"$tmp/err" || fail "record exited $?: $(cat "$tmp/err")"
[ -s "$tmp/err" ] && fail "record printed: $(cat "$tmp/err")"
head -c 8 "$rec" | od -c | grep -q "C   W   R   E   C" || fail "no magic at the start of the recording"
n=$("$CONNWATCH" live --replay "$rec" --json | wc -l) || fail "live --replay failed"
[ "$n" -eq 3 ] || fail "live --replay printed $n documents, expected 3"
"$CONNWATCH" list -a --replay "$rec" --at +0s >/dev/null || fail "list --at +0s"
"$CONNWATCH" summary --replay "$rec" --at -0s --json | python3 -c 'import json,sys; json.load(sys.stdin)' ||
  fail "summary --at --json is not JSON"
"$CONNWATCH" summary --replay "$rec" --from +0s | grep -q "3 refreshes" || fail "span text"
# A second run continues the same file.
"$CONNWATCH" record "$rec" -i 0.1 -c 2 || fail "record into an existing recording"
"$CONNWATCH" summary --replay "$rec" --from +0s | grep -q "5 refreshes" || fail "appending lost refreshes"

expect() { # EXIT MESSAGE COMMAND...
  local want=$1 msg=$2
  shift 2
  "$CONNWATCH" "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  [ $rc -eq "$want" ] || fail "connwatch $*: exit $rc, expected $want: $(cat "$tmp/err")"
  grep -q -- "$msg" "$tmp/err" || fail "connwatch $*: unclear message: $(cat "$tmp/err")"
}
expect 2 "which file" record
expect 2 "need --replay FILE" list --at +1s
expect 2 "not both" summary --replay "$rec" --at +0s --from +0s
expect 2 "needs --from" summary --replay "$rec" --to +0s
expect 2 "is not a time" summary --replay "$rec" --at yesterday
expect 2 "before the recording starts" list --replay "$rec" --at 1000000000
expect 2 "is not a size" record "$rec" --max-size 12
expect 2 "goes with --record" live --max-size 5M -c 1 --plain
old="$FIXTURES/netlink/loopback-states.rec"
expect 2 "one-snapshot netlink recording" list --replay "$old" --at +0s
expect 2 "this file is not one" summary --replay "$old" --from +0s
expect 1 "not a regular file" record /dev/null -c 1
printf 'Proto Recv-Q\n' >"$tmp/text"
expect 1 "not a recording connwatch can append to" record "$tmp/text" -c 1
# A recording of a future format version is refused by name, not misread.
{ head -c 8 "$rec"; printf '\x09\x00'; tail -c +11 "$rec"; } >"$tmp/v9.rec"
expect 1 "format version 9" list --replay "$tmp/v9.rec"
# The one-snapshot recordings of `list --record` still replay (record_replay.sh has the rest).
"$CONNWATCH" list -a --replay "$old" >/dev/null || fail "old recording no longer replays"
echo ok

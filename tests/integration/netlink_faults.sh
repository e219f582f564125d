#!/usr/bin/env bash
# A passing netlink failure does not end connwatch (issue 11, point 6). strace injects the errors
# into recvmsg, connwatch's only read of the socket dump (live and serve are told --source
# netlink: by default they would use the BPF iterator where it loads, which reads no netlink).
# A sample is a few dumps of one or two recvmsg each; the test counts them before it injects.
# - list retries a failed dump once; a second failure is a clear error (exit 1);
# - the live view notes the failed refresh, shows the last good one marked stale, and goes on;
# - record notes it, leaves it out of the recording, and goes on;
# - serve answers a scrape whose read failed with the last good metrics, marked stale;
# - EINTR on every recvmsg ends in an error, not an endless loop.
set -u
. "$(dirname "$0")/lib.sh"
need_tool strace
need_tool curl
in_private_netns "$@"
tmp=$(mktemp -d)
SERVE=
on_exit '[ -n "$SERVE" ] && kill $(pgrep -P $SERVE) $SERVE 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"'
# LeakSanitizer cannot run under ptrace; the rest of ASan and UBSan still check these runs.
inject() { # WHEN ERRNO COMMAND...
  local when=$1 errno=$2
  shift 2
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" timeout 60 \
    strace -f -qq -o /dev/null -e trace=recvmsg -e inject=recvmsg:error=$errno:when=$when "$@"
}

# The premise: one sample is three recvmsg calls here.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
  strace -f -qq -o "$tmp/trace" -e trace=recvmsg "$CONNWATCH" list -a >/dev/null ||
  fail "list under strace failed"
[ "$(grep -c recvmsg "$tmp/trace")" -eq 3 ] || fail "expected 3 recvmsg per sample: $(cat "$tmp/trace")"

# list: one failure is retried, two are an error.
inject 1 ENOBUFS "$CONNWATCH" list -a >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || fail "list after one ENOBUFS exited $rc: $(cat "$tmp/err")"
[ -s "$tmp/err" ] && fail "list after one ENOBUFS said: $(cat "$tmp/err")"
inject 1..2 ENOBUFS "$CONNWATCH" summary >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] || fail "summary after two ENOBUFS exited $rc"
grep -q "^connwatch: cannot read the socket dump: No buffer space available" "$tmp/err" ||
  fail "summary after two ENOBUFS: $(cat "$tmp/err")"

# live: the second refresh fails (and its retry); the first and third are shown, the second is
# the first again, marked stale. How many recvmsg calls a refresh takes is counted first (the
# CLOSE_WAIT ages make it a dump more than list's), so the calls failed are the second refresh's
# first read and its retry whatever that number is.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
  strace -f -qq -o "$tmp/trace" -e trace=recvmsg "$CONNWATCH" live --source netlink --plain -c 1 >/dev/null ||
  fail "live under strace failed"
first=$(grep -c recvmsg "$tmp/trace")
when=$((first + 1))..$((first + 2))
inject $when ENOBUFS "$CONNWATCH" live --source netlink --plain -c 3 -i 0.2 >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 3 ] || fail "live with a failed refresh exited $rc, expected 3: $(cat "$tmp/err")"
[ "$(grep -c '^Every ' "$tmp/out")" -eq 3 ] || fail "live did not show three refreshes: $(cat "$tmp/out")"
[ "$(grep -c '^STALE: ' "$tmp/out")" -eq 1 ] || fail "the failed refresh is not marked stale: $(cat "$tmp/out")"
grep -q "^connwatch: refresh 2 failed (cannot read the socket dump: No buffer space available)" "$tmp/err" ||
  fail "the failed refresh is not noted: $(cat "$tmp/err")"
inject $when ENOBUFS "$CONNWATCH" live --source netlink --json -c 3 -i 0.2 >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 3 ] || fail "live --json with a failed refresh exited $rc"
python3 -c '
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
assert len(docs) == 3, len(docs)
assert [("stale" in d) for d in docs] == [False, True, False], docs
' "$tmp/out" || fail "live --json: stale not marked on the second document only: $(cat "$tmp/out")"

# record (a service that runs for months): the second refresh fails (and its retry); it is
# noted and left out of the recording, the first and third are recorded, exit 3. Its refresh is
# counted on its own as live's is: the same request, but counted rather than assumed.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
  strace -f -qq -o "$tmp/trace" -e trace=recvmsg "$CONNWATCH" record "$tmp/count.rec" -c 1 ||
  fail "record under strace failed"
first=$(grep -c recvmsg "$tmp/trace")
inject $((first + 1))..$((first + 2)) ENOBUFS "$CONNWATCH" record "$tmp/r.rec" -c 3 -i 0.2 \
  >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 3 ] || fail "record with a failed refresh exited $rc, expected 3: $(cat "$tmp/err")"
[ -s "$tmp/out" ] && fail "record printed on stdout: $(cat "$tmp/out")"
grep -q "^connwatch: refresh 2 failed (cannot read the socket dump: No buffer space available); not recorded; trying again" \
  "$tmp/err" || fail "record did not note the failed refresh: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "record said more than the one note: $(cat "$tmp/err")"
"$CONNWATCH" live --replay "$tmp/r.rec" --json >"$tmp/out" || fail "the recording does not replay"
[ "$(wc -l <"$tmp/out")" -eq 2 ] || fail "the recording holds $(wc -l <"$tmp/out") refreshes, expected 2"
# ENOBUFS on every read from the second refresh on: record goes on at every interval (each
# refresh noted) until -c ends it, never exiting at the first failure.
inject $((first + 1))+ ENOBUFS "$CONNWATCH" record "$tmp/r2.rec" -c 4 -i 0.2 2>"$tmp/err"; rc=$?
[ $rc -eq 3 ] || fail "record with every refresh failing exited $rc, expected 3: $(cat "$tmp/err")"
[ "$(grep -c '^connwatch: refresh [234] failed' "$tmp/err")" -eq 3 ] ||
  fail "record did not try again at every interval: $(cat "$tmp/err")"

# serve: the second scrape's read fails twice; it gets the first scrape's metrics, marked stale.
# (A scrape is five recvmsg here: its own listener makes the TCP dump two, and the CLOSE_WAIT
# ages a dump more; calls 6 and 7 are the second scrape's first read and its retry.)
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
  strace -f -qq -o /dev/null -e trace=recvmsg -e inject=recvmsg:error=ENOBUFS:when=6..7 \
  "$CONNWATCH" serve --source netlink --listen 127.0.0.1:9877 2>"$tmp/serve.err" &
SERVE=$!
for _ in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:9877/ && break; sleep 0.1; done
curl -sf -o "$tmp/m1" http://127.0.0.1:9877/metrics || fail "first scrape failed: $(cat "$tmp/serve.err")"
sleep 1.2 # past the one-second cache
c=$(curl -s -o "$tmp/m2" -w '%{http_code}' http://127.0.0.1:9877/metrics)
[ "$c" = 200 ] || fail "scrape with a failed read answered $c"
head -1 "$tmp/m2" | grep -q "^# STALE: connwatch could not read the sockets" || fail "stale scrape not marked: $(head -2 "$tmp/m2")"
diff <(tail -n +2 "$tmp/m2") "$tmp/m1" >/dev/null || fail "stale scrape is not the last good one"
sleep 1.2
curl -sf -o "$tmp/m3" http://127.0.0.1:9877/metrics || fail "scrape after the failure failed"
grep -q "^# STALE" "$tmp/m3" && fail "the scrape after the failure is still stale"
kill -TERM "$(pgrep -P $SERVE)" # connwatch, the child of strace
wait $SERVE; rc=$?; SERVE=
[ $rc -eq 0 ] || fail "serve exited $rc: $(cat "$tmp/serve.err")"
grep -q "scrape failed: .*marked stale" "$tmp/serve.err" || fail "serve did not log the failure: $(cat "$tmp/serve.err")"

# EINTR on every recvmsg: a bounded number of retries, then an error.
inject 1+ EINTR "$CONNWATCH" list >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] || fail "list with EINTR on every recvmsg exited $rc (124: it looped)"
grep -q "Interrupted system call" "$tmp/err" || fail "EINTR: unclear error: $(cat "$tmp/err")"
echo ok

#!/usr/bin/env bash
# Issue 13: `connwatch check` takes the monitoring-plugins standard options. -t/--timeout
# SECONDS: past it the answer is UNKNOWN (exit 3) whatever the check was waiting for (here a
# /proc capture whose net/tcp is a FIFO nobody writes). -v/--verbose: after the status line,
# each warning's evidence and what to do (long output, no '|'). -t is --tcp for the other
# commands only.
set -u
. "$(dirname "$0")/lib.sh"
need_tool python3
in_private_netns "$@"
tmp=$(mktemp -d)
on_exit 'kill ${HOLDER_PID:-} 2>/dev/null; rm -rf "$tmp"'

mkdir -p "$tmp/hang/net"
mkfifo "$tmp/hang/net/tcp"
start=$(date +%s)
"$CONNWATCH" check --proc-root "$tmp/hang" -t 1 >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 3 ] || fail "timed-out check exited $rc: $(cat "$tmp/out" "$tmp/err")"
grep -qx "CONNWATCH UNKNOWN - timed out after 1 second" "$tmp/out" || fail "timeout line: $(cat "$tmp/out")"
[ $(( $(date +%s) - start )) -lt 8 ] || fail "the 1 s timeout took $(( $(date +%s) - start )) s"
"$CONNWATCH" check --proc-root "$tmp/hang" --timeout 2 >"$tmp/out" 2>&1; rc=$?
[ $rc -eq 3 ] && grep -q "timed out after 2 seconds" "$tmp/out" || fail "--timeout 2: $rc $(cat "$tmp/out")"
for bad in 0 -1 x 3601; do
  "$CONNWATCH" check -t "$bad" >"$tmp/out" 2>&1; rc=$?
  [ $rc -eq 3 ] && grep -q "^CONNWATCH UNKNOWN - --timeout" "$tmp/out" || fail "-t $bad: $rc $(cat "$tmp/out")"
done

# --tcp stays, long only, in check; -t still means --tcp elsewhere.
"$CONNWATCH" check --tcp >"$tmp/out" 2>&1 || fail "check --tcp: $(cat "$tmp/out")"
"$CONNWATCH" list -t >/dev/null 2>&1 || fail "list -t no longer means --tcp"
"$CONNWATCH" check --help >"$tmp/out" || fail "check --help"
grep -q -- "-t, --timeout SECONDS" "$tmp/out" || fail "check --help lacks -t, --timeout"
grep -q -- "-v, --verbose" "$tmp/out" || fail "check --help lacks -v, --verbose"
grep -q -- "-t, --tcp" "$tmp/out" && fail "check --help still offers -t for --tcp"

# -v: the status line, then the evidence of each warning.
start_holder python3 "$HERE/diag_load.py" closewait 8085 12
sleep 1.2
"$CONNWATCH" check -v --threshold close_wait_age=1 --threshold close_wait_count=10 >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] || fail "check -v exited $rc: $(cat "$tmp/out" "$tmp/err")"
head -n 1 "$tmp/out" | grep -q "^CONNWATCH WARNING - close_wait: .*|" || fail "status line: $(head -n 1 "$tmp/out")"
[ "$(wc -l <"$tmp/out")" -gt 3 ] || fail "no long output: $(cat "$tmp/out")"
tail -n +2 "$tmp/out" | grep -q "close_wait" || fail "long output without the warning"
tail -n +2 "$tmp/out" | grep -q "8085" || fail "long output without the port"
tail -n +2 "$tmp/out" | grep -q "What to do:" || fail "long output without the remedy"
tail -n +2 "$tmp/out" | grep -q '|' && fail "a '|' in the long output starts perfdata"
# without -v: one line
"$CONNWATCH" check --threshold close_wait_age=1 --threshold close_wait_count=10 >"$tmp/out"
[ "$(wc -l <"$tmp/out")" -eq 1 ] || fail "without -v more than one line: $(cat "$tmp/out")"
echo ok

#!/usr/bin/env bash
# The benchmark helpers do what bench/README.md says: populate holds exactly the table it
# announces (ESTABLISHED pairs, CLOSE_WAIT + FIN_WAIT2, TIME_WAIT, IPv4 and IPv6), ss agrees,
# bare_dump counts the sockets a default `connwatch list` shows, and stopping populate resets the
# held sockets instead of leaving new TIME_WAIT ones. Small table, private namespace, ~1 s.
set -u
. "$(dirname "$0")/lib.sh"
need_tool ss
in_private_netns "$@"
BENCH=$(dirname "$CONNWATCH")/bench
[ -x "$BENCH/populate" ] && [ -x "$BENCH/bare_dump" ] || fail "bench tools not built in $BENCH"

start_holder "$BENCH/populate" -n 300 -w 40 -c 20 -6 10 -t 60 -f 200

count_state() { ss -tanH state "$1" | wc -l; }
[ "$(count_state established)" -eq 600 ] || fail "expected 600 ESTABLISHED, got $(count_state established)"
[ "$(count_state close-wait)" -eq 20 ] || fail "expected 20 CLOSE_WAIT, got $(count_state close-wait)"
[ "$(count_state fin-wait-2)" -eq 20 ] || fail "expected 20 FIN_WAIT2, got $(count_state fin-wait-2)"
[ "$(count_state time-wait)" -eq 40 ] || fail "expected 40 TIME_WAIT, got $(count_state time-wait)"
[ "$(count_state listening)" -eq 0 ] || fail "populate left listeners behind"
v6=$(ss -tanH -6 | wc -l)
[ "$v6" -gt 0 ] && [ "$v6" -lt 680 ] || fail "expected a small IPv6 share, got $v6 of 680"
# -f 200: 100 held connections per child, so the work was spread over 4 processes.
children=$(pgrep -c -P "$HOLDER_PID") || true
[ "$children" -eq 4 ] || fail "expected 4 child processes, got $children"

bare=$("$BENCH/bare_dump" 2>&1 >/dev/null)
rows=$("$CONNWATCH" list | tail -n +2 | wc -l)
[ "$bare" = "sockets=680 tcp=680 udp=0" ] || fail "bare_dump: $bare"
[ "$rows" -eq 680 ] || fail "connwatch list shows $rows rows, bare_dump counted 680"
[ "$("$BENCH/bare_dump" -1 2>&1 >/dev/null)" = "$bare" ] || fail "bare_dump -1 counts differently"

kill "$HOLDER_PID"
wait "$HOLDER_PID" 2>/dev/null
sleep 0.2
left=$(ss -tanH | grep -vc TIME-WAIT) || true
[ "$left" -eq 0 ] || fail "$left non-TIME_WAIT sockets left after populate stopped: $(ss -tan)"
[ "$(count_state time-wait)" -eq 40 ] || fail "stopping populate made new TIME_WAIT sockets"

"$BENCH/populate" -n x >/dev/null 2>&1 && fail "populate accepted -n x"
"$BENCH/populate" -n 10 extra >/dev/null 2>&1 && fail "populate accepted a stray argument"
echo "ok"

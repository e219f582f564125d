#!/usr/bin/env bash
# connwatch check as a monitoring plugin: one status line, perfdata for every state, and each exit
# code 0/1/2/3 for a state mix that calls for it: /proc captures with known counts, then real
# sockets in a private network namespace.
set -u
. "$(dirname "$0")/lib.sh"
need_tool python3
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'

run() { # WANT_EXIT ARGS...
  local want=$1; shift
  "$CONNWATCH" check "$@" >"$tmp/out" 2>"$tmp/err"; local got=$?
  [ "$got" -eq "$want" ] || fail "check $* exited $got, expected $want: $(cat "$tmp/out" "$tmp/err")"
  [ "$(wc -l <"$tmp/out")" -eq 1 ] || fail "check $* printed more than one line: $(cat "$tmp/out")"
}

python3 "$HERE/proc_fixture.py" "$tmp/calm" 01:5 06:30 0A:1:80
run 0 --proc-root "$tmp/calm"
grep -q "^CONNWATCH OK - " "$tmp/out" || fail "no OK line: $(cat "$tmp/out")"
for st in established syn_sent syn_recv fin_wait1 fin_wait2 time_wait close_wait closing \
          last_ack closed listen total; do
  grep -q " '$st'=[0-9]*;[^;]*;[^;]*;0;" "$tmp/out" || fail "perfdata for $st missing: $(cat "$tmp/out")"
done
grep -q "'time_wait'=30;;;0;" "$tmp/out" || fail "time_wait count wrong: $(cat "$tmp/out")"
grep -q "'established'=5;;;0;" "$tmp/out" || fail "established count wrong"
# total counts connections, as every command does (docs/json.md): the listener has its own
# perfdata, and joins the total with -a, or is all of it with -l
grep -q "'total'=35;;;0;" "$tmp/out" || fail "total wrong: $(cat "$tmp/out")"
grep -q "^CONNWATCH OK - 35 TCP connections, no warnings |" "$tmp/out" || fail "words: $(cat "$tmp/out")"
grep -q "'listen'=1;;;0;" "$tmp/out" || fail "listen count wrong: $(cat "$tmp/out")"
run 0 --proc-root "$tmp/calm" -a
grep -q "^CONNWATCH OK - 36 TCP sockets, no warnings |.*'listen'=1;;;0; 'total'=36;;;0;" "$tmp/out" ||
  fail "-a total: $(cat "$tmp/out")"
run 0 --proc-root "$tmp/calm" -l
grep -q "^CONNWATCH OK - 1 listening TCP socket, no warnings |.*'listen'=1;;;0; 'total'=1;;;0;" "$tmp/out" ||
  fail "-l total: $(cat "$tmp/out")"

run 1 --proc-root "$tmp/calm" -w time_wait=20 -c time-wait=100
grep -q "^CONNWATCH WARNING - time_wait 30 (warning: 20) |" "$tmp/out" || fail "warning line: $(cat "$tmp/out")"
grep -q "'time_wait'=30;20;100;0;" "$tmp/out" || fail "thresholds not in perfdata: $(cat "$tmp/out")"
run 2 --proc-root "$tmp/calm" -w TIME_WAIT=20 -c TIME_WAIT=25
grep -q "^CONNWATCH CRITICAL - time_wait 30 (critical: 25)" "$tmp/out" || fail "critical line: $(cat "$tmp/out")"
run 2 --proc-root "$tmp/calm" -c estab=10:
run 0 --proc-root "$tmp/calm" -c 'estab=~:5' -w total=@100:200
run 1 --proc-root "$tmp/calm" -w total=@30:40

# The diagnosis rules map to WARNING/CRITICAL by severity, with no threshold given: a few hundred
# SYN_RECV on one port is a warning, over a thousand critical (diagnosis defaults).
python3 "$HERE/proc_fixture.py" "$tmp/flood" 0A:1:80 01:5:80 03:400:80
run 1 --proc-root "$tmp/flood"
grep -q "^CONNWATCH WARNING - syn_flood: .*port 80" "$tmp/out" || fail "syn_flood warning: $(cat "$tmp/out")"
grep -q "'syn_recv'=400;;;0;" "$tmp/out" || fail "syn_recv perfdata: $(cat "$tmp/out")"
python3 "$HERE/proc_fixture.py" "$tmp/flood2" 0A:1:80 03:1500:80
run 2 --proc-root "$tmp/flood2"
grep -q "^CONNWATCH CRITICAL - syn_flood: " "$tmp/out" || fail "syn_flood critical: $(cat "$tmp/out")"
# thresholds and rules together: the worst wins, every problem is named
run 2 --proc-root "$tmp/flood" -c established=@5
grep -q "^CONNWATCH CRITICAL - established 5 (critical: @5); syn_flood: " "$tmp/out" ||
  fail "threshold + rule: $(cat "$tmp/out")"

# UNKNOWN: bad threshold, bad option, unreadable input; the reason on stdout, exit 3.
run 3 --proc-root "$tmp/calm" -w time_wait=abc
grep -q "^CONNWATCH UNKNOWN - threshold range 'abc' is not valid" "$tmp/out" || fail "bad range: $(cat "$tmp/out")"
run 3 --proc-root "$tmp/calm" -c nosuch=5
grep -q "^CONNWATCH UNKNOWN - .*'nosuch' is not a TCP state" "$tmp/out" || fail "bad state: $(cat "$tmp/out")"
run 3 --bogus
grep -q "^CONNWATCH UNKNOWN - unknown option '--bogus'" "$tmp/out" || fail "bad option: $(cat "$tmp/out")"
run 3 -w
run 3 --proc-root "$tmp/nowhere"
grep -q "^CONNWATCH UNKNOWN - .*nowhere" "$tmp/out" || fail "unreadable input: $(cat "$tmp/out")"
"$CONNWATCH" check --help >/dev/null || fail "check --help failed"

# Real sockets, in a namespace of our own: the held mix has TIME_WAIT and CLOSE_WAIT sockets.
if [ "$(id -u)" -eq 0 ]; then
  out=$(unshare -n sh -c '
    ip link set lo up
    python3 "$1/sockets.py" >"$2/holder" 2>&1 &
    h=$!
    for i in $(seq 100); do grep -q READY "$2/holder" && break; sleep 0.1; done
    "$3" check; echo "rc=$?"
    "$3" check -w time_wait=0 -c close_wait=0; echo "rc=$?"
    "$3" check -w time_wait=0; echo "rc=$?"
    kill $h' sh "$HERE" "$tmp" "$CONNWATCH")
  echo "$out" | grep -q "^rc=0$" || fail "real sockets, no thresholds: $out"
  echo "$out" | grep -q "^CONNWATCH CRITICAL - close_wait 2 (critical: 0); time_wait 2 (warning: 0)" ||
    fail "real sockets, critical: $out"
  echo "$out" | grep -q "^rc=2$" || fail "real sockets: no exit 2: $out"
  echo "$out" | grep -q "^rc=1$" || fail "real sockets: no exit 1: $out"
else
  skip "needs root for the real-socket half (network namespace)"
fi
echo ok

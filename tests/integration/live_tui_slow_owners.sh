#!/usr/bin/env bash
# Issue 12, section 4, with -p: the live screen answers keys while a refresh is looking up the
# owners of new sockets (the /proc/PID/fd walk or the BPF task-file iterator: seconds with many
# sockets and processes). With -p, CONNWATCH_TEST_SLOW_REFRESH_MS makes the owner step itself
# that much longer. CONNWATCH_TEST_SLOW_REFRESH_MS=0,60000: the first refresh quick, and it shows
# the owner of a held connection; every later one a minute long in the owner step. While the
# second is in that step: the header says the refresh takes longer than the interval, a sort key
# and help are answered, a connection opened after the first refresh is on no screen (the slow
# refresh was not taken in, shown without timing); then q ends connwatch with status 0, the
# refresh abandoned in the owner step. The only bound is generous: 30 s for each answer, and for
# q to end a refresh that had a minute to run. In a pid namespace of its own: the owners are
# looked for among the test's processes only.
set -u
. "$(dirname "$0")/lib.sh"
need_tool tmux
need_tool python3
in_private_netns_and_pids "$@"

tmp=$(mktemp -d)
TM=
on_exit '[ -n "$TM" ] && $TM kill-server 2>/dev/null; rm -rf "$tmp"'

hold_connection "$tmp/first" cwslowowner
FIRST=$PORT

fresh_tmux cw-slow-owners
$TM new-session -d -s cw -x 200 -y 30 \
  "env LC_ALL=C.UTF-8 TERM=xterm-256color CONNWATCH_TEST_SLOW_REFRESH_MS=0,60000 $CONNWATCH live -p -i 0.1; echo \"LIVE-EXIT=\$?\"; sleep 60"
wait_screen 'Every 0\.1s' 30 || fail "the live screen did not appear: $(screen)"
wait_screen ":$FIRST .*ESTABLISHED.*cwslowowner" 30 ||
  fail "the first refresh does not show :$FIRST with its owner: $(screen)"

# opened after the first refresh: only a finished second refresh could show it
hold_connection "$tmp/late" cwslowowner
LATE=$PORT
wait_screen 'refresh takes [0-9]+\.[0-9]s, longer than the interval' 30 ||
  fail "the header does not count the refresh in its owner step: $(screen)"

screen | grep -q 'Sort: state' || fail "not sorted by state at start: $(screen)"
$TM send-keys -t cw s
wait_screen 'Sort: remote' 30 || fail "s not answered during the owner step: $(screen)"
screen | grep -q ":$LATE " && fail "s was answered only once the slow refresh was taken in: $(screen)"
$TM send-keys -t cw '?'
wait_screen 'connwatch live: keys' 30 || fail "? not answered during the owner step: $(screen)"
$TM send-keys -t cw x
for _ in $(seq 300); do screen | grep -q 'connwatch live: keys' || break; sleep 0.1; done
screen | grep -q 'connwatch live: keys' && fail "x did not close the help: $(screen)"
screen | grep -q ":$LATE " && fail "the slow refresh was taken in: $(screen)"
screen | grep -q ":$FIRST .*cwslowowner" || fail "the owner on view was lost: $(screen)"

$TM send-keys -t cw q
wait_screen 'LIVE-EXIT=' 30 || fail "q did not end connwatch during the owner step: $(screen)"
screen | grep -q 'LIVE-EXIT=0' || fail "q during the owner step: status not 0: $(screen)"
screen | grep -qi 'cancel' && fail "the abandoned refresh was reported as an error: $(screen)"
echo ok

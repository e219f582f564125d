#!/usr/bin/env bash
# Issue 12, section 4: the live screen answers keys while one refresh is in flight, however long
# it takes (a million sockets: seconds). First every refresh a minute long: the screen is up
# before the first is read, help opens, q ends it. Then CONNWATCH_TEST_SLOW_REFRESH_MS=0,60000:
# the first refresh quick, every later one a minute long. While the second is in flight: a sort
# key, the listeners key, help and a resize change the screen; the header says the refresh takes
# longer than the interval; q (and SIGTERM) end connwatch long before it could have finished.
# "In flight" is shown without timing: a connection opened after the first refresh is on no
# screen until the next refresh is taken in, and it never is. Last, with -p, the hook's delay
# is spent in the owner step (the /proc walk or the BPF listing, seconds with many sockets and
# processes): the same answers while the second refresh is looking up owners, the owners on view
# kept, and q abandons it there. The only bound is generous: 30 s for q to end a refresh that had
# a minute to run. In a pid namespace of its own: -p looks among the test's processes only.
set -u
. "$(dirname "$0")/lib.sh"
need_tool tmux
need_tool python3
in_private_netns_and_pids "$@"

tmp=$(mktemp -d)
TM=
on_exit '[ -n "$TM" ] && $TM kill-server 2>/dev/null; rm -rf "$tmp"'

# open_live DELAYS [OPTION]: connwatch live -i 0.1 in a fresh 160x30 tmux server, its refreshes
# made longer by the test hook CONNWATCH_TEST_SLOW_REFRESH_MS=DELAYS
open_live() {
  fresh_tmux cw-slow
  $TM new-session -d -s cw -x 160 -y 30 \
    "env LC_ALL=C.UTF-8 TERM=xterm-256color CONNWATCH_TEST_SLOW_REFRESH_MS=$1 $CONNWATCH live ${2:-} -i 0.1; echo \"LIVE-EXIT=\$?\"; sleep 60"
}
# quits_in_flight WHAT: q ends connwatch with status 0, the refresh in flight abandoned
quits_in_flight() {
  $TM send-keys -t cw q
  wait_screen 'LIVE-EXIT=' 30 || fail "$1: q did not end connwatch during the refresh: $(screen)"
  screen | grep -q 'LIVE-EXIT=0' || fail "$1: q during the refresh: status not 0: $(screen)"
  screen | grep -qi 'cancel' && fail "$1: the abandoned refresh was reported as an error: $(screen)"
}
# start_live [OPTION]: the first refresh quick, every later one a minute long
start_live() {
  open_live 0,60000 "${1:-}"
  wait_screen 'Every 0\.1s' 30 || fail "the live screen did not appear: $(screen)"
  wait_screen ":$FIRST .*ESTABLISHED" 30 || fail "the first refresh does not show :$FIRST: $(screen)"
}
# in_flight WHAT: the second refresh has not been taken in (the late connection is not shown)
# and the header says the refresh takes longer than the interval
in_flight() {
  screen | grep -q ":$LATE " && fail "$1: the slow refresh was taken in: $(screen)"
  screen | grep -qE 'refresh takes [0-9]+\.[0-9]s, longer than the interval' ||
    fail "$1: the header does not say the refresh is behind: $(screen)"
}

hold_connection first cwslowholder
FIRST=$PORT

# The first refresh a minute long: the screen is up at once and says what it is doing, answers
# keys, and q ends it.
open_live 60000
wait_screen 'reading the sockets for the first refresh' 30 || fail "no screen during the first refresh: $(screen)"
wait_screen 'refresh takes [0-9]+\.[0-9]s, longer than the interval' 30 ||
  fail "the first refresh is not counted: $(screen)"
$TM send-keys -t cw '?'
wait_screen 'connwatch live: keys' 30 || fail "? not answered during the first refresh: $(screen)"
screen | grep -q "Every 0\.1s" && fail "the first refresh was taken in: $(screen)"
quits_in_flight "first refresh"

start_live
# opened after the first refresh: only a finished second refresh could show it
hold_connection late
LATE=$PORT
wait_screen 'refresh takes [0-9]+\.[0-9]s, longer than the interval' 30 ||
  fail "the header does not count the refresh in flight: $(screen)"

# a sort key: the status line says the new order, and the rows are sorted again
screen | grep -q 'Sort: state' || fail "not sorted by state at start: $(screen)"
$TM send-keys -t cw s
wait_screen 'Sort: remote' 30 || fail "s not answered during the refresh: $(screen)"
in_flight "after s"
# the listeners key: the status line says they are shown now
screen | grep -q 'Listeners: hidden' || fail "listeners shown at start: $(screen)"
$TM send-keys -t cw l
wait_screen 'Listeners: shown' 30 || fail "l not answered during the refresh: $(screen)"
# help opens and closes
$TM send-keys -t cw '?'
wait_screen 'connwatch live: keys' 30 || fail "? not answered during the refresh: $(screen)"
$TM send-keys -t cw x
for _ in $(seq 300); do screen | grep -q 'connwatch live: keys' || break; sleep 0.1; done
screen | grep -q 'connwatch live: keys' && fail "x did not close the help: $(screen)"
# a resize (SIGWINCH): drawn again at 200 columns, the header's clock at the new right edge
# (at 160 the first line ends at column 160)
$TM resize-window -t cw -x 200 -y 30
for _ in $(seq 300); do [ "$(screen | head -1 | columns)" -eq 200 ] && break; sleep 0.1; done
[ "$(screen | head -1 | columns)" -eq 200 ] && screen | head -1 | grep -qE '[0-9]{4}$' ||
  fail "not drawn again after the resize: $(screen)"
[ "$(screen | columns)" -le 200 ] || fail "a line wider than 200 after the resize: $(screen)"
in_flight "after the keys"

quits_in_flight "second refresh"

# SIGTERM during a refresh in flight: the same clean end
start_live
wait_screen 'refresh takes [0-9]+\.[0-9]s, longer than the interval' 30 ||
  fail "the header does not count the refresh in flight: $(screen)"
pane=$($TM display -p -t cw '#{pane_pid}')
live=$(pgrep -P "$pane" -x connwatch) || fail "no connwatch under the pane"
kill -TERM "$live"
wait_screen 'LIVE-EXIT=' 30 || fail "SIGTERM did not end connwatch during the refresh: $(screen)"
screen | grep -q 'LIVE-EXIT=0' || fail "SIGTERM during the refresh: status not 0: $(screen)"

# With -p the second refresh spends its minute in the owner step.
start_live -p
screen | grep -q ":$FIRST .*cwslowholder" || fail "-p: the first refresh shows no owner: $(screen)"
hold_connection late-p cwslowholder # after the first refresh, as above
LATE=$PORT
wait_screen 'refresh takes [0-9]+\.[0-9]s, longer than the interval' 30 ||
  fail "-p: the header does not count the refresh in its owner step: $(screen)"
$TM send-keys -t cw s
wait_screen 'Sort: remote' 30 || fail "-p: s not answered during the owner step: $(screen)"
in_flight "-p, after s"
screen | grep -q ":$FIRST .*cwslowholder" || fail "-p: the owner on view was lost: $(screen)"
$TM send-keys -t cw '?'
wait_screen 'connwatch live: keys' 30 || fail "-p: ? not answered during the owner step: $(screen)"
in_flight "-p, after ?"
quits_in_flight "-p, owner step"
echo ok

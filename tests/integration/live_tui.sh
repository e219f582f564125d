#!/usr/bin/env bash
# The live view's screen, driven through tmux: it shows the sockets this test holds, a state
# filter narrows the table, a connection opened meanwhile appears at a later refresh, and `q`
# (and SIGTERM) leave the terminal restored (alternate screen left, shell output back).
set -u
. "$(dirname "$0")/lib.sh"
need_tool tmux
need_tool ss
in_private_netns "$@"

start_holder python3 "$HERE/sockets.py"
TM="tmux -L cw-live-$$-0"
tmp=$(mktemp -d)
# Waits for hold_one.py's READY line (python can start slowly on a loaded machine).
wait_one_ready() {
  for _ in $(seq 200); do grep -q READY "$tmp/one" && return 0; sleep 0.05; done
  fail "hold_one.py not ready after 10 s: $(cat "$tmp/one")"
}
cleanup() {
  $TM kill-server 2>/dev/null
  [ -n "${ONE_PID:-}" ] && kill "$ONE_PID" 2>/dev/null
  kill "$HOLDER_PID" 2>/dev/null
  rm -rf "$tmp"
}
on_exit cleanup

table_rows() { screen | grep -E '^[ +*] (tcp|udp)'; }

start_live() {
  fresh_tmux cw-live
  # The shell prints a marker before and after, so the test can see what is left on screen.
  $TM new-session -d -s cw -x 160 -y 50 \
    "printf 'BEFORE-LIVE\\n'; LC_ALL=C.UTF-8 TERM=xterm-256color $CONNWATCH live -i 0.3 $*; echo \"LIVE-EXIT=\$?\"; sleep 60"
  wait_screen 'Every 0\.3s: connwatch' || fail "the live screen did not appear: $(screen)"
}

# 1. The sockets the holder keeps are on the screen, each with its state; the diagnosis and the
#    busiest remote addresses are in the header.
start_live --threshold time_wait_total=1
wait_screen 'Shown: [1-9]' || fail "no rows shown: $(screen)"
sleep 0.4
shown=$(screen)
while read -r state local peer; do
  [ "$state" = State ] && continue
  echo "$shown" | grep -qF -- "$local" || fail "ESTABLISHED $local -> $peer not on screen: $shown"
done < <(ss -tnH state established | awk '{print "ESTAB", $3, $4}' | sed 's/\[::ffff:\([0-9.]*\)\]/\1/g; s/\[\([^]]*\)\]:/\1:/g')
table_rows | grep -q 'CLOSE_WAIT' || fail "CLOSE_WAIT row missing: $shown"
echo "$shown" | grep -q '^WARNING time_wait: ' || fail "warning line missing: $shown"
echo "$shown" | grep -qE '^Top remote: (127\.0\.0\.1|::1) \([0-9]+\)' || fail "top remote line missing: $shown"
table_rows | grep -q 'TIME_WAIT' || fail "TIME_WAIT row missing: $shown"
table_rows | grep -q 'LISTEN' && fail "listeners shown by default: $shown"
$TM send-keys -t cw l
wait_screen 'Listeners: shown' || fail "l did not show listeners: $(screen)"
sleep 0.4
table_rows | grep -q 'LISTEN' || fail "l: no LISTEN rows: $(screen)"
$TM send-keys -t cw l

# 1b. Explain and help boxes; resize keeps the layout.
$TM send-keys -t cw e
wait_screen 'any key: close' || fail "e did not open the explanation: $(screen)"
screen | grep -qE 'ESTABLISHED|SYN_RECV|FIN_WAIT2|TIME_WAIT|CLOSE_WAIT|UDP' || fail "no state in the box"
$TM send-keys -t cw x '?'
wait_screen 'connwatch live: keys' || fail "? did not open the help: $(screen)"
$TM send-keys -t cw x
$TM resize-window -t cw -x 90 -y 20
sleep 0.5
[ "$(screen | wc -l)" -eq 20 ] || fail "screen not 20 lines after resize"
screen | head -1 | grep -q '^Every 0.3s: connwatch' || fail "header lost after resize: $(screen)"
screen | tail -1 | grep -q '^q quit' || fail "key line lost after resize: $(screen)"
# a tiny terminal: every box and key still works, nothing hangs
$TM resize-window -t cw -x 6 -y 3
sleep 0.3
$TM send-keys -t cw e x '?' x f 'time-wait' Enter c
sleep 0.5
$TM resize-window -t cw -x 160 -y 50
wait_screen 'Filter: none' || fail "the screen did not recover from a tiny size: $(screen)"

# 2. A state filter narrows the table to that state.
$TM send-keys -t cw f close-wait Enter
wait_screen 'Filter: close-wait' || fail "filter not taken: $(screen)"
sleep 0.4
rows=$(table_rows)
[ -n "$rows" ] || fail "filter close-wait left no rows: $(screen)"
echo "$rows" | grep -v CLOSE_WAIT && fail "rows in other states under the close-wait filter"
n_cw=$(ss -tnH state close-wait | wc -l)
[ "$(echo "$rows" | wc -l)" -eq "$n_cw" ] || fail "close-wait rows: screen $(echo "$rows" | wc -l), ss $n_cw"
$TM send-keys -t cw c
wait_screen 'Filter: none' || fail "c did not clear the filter: $(screen)"

# 3. A connection opened now appears at a following refresh.
python3 "$HERE/hold_one.py" 60 >"$tmp/one" &
ONE_PID=$!
wait_one_ready
read -r _ cport sport <"$tmp/one"
[ -n "$cport" ] || fail "hold_one.py did not start"
wait_screen "127\\.0\\.0\\.1:$cport .*ESTABLISHED" 3 || fail "new connection :$cport not shown: $(screen)"

# 3b. -p on the screen: the owner column, with a hostile process name escaped.
kill "$ONE_PID"; wait "$ONE_PID" 2>/dev/null
python3 "$HERE/hold_one.py" 60 "$(printf 'cw\033[2Jx')" >"$tmp/one" &
ONE_PID=$!
wait_one_ready
start_live -p
wait_screen 'PID/Program name' || fail "no PID/Program column with -p: $(screen)"
wait_screen "$ONE_PID/cw\\\\x1b\\[2Jx" 3 || fail "escaped process name not shown: $(screen)"
screen | head -1 | grep -q '^Every 0.3s: connwatch' || fail "the header is gone: $(screen)"

# 4. q quits and gives the terminal back.
$TM send-keys -t cw q
wait_screen 'LIVE-EXIT=0' || fail "q did not end connwatch with status 0: $(screen)"
[ "$($TM display -p -t cw '#{alternate_on}')" = 0 ] || fail "alternate screen still on after q"
screen | grep -q 'BEFORE-LIVE' || fail "the shell's screen was not restored: $(screen)"
screen | grep -q 'Every 0.3s' && fail "the live screen was left behind: $(screen)"

# 4b. Colour by concern, and none with NO_COLOR (tmux keeps the attributes of each cell).
start_live
sleep 0.4
# a foreground colour is SGR 30-38; 39 is "default colour", which is no colour
colour_re=$'\033\\[([0-9;]*;)?3[0-8][;m]'
grep -qE "$colour_re" <($TM capture-pane -e -p -t cw) || fail "no colours on the screen"
fresh_tmux cw-live
$TM new-session -d -s cw -x 160 -y 50 "NO_COLOR=1 TERM=xterm-256color $CONNWATCH live -i 0.3; sleep 60"
wait_screen 'Every 0\.3s: connwatch' || fail "NO_COLOR screen did not appear: $(screen)"
sleep 0.4
grep -qE "$colour_re" <($TM capture-pane -e -p -t cw) && fail "colours despite NO_COLOR"

# 5. SIGTERM (and SIGINT, SIGHUP) only set a flag: the screen is restored the same way.
for sig in TERM INT HUP; do
  start_live
  pid=$(pgrep -x -P "$($TM display -p -t cw '#{pane_pid}')" connwatch)
  [ -n "$pid" ] || fail "cannot find the connwatch process"
  kill -s $sig "$pid"
  wait_screen 'LIVE-EXIT=' || fail "SIG$sig did not end connwatch: $(screen)"
  [ "$($TM display -p -t cw '#{alternate_on}')" = 0 ] || fail "alternate screen still on after SIG$sig"
  screen | grep -q 'BEFORE-LIVE' || fail "screen not restored after SIG$sig: $(screen)"
  screen | grep -q 'LIVE-EXIT=0' || fail "SIG$sig: exit status not 0: $(screen)"
done

# 5b. Messages for stderr while the screen is up are held, then shown after it closes: a capture
#     with a corrupt line is read at every refresh, reported once, and the exit status is 3.
mkdir -p "$tmp/cap/net"
cp "$FIXTURES/proc-corrupt/net/"* "$tmp/cap/net/"
start_live --proc-root "$tmp/cap"
screen | grep -q 'malformed line' && fail "a stderr message was drawn over the screen: $(screen)"
$TM send-keys -t cw q
wait_screen 'LIVE-EXIT=3' || fail "a capture with a bad line did not exit 3: $(screen)"
[ "$(screen | grep -c "$tmp/cap/net/tcp:3: malformed line")" -eq 1 ] ||
  fail "the held message was not shown once after the screen closed: $(screen)"

# 6. A crash (SIGSEGV) restores the terminal first, then dies of the signal as it would have.
start_live
pid=$(pgrep -x -P "$($TM display -p -t cw '#{pane_pid}')" connwatch)
kill -s SEGV "$pid"
wait_screen 'LIVE-EXIT=' || fail "SIGSEGV did not end connwatch: $(screen)"
[ "$($TM display -p -t cw '#{alternate_on}')" = 0 ] || fail "alternate screen still on after a crash"
screen | grep -q 'BEFORE-LIVE' || fail "screen not restored after a crash: $(screen)"
screen | grep -q 'LIVE-EXIT=0' && fail "a crash exited with status 0"
echo "ok"

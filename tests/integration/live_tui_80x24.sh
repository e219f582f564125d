#!/usr/bin/env bash
# Issue 13: the live view at an 80x24 SSH console, driven through tmux, in English and
# Indonesian. The State column is whole ("ESTABLISHED", not "ESTABLISHE"), "In state" and
# PID/Program stay; a long IPv6 address is elided in the middle with its port kept; Right/Left
# scroll the full row sideways; `w` shows the selected warning's evidence and remedy; the help
# box (`?`) fits, its last entry and bottom border on screen.
set -u
. "$(dirname "$0")/lib.sh"
need_tool tmux
need_tool python3
in_private_netns "$@"
tmp=$(mktemp -d)
TM="tmux -L cw-80x24-$$"
cleanup() { $TM kill-server 2>/dev/null; kill ${HOLDER_PID:-} 2>/dev/null; rm -rf "$tmp"; }
on_exit cleanup

LONG6=2001:db8:85a3:1234:5678:8a2e:370:7334
ip -6 addr add $LONG6/128 dev lo nodad || fail "cannot add $LONG6 to lo"
cat >"$tmp/hold.py" <<PY
import socket, time
held = []
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 8086)); srv.listen(64); held.append(srv)
for _ in range(3):
    c = socket.create_connection(("127.0.0.1", 8086)); a, _ = srv.accept(); held += [c, a]
for _ in range(4):  # a CLOSE_WAIT leak: the peer hung up, the server keeps the socket
    c = socket.create_connection(("127.0.0.1", 8086)); a, _ = srv.accept(); c.close(); held.append(a)
s6 = socket.socket(socket.AF_INET6); s6.bind(("$LONG6", 8087)); s6.listen(8); held.append(s6)
c6 = socket.socket(socket.AF_INET6); c6.bind(("$LONG6", 0)); c6.connect(("$LONG6", 8087))
a6, _ = s6.accept(); held += [c6, a6]
print("READY", flush=True)
time.sleep(300)  # killed by the test at exit; bounded if it is not
PY
start_holder python3 "$tmp/hold.py"
sleep 1.2 # the leak is older than the 1 s threshold below

screen() { $TM capture-pane -p -t cw; }
# The machine may be loaded: a key's effect gets up to 30 s to show.
wait_screen() { # PATTERN [SECONDS]
  local i
  for i in $(seq $((${2:-30} * 10))); do screen | grep -qE -- "$1" && return 0; sleep 0.1; done
  return 1
}
wait_gone() { # PATTERN
  local i
  for i in $(seq 300); do screen | grep -qE -- "$1" || return 0; sleep 0.1; done
  return 1
}
start_live() { # LANG
  fresh_tmux cw-80x24
  $TM new-session -d -s cw -x 80 -y 24 \
    "LC_ALL=C.UTF-8 TERM=xterm-256color $CONNWATCH --lang $1 live -p -i 0.5 --sort port --threshold close_wait_age=1 --threshold close_wait_count=3; sleep 300"
  wait_screen 'connwatch' 60 || fail "no screen: $(screen)"
  wait_screen 'CLOSE_WAIT' || fail "no CLOSE_WAIT row: $(screen)"
  wait_screen 'close_wait' || fail "no warning line: $(screen)"
}

for lang in en id; do
  start_live $lang
  s=$(screen)
  [ "$(echo "$s" | columns)" -le 80 ] || fail "[$lang] a line wider than 80: $s"
  # the table: State whole, In state and PID/Program present (whatever the language's header)
  echo "$s" | grep -E 'ESTABLISHED' | grep -q '127.0.0.1:8086' || fail "[$lang] ESTABLISHED row cut: $s"
  echo "$s" | grep -E 'ESTABLISHE($|[^D])' && fail "[$lang] State column cut: $s"
  echo "$s" | grep 'CLOSE_WAIT' | grep -qE ' [0-9]+s +[0-9]+/python3' ||
    fail "[$lang] CLOSE_WAIT row without its age and owner: $s"
  # the long IPv6 endpoint: elided in the middle, its port kept
  echo "$s" | grep -qE '2001:db8:[0-9a-f:]*~[0-9a-f:]*:8087 ' || fail "[$lang] IPv6 address not elided in the middle: $s"
  if [ $lang = en ]; then # the keys once (a loaded machine makes each step slow)
  # Right: the full row, sideways; Left: back to the fitted table
  $TM send-keys -t cw Right
  wait_screen 'Send-Q' || fail "[$lang] Right did not scroll to the full row: $(screen)"
  $TM send-keys -t cw Left
  wait_gone 'Send-Q' || fail "[$lang] Left did not come back: $(screen)"
  # w: the warning's evidence and remedy in a box
  $TM send-keys -t cw w
  wait_screen 'close_wait' || fail "[$lang] no warning box: $(screen)"
  s=$(screen)
  echo "$s" | grep -q '8086' || fail "[$lang] warning box without the port: $s"
  if [ $lang = en ]; then
    echo "$s" | grep -q 'What to do:' || fail "[$lang] warning box without the remedy: $s"
  else
    echo "$s" | grep -q 'Yang perlu dilakukan:' || fail "[$lang] warning box without the remedy: $s"
  fi
  $TM send-keys -t cw x
  wait_gone 'Yang perlu dilakukan:|What to do:' || fail "[$lang] the warning box did not close"
  fi
  # ?: the help box fits 80x24: its last entry and its bottom line are on screen, no line is
  # wider than the screen
  $TM send-keys -t cw '?'
  wait_screen 'connwatch live' || fail "[$lang] no help box: $(screen)"
  s=$(screen)
  echo "$s" | grep -qE '^ *. (In state|Di status) +[a-z]' || fail "[$lang] last help entry missing: $s"
  echo "$s" | grep -qE 'tidak diketahui kernel\)|age unknown to the kernel\)' || fail "[$lang] last help line cut: $s"
  echo "$s" | grep -qE 'q{10,}|─{10,}' || fail "[$lang] help box border missing: $s"
  [ "$(echo "$s" | columns)" -le 80 ] || fail "[$lang] help wider than 80: $s"
  $TM send-keys -t cw q
done
echo ok

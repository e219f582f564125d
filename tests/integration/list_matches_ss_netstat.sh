#!/usr/bin/env bash
# connwatch list shows exactly the sockets netstat -ntu(a) and ss -tanu show, on real sockets in
# ESTABLISHED, LISTEN, TIME_WAIT, CLOSE_WAIT, FIN_WAIT2 and connected/unconnected UDP, IPv4 and
# IPv6, with both sources (netlink and /proc).
set -u
. "$(dirname "$0")/lib.sh"
need_tool netstat
need_tool ss
in_private_netns "$@"

start_holder python3 "$HERE/sockets.py"

python3 "$HERE/compare.py" "$CONNWATCH" all || fail "list -a differs from netstat -ntua / ss -tanu"
python3 "$HERE/compare.py" "$CONNWATCH" default || fail "list differs from netstat -ntu / ss"

# Both sources give the same rows.
a=$("$CONNWATCH" list -a --source netlink | tail -n +2 | sort)
b=$("$CONNWATCH" list -a --source proc | tail -n +2 | sort)
[ "$a" = "$b" ] || fail "netlink and /proc sources differ: $(diff <(echo "$a") <(echo "$b"))"
for st in ESTABLISHED LISTEN TIME_WAIT CLOSE_WAIT FIN_WAIT2; do
  echo "$a" | grep -q " $st\$" || fail "no $st socket seen"
done
echo "ok"

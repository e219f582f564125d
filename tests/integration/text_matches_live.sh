#!/usr/bin/env bash
# What netstat -ntua and ss -tanu print about real sockets, read back through the text source
# (the input of `connwatch import`), gives exactly the rows `connwatch list -a` gives. And
# `connwatch explain STATE` counts the same sockets as ss at the same moment.
set -u
. "$(dirname "$0")/lib.sh"
TEXT_TABLE=${2:?usage: $0 CONNWATCH TEXT_TABLE}
need_tool netstat
need_tool ss
in_private_netns "$@"
tmp=$(mktemp -d)
start_holder python3 "$HERE/sockets.py"
on_exit 'kill $HOLDER_PID 2>/dev/null; wait $HOLDER_PID 2>/dev/null; rm -rf "$tmp"'

# explain STATE counts what ss counts at the same moment, with both sources. First, and the
# short-lived states first: the orphaned FIN_WAIT2 and the TIME_WAIT sockets live 60 s, which a
# heavily loaded machine can spend on the rest of this test.
for pair in TIME_WAIT:time-wait FIN_WAIT2:fin-wait-2 ESTABLISHED:established LISTEN:listening \
            CLOSE_WAIT:close-wait SYN_SENT:syn-sent; do
  st=${pair%%:*} ssname=${pair#*:}
  want=$(ss -tanH state "$ssname" | wc -l)
  for src in netlink proc; do
    got=$("$CONNWATCH" explain "$st" --json --source "$src" \
      | sed -n 's/.*"count":{"total":\([0-9]*\).*/\1/p') || fail "explain $st --source $src failed"
    [ "$got" = "$want" ] || fail "explain $st (--source $src) counts $got, ss counts $want"
  done
  [ "$st" = SYN_SENT ] || [ "$want" -gt 0 ] || fail "no $st socket to count"
done
"$CONNWATCH" explain time-wait | grep -q "TIME_WAIT sockets: [1-9]" || fail "explain text has no count"

# Columns normalised to single blanks: the text source cannot know the widths of the live table.
norm() { awk '{$1=$1; print}' | sort; }
"$CONNWATCH" list -a --no-header | norm >"$tmp/live"
netstat -ntua >"$tmp/netstat.txt"
ss -tanu >"$tmp/ss.txt"
"$CONNWATCH" list -a --no-header | norm >"$tmp/live2"
cmp -s "$tmp/live" "$tmp/live2" || fail "sockets changed during the test: $(diff "$tmp/live" "$tmp/live2")"
[ "$(wc -l <"$tmp/live")" -ge 15 ] || fail "too few sockets held: $(cat "$tmp/live")"

for tool in netstat ss; do
  "$TEXT_TABLE" "$tmp/$tool.txt" 2>"$tmp/err" | norm >"$tmp/from-$tool"
  [ "${PIPESTATUS[0]}" -eq 0 ] || fail "$tool output not read cleanly: $(cat "$tmp/err")"
  diff -u "$tmp/live" "$tmp/from-$tool" || fail "$tool -ntua/-tanu read back differs from list -a"
done
# The same with watch's title on top, and from stdin.
{ printf 'Every 2.0s: ss -tanu          host: Tue Jun 24 21:28:23 2025\n\n'; cat "$tmp/ss.txt"; } \
  | "$TEXT_TABLE" - 2>"$tmp/err" | norm >"$tmp/from-watch"
diff -u "$tmp/live" "$tmp/from-watch" || fail "ss under watch, from stdin, differs"

echo ok

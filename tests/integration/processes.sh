#!/usr/bin/env bash
# -p/--processes: owners found with their pid and name, equal to ss -tanp's pids; hostile
# process names (ESC sequences, BEL, quotes, control characters) escaped in the table and valid
# in JSON; without root the output says once that some owners could not be seen.
set -u
. "$(dirname "$0")/lib.sh"
need_tool ss
need_tool jq
need_tool setpriv
in_private_netns "$@"

# Not start_holder: the HOLD lines with pids and ports are needed from the holder's output.
out=$(mktemp)
python3 "$HERE/owners.py" >"$out" 2>&1 &
HOLDER_PID=$!
on_exit 'kill $HOLDER_PID 2>/dev/null; wait $HOLDER_PID 2>/dev/null; rm -f "$out"'
for _ in $(seq 200); do
  grep -q READY "$out" && break
  kill -0 $HOLDER_PID 2>/dev/null || fail "owners.py died: $(cat "$out")"
  sleep 0.1
done
grep -q READY "$out" || fail "owners.py not ready: $(cat "$out")"

python3 "$HERE/owners_compare.py" "$CONNWATCH" "$out" || fail "pids differ from ss -tanp / /proc"

# The table: netstat's header, pid/name cells, and not one raw control byte.
table=$("$CONNWATCH" list -t -a -p) || fail "list -p failed"
echo "$table" | head -1 | grep -q 'State *PID/Program name *Unit/Container$' || fail "no PID/Program name header"
main_pid=$(awk '$1 == "HOLD" { print $2; exit }' "$out")
main_port=$(awk '$1 == "HOLD" { print $3; exit }' "$out")
echo "$table" | grep -q "127.0.0.1:$main_port .*LISTEN *$main_pid/" ||
  fail "listener $main_port not shown with pid $main_pid: $table"
if printf '%s' "$table" | LC_ALL=C grep -q "$(printf '[\001-\010\016-\037\177]')"; then
  fail "raw control bytes reached the table: $(printf '%s' "$table" | od -c | head)"
fi
echo "$table" | grep -qF '/\x1b[31mA"\x07'"'"'q\x01' || fail "prctl name not shown escaped: $table"
echo "$table" | grep -qF '/\x1b]0;x\x07"q'"'"'\x7f' || fail "exec name not shown escaped: $table"

# JSON: valid, and the hostile name comes back byte for byte through a JSON parser.
json=$("$CONNWATCH" list -t -a -p --json) || fail "list -p --json failed"
echo "$json" | jq -e '[.connections[] | select(.process == "\u001b[31mA\"\u0007'"'"'q\u0001")] |
  length == 3' >/dev/null || fail "prctl name not in JSON as sent: $json"
echo "$json" | jq -e '[.connections[] | select(.state == "TIME_WAIT" or .inode == 0) |
  select(.pid != null or .process != null)] | length == 0' >/dev/null ||
  fail "a socket without an inode got an owner"
# Without -p the JSON has no such fields (unchanged document).
"$CONNWATCH" list --json | jq -e '[.connections[] | has("pid")] | any | not' >/dev/null ||
  fail "pid present without -p"

# summary -p: per-process counts with name, command line and states; escaped in the text.
sj=$("$CONNWATCH" summary -a -p --json) || fail "summary -p --json failed"
echo "$sj" | jq -e --argjson pid "$main_pid" '[.processes[] | select(.pid == $pid)][0] |
  .name != null and (.command_line | test("owners.py")) and .states.ESTABLISHED == 2 and
  .states.LISTEN == 1 and .count == 2' >/dev/null || fail "summary processes wrong: $sj"
echo "$sj" | jq -e '[.processes[] | select(.name == "\u001b[31mA\"\u0007'"'"'q\u0001")] |
  length == 1' >/dev/null || fail "hostile name not exact in summary JSON: $sj"
st=$("$CONNWATCH" summary -p) || fail "summary -p failed"
if printf '%s' "$st" | LC_ALL=C grep -q "$(printf '[\001-\010\016-\037\177]')"; then
  fail "raw control bytes reached the summary text"
fi
echo "$st" | grep -qE "^  $main_pid +[^ ].* 2  \(ESTABLISHED 2\)\$" ||
  fail "summary text has no line for pid $main_pid: $st"
"$CONNWATCH" summary --json | jq -e 'has("processes") | not' >/dev/null ||
  fail "summary without -p has processes"

# Not root: other users' processes cannot be read; said once, on stderr, not silently blank.
err=$(mktemp)
user_out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$CONNWATCH" list -t -a -p 2>"$err")
rc=$?
msg=$(cat "$err"); rm -f "$err"
[ $rc -eq 0 ] || fail "list -p as nobody exited $rc: $msg"
[ "$(echo "$msg" | grep -c 'not all processes could be identified')" -eq 1 ] ||
  fail "no single note about unseen processes: '$msg'"
echo "$user_out" | grep -q "127.0.0.1:$main_port .*LISTEN *- *-\$" ||
  fail "as nobody, root's listener should show '-': $user_out"

# With hidepid other users' processes are not even listed (nothing is denied): still said.
err=$(unshare -m --propagation private sh -c 'mount -t proc -o hidepid=invisible proc /proc &&
  exec setpriv --reuid=65534 --regid=65534 --clear-groups "$1" list -t -a -p' sh "$CONNWATCH" \
  2>&1 >/dev/null) || fail "list -p under hidepid failed: $err"
echo "$err" | grep -q "other users' processes cannot be seen" ||
  fail "no note under hidepid: '$err'"

# -p with a capture of another machine makes no sense: a usage error, exit 2.
"$CONNWATCH" list -p --proc-root "$FIXTURES/user-example" >/dev/null 2>&1
[ $? -eq 2 ] || fail "-p with --proc-root should be a usage error"
echo "ok"

#!/usr/bin/env bash
# `connwatch import` reads netstat and ss output as operators type it, not only -n: over the
# sockets tests/integration/service_sockets.py holds (well-known ports, so names are printed),
# each common flag combination, captured now, gives the same counts per protocol and state as
# the -n output of the same moment, and says once that names were read. Input with no
# connection line at all is an error (exit 1), never "no warning signs".
set -u
. "$(dirname "$0")/lib.sh"
need_tool netstat
need_tool ss
need_tool jq
in_private_netns "$@"
tmp=$(mktemp -d)
start_holder python3 "$HERE/service_sockets.py"
on_exit 'kill $HOLDER_PID 2>/dev/null; wait $HOLDER_PID 2>/dev/null; rm -rf "$tmp"'

# Counts per protocol and state, and the total, from import --json.
counts() { jq -c '{states, total}' "$1"; }

netstat -ntua >"$tmp/netstat-ntua.txt"
ss -tanu >"$tmp/ss-tanu.txt"
for f in -tua -tuae -tuap -tuao -a; do netstat $f >"$tmp/netstat$f.txt"; done
for f in -a -tua -tuap -tuapei; do ss $f >"$tmp/ss$f.txt" 2>&1; done
netstat -ntua >"$tmp/netstat-ntua.after"
cmp -s "$tmp/netstat-ntua.txt" "$tmp/netstat-ntua.after" ||
  fail "sockets changed during the captures: $(diff "$tmp/netstat-ntua.txt" "$tmp/netstat-ntua.after")"

for ref in netstat-ntua ss-tanu; do
  "$CONNWATCH" import --json "$tmp/$ref.txt" >"$tmp/$ref.json" 2>"$tmp/$ref.err" ||
    fail "import of $ref exited $?: $(cat "$tmp/$ref.err")"
  [ "$(jq .total "$tmp/$ref.json")" -ge 20 ] || fail "too few sockets in $ref: $(cat "$tmp/$ref.txt")"
done
[ "$(counts "$tmp/netstat-ntua.json")" = "$(counts "$tmp/ss-tanu.json")" ] ||
  fail "netstat -ntua and ss -tanu count differently"
want=$(counts "$tmp/netstat-ntua.json")

for f in netstat-tua netstat-tuae netstat-tuap netstat-tuao netstat-a ss-a ss-tua ss-tuap ss-tuapei; do
  "$CONNWATCH" import --json "$tmp/$f.txt" >"$tmp/$f.json" 2>"$tmp/$f.err"
  rc=$?
  [ $rc -eq 0 ] || fail "import of $f exited $rc: $(cat "$tmp/$f.err")"
  got=$(counts "$tmp/$f.json")
  [ "$got" = "$want" ] || fail "$f counts $got, the -n output of the same moment $want"
  [ "$(grep -c 'names were read' "$tmp/$f.err")" -eq 1 ] ||
    fail "$f: want one note that names were read: $(cat "$tmp/$f.err")"
  grep -q malformed "$tmp/$f.err" && fail "$f: a line was called malformed: $(cat "$tmp/$f.err")"
done
# Busiest local ports are numbers whether the input had names or not.
[ "$(jq -c .local_ports "$tmp/netstat-tua.json")" = "$(jq -c .local_ports "$tmp/netstat-ntua.json")" ] ||
  fail "local ports differ between names and numbers"

# Names are kept as printed and grouped by: the busiest remote "address" of netstat -tua is the
# name localhost, holding what 127.0.0.1 holds in the -n output.
named=$(jq -r '.remote_ips[] | select(.address == "localhost") | .count' "$tmp/netstat-tua.json")
numeric=$(jq -r '.remote_ips[] | select(.address == "127.0.0.1") | .count' "$tmp/netstat-ntua.json")
[ -n "$named" ] && [ "$named" = "$numeric" ] ||
  fail "localhost counts '$named' as a name, 127.0.0.1 counts '$numeric': $(jq -c .remote_ips "$tmp/netstat-tua.json")"

# No connection line at all: an error naming the input.
printf 'hello\n' >"$tmp/hello"
netstat -s >"$tmp/netstat-s" 2>/dev/null || printf 'Ip:\n    Forwarding: 1\n' >"$tmp/netstat-s"
: >"$tmp/empty"
for f in hello netstat-s empty; do
  "$CONNWATCH" import "$tmp/$f" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  [ $rc -eq 1 ] || fail "import of $f exited $rc, want 1"
  grep -q "no connection lines found in $tmp/$f" "$tmp/err" || fail "import of $f: $(cat "$tmp/err")"
  grep -q "No warning signs" "$tmp/out" && fail "import of $f printed a diagnosis"
done
echo ok

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
trap 'kill $HOLDER_PID 2>/dev/null; wait $HOLDER_PID 2>/dev/null; rm -rf "$tmp"' EXIT

# Counts per protocol and state (protocols without sockets left out), and the total, from
# import --json; subset FILE KEEP: the same counts of the -n output, kept to what a command without -a, with -l, -t or -u shows:
# KEEP is all, listening (LISTEN and unconnected UDP), connected (ss without -a or -l: neither
# listeners nor TIME_WAIT and SYN_RECV), tcp or udp.
subset() {
  jq -cS --arg keep "$2" '
    def kept(p; s):
      if $keep == "listening" then s == "LISTEN" or s == "UNCONN"
      elif $keep == "connected" then [s] - ["LISTEN", "UNCONN", "TIME_WAIT", "SYN_RECV"] != []
      elif $keep == "tcp" or $keep == "udp" then (p | startswith($keep))
      else true end;
    {protocols: (.protocols | to_entries
       | map(.key as $p | .value |= with_entries(select(kept($p; .key))))
       | map(select(.value != {})) | from_entries)}
    | .total = ([.protocols[][]] | add // 0)' "$1"
}
counts() { subset "$1" all; }

# What each capture shows of the -n reference: FILE:KEEP, the -n ones included.
captures="netstat-tua:all netstat-tuae:all netstat-tuap:all netstat-tuao:all netstat-a:all
  netstat-ntua:all ss-a:all ss-tua:all ss-tuap:all ss-tuapei:all ss-tulpen:listening
  ss-e:connected ss-uan:udp ss-tan:tcp"
netstat -ntua >"$tmp/netstat-ntua.ref"
ss -tanu >"$tmp/ss-tanu.ref"
for f in -tua -tuae -tuap -tuao -a -ntua; do netstat $f >"$tmp/netstat$f.txt"; done
# ss's stderr is kept, as an operator pastes `ss -a 2>&1` (ss complains about kinds the kernel
# lacks).
for f in -a -tua -tuap -tuapei -tulpen -e -uan -tan; do ss $f >"$tmp/ss$f.txt" 2>&1; done
"$CONNWATCH" summary -a -p --json >"$tmp/live-p.json" || fail "summary -p failed"
netstat -ntua >"$tmp/netstat-ntua.after"
cmp -s "$tmp/netstat-ntua.ref" "$tmp/netstat-ntua.after" ||
  fail "sockets changed during the captures: $(diff "$tmp/netstat-ntua.ref" "$tmp/netstat-ntua.after")"

for ref in netstat-ntua ss-tanu; do
  "$CONNWATCH" import --json "$tmp/$ref.ref" >"$tmp/$ref.ref.json" 2>"$tmp/$ref.err" ||
    fail "import of $ref exited $?: $(cat "$tmp/$ref.err")"
done
[ "$(counts "$tmp/netstat-ntua.ref.json")" = "$(counts "$tmp/ss-tanu.ref.json")" ] ||
  fail "netstat -ntua and ss -tanu count differently"
ref=$tmp/ss-tanu.ref.json
# Every kind of socket the holder makes is in the reference, so each subset below is tested.
for k in tcp.LISTEN tcp.ESTABLISHED tcp.TIME_WAIT tcp.CLOSE_WAIT tcp.FIN_WAIT2 udp.UNCONN \
         udp.ESTABLISHED; do
  for fam in "" 6; do
    p=${k%%.*}$fam st=${k#*.}
    [ "$(jq ".protocols.$p.$st // 0" "$ref")" -gt 0 ] ||
      fail "no $p $st socket in the reference: $(jq -c .protocols "$ref")"
  done
done

for c in $captures; do
  f=${c%%:*} keep=${c#*:}
  "$CONNWATCH" import --json "$tmp/$f.txt" >"$tmp/$f.json" 2>"$tmp/$f.err"
  rc=$?
  [ $rc -eq 0 ] || fail "import of $f exited $rc: $(cat "$tmp/$f.err")"
  got=$(counts "$tmp/$f.json")
  want=$(subset "$ref" "$keep")
  [ "$got" = "$want" ] || fail "$f counts $got, the -n output of the same moment ($keep) $want"
  names=$(grep -c 'names were read' "$tmp/$f.err")
  case $f in
    *-n* | ss-tulpen | ss-uan | ss-tan) [ "$names" -eq 0 ] || fail "$f: names noted in -n output" ;;
    *) [ "$names" -eq 1 ] || fail "$f: want one note that names were read: $(cat "$tmp/$f.err")" ;;
  esac
  grep -q malformed "$tmp/$f.err" && fail "$f: a line was called malformed: $(cat "$tmp/$f.err")"
done
# netstat -p and ss -p name the process of each socket: the busiest processes are what
# summary -a -p finds live at the same moment (pid, name, sockets per state; no command line).
owners() { jq -cS '[.processes[]? | {pid, name, states, count}]' "$1"; }
want=$(owners "$tmp/live-p.json")
[ "$(jq '.processes | length' "$tmp/live-p.json")" -eq 1 ] || fail "summary -p: $want"
for f in netstat-tuap ss-tuap ss-tuapei; do
  [ "$(owners "$tmp/$f.json")" = "$want" ] ||
    fail "$f: processes $(owners "$tmp/$f.json"), summary -a -p at the same moment $want"
done
for f in netstat-tua ss-tua; do
  [ "$(owners "$tmp/$f.json")" = "[]" ] || fail "$f names processes: $(owners "$tmp/$f.json")"
done
# The UNIX socket (and ss's netlink ones) of netstat -a and ss -a: counted in one note.
for f in netstat-a ss-a; do
  [ "$(grep -c 'other socket kinds' "$tmp/$f.err")" -eq 1 ] || fail "$f: no note on other kinds: $(cat "$tmp/$f.err")"
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

#!/usr/bin/env bash
# `connwatch import` reads netstat and ss output as operators type it, not only -n: over the
# sockets tests/integration/service_sockets.py holds (well-known ports, so names are printed),
# each common flag combination, captured now, gives the same counts per protocol and state as
# the -n output of the same moment (kept to what the flags show), and says once that names were
# read; -p gives the processes summary -a -p finds. In a PID namespace of its own, so that -p
# walks only the test's processes. Input with no
# connection line at all is an error (exit 1), never "no warning signs".
set -u
. "$(dirname "$0")/lib.sh"
need_tool netstat
need_tool ss
need_tool jq
in_private_netns_and_pids "$@"
tmp=$(mktemp -d)
start_holder python3 "$HERE/service_sockets.py"
on_exit 'kill $HOLDER_PID 2>/dev/null; wait $HOLDER_PID 2>/dev/null; rm -rf "$tmp"'

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

# Each capture is taken between two `ss -tanu` that agree: its reference, the -n output of the
# same moment. (On a loaded machine the captures together may outlast TIME_WAIT's 60 s.)
capture() { # NAME COMMAND...
  local name=$1 try
  shift
  for try in 1 2 3; do
    ss -tanu >"$tmp/before"
    # ss's stderr is kept, as an operator pastes `ss -a 2>&1` (ss complains about kinds the
    # kernel lacks).
    "$@" >"$tmp/$name.txt" 2>&1
    ss -tanu >"$tmp/after"
    if cmp -s "$tmp/before" "$tmp/after"; then
      "$CONNWATCH" import --json "$tmp/before" >"$tmp/$name.ref.json" 2>"$tmp/$name.ref.err" ||
        fail "import of the reference of $name exited $?: $(cat "$tmp/$name.ref.err")"
      return 0
    fi
  done
  fail "sockets changed during $name, three times: $(diff "$tmp/before" "$tmp/after")"
}
# What each capture shows of its reference: NAME:KEEP (see subset).
captures="netstat-ntua:all netstat-tua:all netstat-tuae:all netstat-tuap:all netstat-tuao:all
  netstat-a:all ss-a:all ss-tua:all ss-tuap:all ss-tuapei:all ss-tulpen:listening ss-e:connected
  ss-uan:udp ss-tan:tcp"
for c in $captures; do
  f=${c%%:*}
  capture "$f" "${f%%-*}" "-${f#*-}"
done
# The first capture, netstat -ntua, counts as its ss -tanu reference does, and that reference has
# every kind of socket the holder makes, so that each subset below is tested.
ref=$tmp/netstat-ntua.ref.json
[ "$("$CONNWATCH" import --json "$tmp/netstat-ntua.txt" | counts /dev/stdin)" = "$(counts "$ref")" ] ||
  fail "netstat -ntua and ss -tanu count differently"
for k in tcp.LISTEN tcp.ESTABLISHED tcp.TIME_WAIT tcp.CLOSE_WAIT tcp.FIN_WAIT2 udp.UNCONN \
         udp.ESTABLISHED; do
  for fam in "" 6; do
    p=${k%%.*}$fam st=${k#*.}
    [ "$(jq ".protocols.$p.$st // 0" "$ref")" -gt 0 ] ||
      fail "no $p $st socket in the reference: $(jq -c .protocols "$ref")"
  done
done
"$CONNWATCH" summary -a -p --json >"$tmp/live-p.json" || fail "summary -p failed"

for c in $captures; do
  f=${c%%:*} keep=${c#*:}
  "$CONNWATCH" import --json "$tmp/$f.txt" >"$tmp/$f.json" 2>"$tmp/$f.err"
  rc=$?
  [ $rc -eq 0 ] || fail "import of $f exited $rc: $(cat "$tmp/$f.err")"
  got=$(counts "$tmp/$f.json")
  want=$(subset "$tmp/$f.ref.json" "$keep")
  [ "$got" = "$want" ] || fail "$f counts $got, the -n output of the same moment ($keep) $want"
  names=$(grep -c 'names were read' "$tmp/$f.err")
  case $f in
    *-n* | ss-tulpen | ss-uan | ss-tan) [ "$names" -eq 0 ] || fail "$f: names noted in -n output" ;;
    *) [ "$names" -eq 1 ] || fail "$f: want one note that names were read: $(cat "$tmp/$f.err")" ;;
  esac
  grep -q malformed "$tmp/$f.err" && fail "$f: a line was called malformed: $(cat "$tmp/$f.err")"
done
# netstat -p and ss -p name the process of each socket: the busiest processes are what
# summary -a -p finds live (pid, name, sockets per state; no command line; the sockets without
# a process, TIME_WAIT and the orphaned FIN_WAIT2, are the only ones that may come and go).
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
[ "$(jq -c .local_ports "$tmp/netstat-tua.json")" = "$(jq -c .local_ports "$tmp/netstat-tua.ref.json")" ] ||
  fail "local ports differ between names and numbers"

# Names are kept as printed and grouped by: the busiest remote "address" of netstat -tua is the
# name localhost, holding what 127.0.0.1 holds in the -n output.
named=$(jq -r '.remote_ips[] | select(.address == "localhost") | .count' "$tmp/netstat-tua.json")
numeric=$(jq -r '.remote_ips[] | select(.address == "127.0.0.1") | .count' "$tmp/netstat-tua.ref.json")
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

#!/usr/bin/env bash
# The states that need dropped packets, on real sockets in a private network namespace (nftables
# rules there vanish with it): SYN_SENT, SYN_RECV (request sockets), LAST_ACK, CLOSING and
# FIN_WAIT1, IPv4 and IPv6, next to the ESTABLISHED/LISTEN/TIME_WAIT/CLOSE_WAIT/FIN_WAIT2/UDP
# scenario. connwatch's rows and per-state counts equal netstat's and ss's, from both sources.
# Also proves the SYN_RECV request sockets come through the legacy TCPDIAG_GETSOCK request.
set -u
. "$(dirname "$0")/lib.sh"
need_tool netstat
need_tool ss
need_tool nft
in_private_netns "$@"

start_holder python3 "$HERE/sockets.py" basic handshake closing

for source in netlink proc; do
  python3 "$HERE/compare.py" "$CONNWATCH" all --source $source ||
    fail "list -a --source $source differs from netstat -ntua / ss -tanu"
  python3 "$HERE/compare.py" "$CONNWATCH" default --source $source ||
    fail "list --source $source differs from netstat -ntu / ss"
  rows=$("$CONNWATCH" list -a --source $source)
  for st in ESTABLISHED LISTEN TIME_WAIT CLOSE_WAIT FIN_WAIT2 SYN_SENT SYN_RECV LAST_ACK \
            CLOSING FIN_WAIT1; do
    for proto in tcp tcp6; do
      echo "$rows" | grep -q "^$proto .* $st\$" || fail "--source $source: no $proto $st row"
    done
  done
done

# Request sockets through each netlink request kind. Both families in one request is the legacy
# TCPDIAG_GETSOCK (AF_UNSPEC) walk; one family is a SOCK_DIAG_BY_FAMILY request. The recording
# keeps the kernel's replies, whose nlmsg_type says which request the kernel answered.
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"; kill $HOLDER_PID 2>/dev/null'
"$CONNWATCH" list --state syn-recv --record "$tmp/legacy.rec" >"$tmp/legacy.txt" ||
  fail "list --state syn-recv failed"
[ "$(grep -c ' SYN_RECV$' "$tmp/legacy.txt")" -eq 2 ] ||
  fail "expected 2 SYN_RECV rows (IPv4, IPv6) from the legacy request: $(cat "$tmp/legacy.txt")"
python3 "$HERE/recording.py" types "$tmp/legacy.rec" >"$tmp/legacy.types" ||
  fail "cannot read the recording"
grep -qx "TCPDIAG_GETSOCK inet SYN_RECV" "$tmp/legacy.types" &&
  grep -qx "TCPDIAG_GETSOCK inet6 SYN_RECV" "$tmp/legacy.types" ||
  fail "SYN_RECV request sockets did not come through TCPDIAG_GETSOCK: $(cat "$tmp/legacy.types")"
for fam in 4 6; do
  n=$("$CONNWATCH" list -$fam --state syn-recv --no-header | grep -c ' SYN_RECV$')
  [ "$n" -eq 1 ] || fail "list -$fam --state syn-recv shows $n rows, expected 1"
done

# Record every state live, replay it: the same table.
"$CONNWATCH" list -a --record "$tmp/all.rec" >"$tmp/live.txt" || fail "list -a --record failed"
"$CONNWATCH" list -a --replay "$tmp/all.rec" >"$tmp/replay.txt" || fail "replay failed"
diff -u "$tmp/live.txt" "$tmp/replay.txt" || fail "replay differs from the live read it recorded"
echo "# record/replay: $(($(wc -l <"$tmp/live.txt") - 1)) rows replayed identically"
echo ok

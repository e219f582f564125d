#!/usr/bin/env bash
# --port, --local, --remote and --state go to the kernel as inet_diag bytecode: on sockets held on
# several ports and addresses (IPv4, IPv6, IPv4-mapped, UDP, TIME_WAIT) every filter kind shows
# exactly the rows of the user-space filter (--source proc) and of ss with the same filter
# (kernel_filter.py); a recording holds only what the kernel sent, so the kernel really filtered;
# a refused filter program falls back to the user-space filter.
set -u
. "$(dirname "$0")/lib.sh"
need_tool ss
need_tool strace
in_private_netns "$@"
ip -6 addr add 2001:db8::1/128 dev lo nodad || fail "cannot add 2001:db8::1 to lo"
ip -6 addr add 2001:db8:1::2/128 dev lo nodad || fail "cannot add 2001:db8:1::2 to lo"

start_holder python3 "$HERE/sockets.py" addresses
tmp=$(mktemp -d)
on_exit 'kill $HOLDER_PID 2>/dev/null; wait $HOLDER_PID 2>/dev/null; rm -rf "$tmp"'

python3 "$HERE/kernel_filter.py" "$CONNWATCH" || fail "the kernel filter and the user-space filter differ"

# The recording holds the kernel's replies: with the filter in the kernel, only matching sockets.
# (Not the TIME_WAIT socket: it lives 60 s, less than a slow run of this test.)
F=(--port 7001 --state established,listen)
"$CONNWATCH" list -a "${F[@]}" --record "$tmp/rec" >"$tmp/live" || fail "list --record failed"
"$CONNWATCH" list -a --replay "$tmp/rec" >"$tmp/replayed" || fail "replay failed"
diff -u "$tmp/live" "$tmp/replayed" || fail "the recording holds sockets the filter leaves out"
[ "$(wc -l <"$tmp/replayed")" -ge 6 ] || fail "too few rows recorded: $(cat "$tmp/replayed")"

# The one-walk legacy request (TCPDIAG_GETSOCK, AF_UNSPEC) accepts the program: three requests
# (TCP of both families, UDP per family), none refused or repeated, the TCP one longer than
# without a filter by the program (strace decodes the program of the UDP ones only).
traced() {
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    strace -f -qq -o "$tmp/strace" -e trace=sendto "$CONNWATCH" list -a "$@" >"$tmp/out" ||
    fail "list $* under strace failed"
  [ "$(grep -c 'sendto(' "$tmp/strace")" -eq 3 ] || fail "not three requests: $(cat "$tmp/strace")"
  head -n 1 "$tmp/strace" | sed -n 's/.*nlmsg_len=\([0-9]*\), nlmsg_type=TCPDIAG_GETSOCK.*/\1/p'
}
plain_len=$(traced)
filtered_len=$(traced "${F[@]}")
diff -u "$tmp/live" "$tmp/out" || fail "rows differ under strace"
[ -n "$plain_len" ] && [ "$filtered_len" -gt "$plain_len" ] ||
  fail "the legacy TCP request carries no program: $plain_len vs $filtered_len bytes"
[ "$(grep -c 'INET_DIAG_REQ_BYTECODE' "$tmp/strace")" -eq 2 ] || fail "a UDP request without program"

# A refused program (simulated: the kernel's audit answers EINVAL, here the first two sends of a
# dump with bytecode fail with EINVAL) is dropped: the same rows, read without it, recording too.
refused() {
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    strace -f -qq -o "$tmp/strace" -e trace=sendto -e inject=sendto:error=EINVAL:when=1..2 "$@"
}
refused "$CONNWATCH" list -a "${F[@]}" --record "$tmp/rec2" >"$tmp/out" 2>"$tmp/err" ||
  fail "list under a refused filter failed: $(cat "$tmp/err")"
diff -u "$tmp/live" "$tmp/out" || fail "rows differ after the refused filter"
[ -s "$tmp/err" ] && fail "a refused filter printed on stderr: $(cat "$tmp/err")"
grep -q 'INET_DIAG_REQ_BYTECODE.*EINVAL' "$tmp/strace" || fail "no refused send with bytecode: $(cat "$tmp/strace")"
tail -n 1 "$tmp/strace" | grep -q 'BYTECODE' && fail "the last request still carried bytecode"
"$CONNWATCH" list -a "${F[@]}" --replay "$tmp/rec2" >"$tmp/replayed" || fail "replay of the fallback recording failed"
diff -u "$tmp/live" "$tmp/replayed" || fail "the fallback recording replays differently"
echo ok

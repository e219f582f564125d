#!/usr/bin/env bash
# A real SYN flood (300 bare SYNs from 30 loopback sources, raw socket) against a listener makes
# `summary --json` report syn_flood naming the port and the flooding sources. Inside a private
# network namespace; nft drops this host's RSTs so the half-open sockets stay.
set -u
. "$(dirname "$0")/lib.sh"
need_tool nft
need_tool python3
in_private_netns "$@"

nft -f - <<'NFT' || fail "cannot add the nft rule in the test namespace"
table inet cwtest {
  chain out { type filter hook output priority 0; tcp flags & rst == rst drop; }
}
NFT
start_holder python3 "$HERE/diag_load.py" synflood 8080 300 30

# SYN_RECV sockets appear as the kernel answers; wait for them, bounded.
wait_syn_recv 300

json=$("$CONNWATCH" summary --json) || fail "summary failed"
python3 "$HERE/diag_check.py" warning syn_flood <<<"$json" port=8080 count=300 \
  distinct_sources=30 top_sources~=127.0.1. listening=True || exit 1
# The text view names it too.
"$CONNWATCH" summary | grep -q "syn_flood: 300 .*8080" || fail "text summary lacks syn_flood"
echo ok

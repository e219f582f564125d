#!/usr/bin/env bash
# A SYN flood from 5,000 spoofed sources spread over 10.99.0.0/16 (raw socket, inside a private
# network namespace): the syn_flood evidence names the network in one line, 10.99.0.0/16, not
# the /24s it is made of. The sources are a test-made range; the SYN-ACKs are routed through a
# veth pair of the namespace to a gateway that does not exist, so nothing answers and nothing
# leaves the namespace.
set -u
. "$(dirname "$0")/lib.sh"
need_tool python3
need_tool ip
in_private_netns "$@"

ip link add cwsyn0 type veth peer name cwsyn1 || fail "cannot create a veth pair in the test namespace"
ip link set cwsyn0 up && ip link set cwsyn1 up || fail "cannot bring the veth pair up"
ip addr add 198.18.0.1/24 dev cwsyn0 || fail "cannot address the veth"
ip route add 10.99.0.0/16 via 198.18.0.2 dev cwsyn0 || fail "cannot route the test range"
# The namespace's own limits: the request queue must hold all 5,000 (no syncookies instead).
sysctl -qw net.core.somaxconn=16384 net.ipv4.tcp_max_syn_backlog=16384 \
  || fail "cannot raise the request queue limits in the test namespace"
start_holder python3 "$HERE/diag_load.py" synnet 8080 5000 10.99 198.18.0.1

# The kernel prunes unanswered requests of a long queue after their first timeout (1 s), so
# the count then drifts down a little: the checks take the count each run reports.
wait_syn_recv 4000

json=$("$CONNWATCH" summary --json) || fail "summary failed"
python3 - "$json" <<'PY' || exit 1
import json, sys
doc = json.loads(sys.argv[1])
w = [w for w in doc["warnings"] if w["id"] == "syn_flood"]
assert w, "no syn_flood warning: %s" % doc["warnings"]
ev = w[0]["evidence"]
n = ev["count"]
assert ev["port"] == 8080 and 4000 <= n <= 5000, ev
assert ev["distinct_sources"] == n, ev
nets = ev["top_networks"]
assert nets == [{"address": "10.99.0.0/16", "count": n}], nets
assert ev["networks_count"] == n, ev
assert all(s["address"].startswith("10.99.") for s in ev["top_sources"]), ev["top_sources"]
assert "count_error_max" not in ev, ev  # 5,000 sources fit the bounded tallies: exact
print("ok: " + w[0]["message"])
PY
text=$("$CONNWATCH" summary)
grep -Eq "top source networks: 10\.99\.0\.0/16 \([0-9]+\)$" <<<"$text" || fail "text summary lacks the /16: $text"
echo ok

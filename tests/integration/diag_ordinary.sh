#!/usr/bin/env bash
# An ordinary moment (a listener, 30 established connections, 3 TIME_WAIT) gives no warning,
# and the counts match the sockets made.
set -u
. "$(dirname "$0")/lib.sh"
need_tool python3
in_private_netns "$@"

start_holder python3 "$HERE/diag_load.py" ordinary 8083
json=$("$CONNWATCH" summary --json) || fail "summary failed"
python3 "$HERE/diag_check.py" none <<<"$json" || exit 1
JSON=$json python3 - <<'PY' || fail "summary counts are wrong"
import json, os
d = json.loads(os.environ["JSON"])
assert d["states"] == {"ESTABLISHED": 60, "TIME_WAIT": 3}, d["states"]
assert d["total"] == 63 and d["listening"] == 1, d
assert d["remote_ips"] == [{"address": "127.0.0.1", "count": 63}], d["remote_ips"]
assert d["local_ports"][0] == {"port": 8083, "count": 30}, d["local_ports"]
PY
"$CONNWATCH" summary | grep -q "No warning signs" || fail "text summary warns"
echo ok

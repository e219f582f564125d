#!/usr/bin/env bash
# Issue 13: a client's ephemeral ports never name a series in /metrics (port labels, the port of
# an endpoint label) nor a line of summary's busiest local ports; service ports (listening, or
# outside ip_local_port_range) do.
set -u
. "$(dirname "$0")/lib.sh"
need_tool python3
in_private_netns "$@"
tmp=$(mktemp -d)
on_exit 'kill ${HOLDER_PID:-} 2>/dev/null; rm -rf "$tmp"'
sysctl -qw net.ipv4.ip_local_port_range="40000 49999" || fail "cannot set the port range in the test netns"

# A service on 8090 with 12 clients (ephemeral local ports 40000-49999), 3 of which the server
# closed first (server-side TIME_WAIT toward a client's ephemeral port) and 4 the clients closed
# first (client-side TIME_WAIT toward 127.0.0.1:8090), plus 5 CLOSE_WAIT on the clients' side.
cat >"$tmp/hold.py" <<'PY'
import socket, sys, time
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 8090)); srv.listen(64)
held = [srv]
def pair():
    c = socket.create_connection(("127.0.0.1", 8090)); a, _ = srv.accept(); return c, a
for _ in range(12):
    held += pair()
for _ in range(3):            # server closes first: TIME_WAIT on 8090's side
    c, a = pair(); a.close(); c.recv(1); c.close()
for _ in range(4):            # client closes first: TIME_WAIT on the client's side
    c, a = pair(); c.close(); a.recv(1); a.close()
for _ in range(5):            # the server hangs up, the client never closes: client CLOSE_WAIT
    c, a = pair(); a.close(); held.append(c)
time.sleep(0.3)
print("READY", flush=True)
time.sleep(60)
PY
start_holder python3 "$tmp/hold.py"

"$CONNWATCH" serve --textfile "$tmp/m.prom" --top 100 2>"$tmp/err" || fail "serve --textfile failed: $(cat "$tmp/err")"
python3 - "$tmp/m.prom" <<'PY' || fail "metrics labels: $(grep -E 'port=|endpoint=|close_wait"' "$tmp/m.prom")"
import re, sys
text = open(sys.argv[1]).read()
ports = [int(p) for p in re.findall(r'port="(\d+)"', text)]
ends = [int(p) for p in re.findall(r'endpoint="[^"]*:(\d+)"', text)]
assert ports or ends, "no per-port series at all"
bad = [p for p in ports + ends if 40000 <= p <= 49999]
assert not bad, ("ephemeral ports in labels", bad)
m = re.search(r'connwatch_local_port_connections\{port="8090"\} (\d+)', text)
assert m and int(m.group(1)) >= 12, "the service port is missing"
assert 'connwatch_time_wait_by_remote{endpoint="127.0.0.1:8090"} 4' in text, "client TIME_WAIT toward the service missing"
# the sockets are still counted
m = re.search(r'connwatch_connections\{proto="tcp",family="ipv4",state="close_wait"\} (\d+)', text)
assert m and int(m.group(1)) == 5, m and m.group(0)
PY

"$CONNWATCH" summary --json >"$tmp/s.json" || fail "summary --json failed"
python3 - "$tmp/s.json" <<'PY' || fail "summary's busiest local ports: $(cat "$tmp/s.json")"
import json, sys
d = json.load(open(sys.argv[1]))
ports = [p["port"] for p in d["local_ports"]]
assert ports == [8090], ports
PY
"$CONNWATCH" summary >"$tmp/s.txt" || fail "summary failed"
sed -n '/Busiest local ports/,/^$/p' "$tmp/s.txt" | grep -q ' 4[0-9]\{4\} ' && fail "ephemeral port in summary: $(cat "$tmp/s.txt")"
sed -n '/Busiest local ports/,/^$/p' "$tmp/s.txt" | grep -q '8090' || fail "8090 not in summary: $(cat "$tmp/s.txt")"
echo ok

#!/usr/bin/env bash
# Slow, idle and malformed clients cannot lock Prometheus out of `serve` (issue 11, points 2 and 3):
# - 32 clients from 127.0.0.1 and 64 from 127.0.0.2-9 sending a header line every second: every
#   scrape still succeeds, and each slow client is closed (the per-address limit makes room, the
#   5 s head deadline ends the rest) although it never stops sending;
# - 1,000 idle connections from 100 addresses (more than the global limit): scrapes succeed;
# - 300 query arguments, or 20 KB of binary junk: a 4xx at once, the slot is freed;
# - scrapes in a burst are computed about once a second (connwatch_metrics_renders_total).
# Everything runs on loopback in a private network namespace; every client count and wait is
# bounded.
set -u
. "$(dirname "$0")/lib.sh"
need_tool curl
need_tool python3
in_private_netns "$@"
ulimit -n 20000 2>/dev/null || ulimit -n 4096
tmp=$(mktemp -d)
PORT=9877
URL=http://127.0.0.1:$PORT
"$CONNWATCH" serve --listen 127.0.0.1:$PORT 2>"$tmp/serve.err" &
SERVE=$!
FLOODS=
on_exit 'kill $SERVE $FLOODS 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"'
for _ in $(seq 100); do curl -sf -o /dev/null "$URL/" && break; sleep 0.1; done
curl -sf -o /dev/null "$URL/" || fail "serve did not answer: $(cat "$tmp/serve.err")"

# A scrape from ADDR must get a complete document.
scrape() { # WHAT [SOURCE_ADDRESS]
  local c
  c=$(curl -s -o "$tmp/body" -w '%{http_code}' --max-time 20 ${2:+--interface "$2"} "$URL/metrics")
  [ "$c" = 200 ] || fail "scrape during $1 answered $c"
  grep -q '^connwatch_scrape_duration_seconds ' "$tmp/body" || fail "scrape during $1 truncated"
}

# start_flood NAME ARGS...: starts http_flood.py and waits for READY.
start_flood() {
  local name=$1; shift
  python3 "$HERE/http_flood.py" $PORT "$@" >"$tmp/$name" 2>&1 &
  FLOODS="$FLOODS $!"
  eval "${name}_pid=$!"
  for _ in $(seq 400); do grep -q READY "$tmp/$name" && return 0; sleep 0.1; done
  fail "$name clients not ready: $(cat "$tmp/$name")"
}

# --- slow clients --------------------------------------------------------------------------------
start_flood slow1 slow 32 1 1 12
start_flood slow2 slow 64 2 9 12
grep -q "READY 32" "$tmp/slow1" && grep -q "READY 64" "$tmp/slow2" ||
  fail "slow clients could not connect: $(cat "$tmp/slow1" "$tmp/slow2")"
for i in 1 2 3; do
  scrape "96 slow clients (127.0.0.1)"
  scrape "96 slow clients (127.0.0.5)" 127.0.0.5
  sleep 1
done
wait $slow1_pid $slow2_pid
# Each kept sending a line a second for 12 s: only the server can have closed them.
grep -q "closed 32 of 32" "$tmp/slow1" || fail "slow clients from 127.0.0.1 kept open: $(cat "$tmp/slow1")"
grep -q "closed 64 of 64" "$tmp/slow2" || fail "slow clients from 127.0.0.2-9 kept open: $(cat "$tmp/slow2")"

# --- 1,000 idle connections ------------------------------------------------------------------------
start_flood idle idle 1000 10 109 6
scrape "1,000 idle connections"
scrape "1,000 idle connections (127.0.0.50)" 127.0.0.50
wait $idle_pid
grep -q "READY 1000" "$tmp/idle" || fail "idle clients could not all connect: $(cat "$tmp/idle")"

# --- requests that can never be served: 4xx at once ----------------------------------------------
q=$(python3 -c 'print("&".join("a%d=1" % i for i in range(300)))')
c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$URL/metrics?$q")
case "$c" in 4*) ;; *) fail "300 query arguments answered $c" ;; esac
r=$(python3 - $PORT <<'PY'
import os, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(5)
junk = bytes((b * 7 + 1) % 256 for b in range(20480))  # fixed, not HTTP
try:
    s.sendall(junk)
except OSError:
    pass
try:
    print(s.recv(200).split(b"\r\n")[0].decode("latin-1") or "closed")
except OSError as e:
    print("no answer: %s" % e)
PY
)
case "$r" in "HTTP/1.1 4"*) ;; *) fail "20 KB of binary junk answered: $r" ;; esac
scrape "after the malformed requests"

# --- a burst of scrapes is computed about once a second -------------------------------------------
sleep 1.1
t0=$(date +%s%N)
urls=$(for _ in $(seq 20); do printf '%s ' "$URL/metrics"; done)
curl -s $urls >"$tmp/burst" || fail "burst of scrapes failed"
t1=$(date +%s%N)
mapfile -t renders < <(grep '^connwatch_metrics_renders_total ' "$tmp/burst" | cut -d' ' -f2)
[ ${#renders[@]} -eq 20 ] || fail "burst: ${#renders[@]} documents, expected 20"
elapsed_s=$(( (t1 - t0) / 1000000000 ))
computed=$(( renders[19] - renders[0] ))
# At most one computation per started second of the burst, however slow the machine is.
[ $computed -le $((elapsed_s + 1)) ] ||
  fail "20 scrapes in ${elapsed_s}s were computed $computed more times (no cache?)"

kill -TERM $SERVE
wait $SERVE; rc=$?
[ $rc -eq 0 ] || fail "serve exited $rc: $(cat "$tmp/serve.err")"
grep -Eq "[1-9][0-9]* closed to make room" "$tmp/serve.err" || fail "no connection was closed to make room: $(cat "$tmp/serve.err")"
echo ok

#!/usr/bin/env bash
# connwatch serve against curl and misbehaving clients: /metrics accepted by promtool, HEAD, 404,
# 405 with Allow, concurrent scrapes, an oversized, a slowly sent, a stalled and a garbage request;
# the service keeps answering and stops cleanly on SIGTERM. --textfile replaces its file
# atomically and never clobbers it on failure. Everything runs in a private network namespace.
set -u
. "$(dirname "$0")/lib.sh"
need_tool curl
need_tool promtool
need_tool python3
in_private_netns "$@"
tmp=$(mktemp -d)
PORT=9877
"$CONNWATCH" serve --listen 127.0.0.1:$PORT --listen "[::1]:$PORT" 2>"$tmp/serve.err" &
SERVE=$!
on_exit 'kill $SERVE 2>/dev/null; wait $SERVE 2>/dev/null; rm -rf "$tmp"'
URL=http://127.0.0.1:$PORT
for _ in $(seq 50); do curl -sf -o /dev/null "$URL/" && break; sleep 0.1; done
curl -sf -o /dev/null "$URL/" || fail "serve did not answer within 5 s: $(cat "$tmp/serve.err")"

code() { curl -s -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' --max-time 10 "$@"; }
alive() { [ "$(code "$URL/metrics")" = 200 ] || fail "service stopped answering after $1"; }

[ "$(code "$URL/metrics")" = 200 ] || fail "/metrics not 200"
grep -qi '^content-type: text/plain; version=0.0.4' "$tmp/headers" || fail "wrong content type"
promtool check metrics <"$tmp/body" >"$tmp/lint" 2>&1 || fail "promtool rejects /metrics: $(cat "$tmp/lint")"
[ -s "$tmp/lint" ] && fail "promtool lint findings: $(cat "$tmp/lint")"
grep -q '^connwatch_connections{proto="tcp",family="ipv4",state="listen"} [1-9]' "$tmp/body" ||
  fail "serve's own listener not counted"
grep -q '^# HELP connwatch_scrape_duration_seconds ' "$tmp/body" || fail "no scrape duration"

[ "$(code "http://[::1]:$PORT/metrics")" = 200 ] || fail "IPv6 listener not answering"
[ "$(code "$URL/")" = 200 ] && grep -q 'href="/metrics"' "$tmp/body" || fail "index page"
[ "$(code -I "$URL/metrics")" = 200 ] || fail "HEAD not 200"
grep -q connwatch_ "$tmp/body" && fail "HEAD returned a body"
grep -qi '^content-length: [1-9]' "$tmp/headers" || fail "HEAD without content-length"
[ "$(code "$URL/nope")" = 404 ] || fail "unknown path not 404"
[ "$(code "$URL/metrics/../etc/passwd")" = 404 ] || fail "path trick not 404"
for m in POST PUT DELETE OPTIONS TRACE; do
  [ "$(code -X $m "$URL/metrics")" = 405 ] || fail "$m not 405"
  grep -qi '^allow: GET, HEAD' "$tmp/headers" || fail "$m: 405 without Allow"
done

# Keep-alive: Prometheus reuses its connection from scrape to scrape.
curl -sv -o /dev/null -o /dev/null "$URL/metrics" "$URL/metrics" 2>"$tmp/v"
grep -q "Re-using existing connection" "$tmp/v" || fail "connection not kept alive: $(grep -i connection "$tmp/v")"
# A GET with a body is refused (413), not read.
[ "$(code -X GET --data-binary "@$0" "$URL/metrics")" = 413 ] || fail "GET with a body not 413"
alive "a GET with a body"

# 16 concurrent scrapes all succeed with a complete document.
for i in $(seq 16); do
  curl -s -o "$tmp/c$i" -w '%{http_code}' --max-time 20 "$URL/metrics" >"$tmp/s$i" &
done
wait $(jobs -p | grep -v "^$SERVE\$") 2>/dev/null
for i in $(seq 16); do
  [ "$(cat "$tmp/s$i")" = 200 ] || fail "concurrent scrape $i: $(cat "$tmp/s$i")"
  grep -q '^connwatch_scrape_duration_seconds ' "$tmp/c$i" || fail "concurrent scrape $i truncated"
done

# Oversized request headers (64 KiB) are refused, the service lives on.
big=$(head -c 65536 /dev/zero | tr '\0' a)
c=$(code -H "X-Big: $big" "$URL/metrics")
case "$c" in 4*|000) ;; *) fail "oversized request answered $c" ;; esac
alive "an oversized request"

# Garbage, stalled half-requests and a slowly sent request.
r=$(python3 "$HERE/http_abuse.py" $PORT garbage)
case "$r" in "HTTP/1."*" 400 "*|closed|"no answer") ;; *) fail "garbage request answered: $r" ;; esac
alive "a garbage request"
python3 "$HERE/http_abuse.py" $PORT stall 20 >"$tmp/stall" &
STALL=$!
for _ in $(seq 50); do grep -q READY "$tmp/stall" && break; sleep 0.1; done
alive "20 stalled connections"
r=$(python3 "$HERE/http_abuse.py" $PORT slow)
case "$r" in "HTTP/1.1 200 "*) ;; *) fail "slowly sent request answered: $r" ;; esac
alive "a slowly sent request"
kill $STALL 2>/dev/null; wait $STALL 2>/dev/null

# SIGTERM: clean stop, exit 0, a message saying so.
kill -TERM $SERVE
for _ in $(seq 50); do kill -0 $SERVE 2>/dev/null || break; sleep 0.1; done
kill -0 $SERVE 2>/dev/null && fail "serve still running 5 s after SIGTERM"
wait $SERVE; rc=$?
[ $rc -eq 0 ] || fail "serve exited $rc after SIGTERM: $(cat "$tmp/serve.err")"
grep -q "stopping" "$tmp/serve.err" || fail "no stop message"

# SIGINT (Ctrl-C in a terminal) stops it the same way.
"$CONNWATCH" serve --listen 127.0.0.1:9879 2>"$tmp/int.err" &
INT=$!
for _ in $(seq 50); do curl -sf -o /dev/null http://127.0.0.1:9879/ && break; sleep 0.1; done
kill -INT $INT
for _ in $(seq 50); do kill -0 $INT 2>/dev/null || break; sleep 0.1; done
kill -0 $INT 2>/dev/null && fail "serve still running 5 s after SIGINT"
wait $INT; rc=$?
[ $rc -eq 0 ] || fail "serve exited $rc after SIGINT: $(cat "$tmp/int.err")"

# A port already taken: clear error naming it, exit 1.
python3 -c 'import socket,time; s=socket.socket(); s.bind(("127.0.0.1", 9878)); s.listen(); print("READY", flush=True); time.sleep(20)' >"$tmp/busy" &
BUSY=$!
for _ in $(seq 50); do grep -q READY "$tmp/busy" && break; sleep 0.1; done
"$CONNWATCH" serve --listen 127.0.0.1:9878 2>"$tmp/err"; rc=$?
kill $BUSY; wait $BUSY 2>/dev/null
[ $rc -eq 1 ] && grep -q "127.0.0.1:9878" "$tmp/err" || fail "busy port: rc $rc, $(cat "$tmp/err")"
"$CONNWATCH" serve --textfile "$tmp/x.prom" --listen 127.0.0.1:1 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && [ ! -e "$tmp/x.prom" ] || fail "--textfile with --listen: rc $rc"
"$CONNWATCH" serve --top 0 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q -- "--top" "$tmp/err" || fail "--top 0: rc $rc, $(cat "$tmp/err")"
"$CONNWATCH" serve --listen localhost:80 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "ADDR:PORT" "$tmp/err" || fail "bad --listen: rc $rc, $(cat "$tmp/err")"

# --textfile: the file appears complete, with the same metrics; a failed write leaves the old one.
"$CONNWATCH" serve --textfile "$tmp/connwatch.prom" || fail "--textfile failed"
promtool check metrics <"$tmp/connwatch.prom" || fail "promtool rejects the textfile"
ls "$tmp" | grep -q 'connwatch.prom.tmp' && fail "temporary file left behind"
"$CONNWATCH" serve --textfile "$tmp/missing-dir/x.prom" 2>"$tmp/err" && fail "write into a missing dir succeeded"
grep -q "missing-dir" "$tmp/err" || fail "textfile error does not name the path: $(cat "$tmp/err")"
# A full file system (a 4 KiB tmpfs in a private mount namespace): the old file must survive.
mkdir "$tmp/full"
unshare -m sh -c '
  mount -t tmpfs -o size=4k tmpfs "$1" || exit 99
  echo "old content" >"$1/c.prom"
  "$2" serve --textfile "$1/c.prom" 2>"$1/../full.err" && exit 98
  [ "$(cat "$1/c.prom")" = "old content" ] || exit 97
  ls "$1" | grep -q tmp && exit 96
  exit 0' sh "$tmp/full" "$CONNWATCH"
rc=$?
[ $rc -eq 0 ] || fail "full file system case failed (code $rc): $(cat "$tmp/full.err" 2>/dev/null)"
echo ok

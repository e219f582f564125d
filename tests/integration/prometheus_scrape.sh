#!/usr/bin/env bash
# A real Prometheus server scrapes connwatch serve inside a private network namespace; the test
# makes an exact number of IPv6 TIME_WAIT sockets (Prometheus itself talks IPv4, so it cannot add
# to them) and finds that number through Prometheus's HTTP API.
set -u
. "$(dirname "$0")/lib.sh"
need_tool prometheus
need_tool curl
need_tool jq
need_tool ss
in_private_netns "$@"
tmp=$(mktemp -d)
N=37
start_holder python3 "$HERE/time_wait_maker.py" $N
have=$(ss -Htan state time-wait | wc -l)
[ "$have" -eq $N ] || fail "setup: ss sees $have TIME_WAIT sockets, expected $N"

"$CONNWATCH" serve --listen 127.0.0.1:9877 2>"$tmp/serve.err" &
SERVE=$!
cat >"$tmp/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: connwatch
    static_configs:
      - targets: ['127.0.0.1:9877']
YML
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/data" \
  --web.listen-address=127.0.0.1:9090 --log.level=warn >"$tmp/prom.log" 2>&1 &
PROM=$!
on_exit 'kill $PROM $SERVE $HOLDER_PID 2>/dev/null; wait $PROM $SERVE $HOLDER_PID 2>/dev/null; rm -rf "$tmp"'

query() {
  curl -s --max-time 2 "http://127.0.0.1:9090/api/v1/query" --data-urlencode "query=$1" |
    jq -r '.data.result[0].value[1] // empty' 2>/dev/null
}
got=
for _ in $(seq 60); do
  got=$(query 'connwatch_connections{proto="tcp",family="ipv6",state="time_wait"}')
  [ -n "$got" ] && break
  kill -0 $PROM 2>/dev/null || fail "prometheus died: $(cat "$tmp/prom.log")"
  sleep 0.5
done
[ -n "$got" ] || fail "no connwatch sample in Prometheus after 30 s: $(cat "$tmp/prom.log" "$tmp/serve.err")"
[ "$got" = $N ] || fail "Prometheus says $got TIME_WAIT sockets, the test made $N"
[ "$(query 'up{job="connwatch"}')" = 1 ] || fail "target not up"
d=$(query 'connwatch_scrape_duration_seconds')
[ -n "$d" ] || fail "no scrape duration in Prometheus"
echo "ok: Prometheus reports $got TIME_WAIT sockets (made $N), scrape took ${d}s"

#!/usr/bin/env bash
# contrib/ against the real exporter: promtool checks and unit-tests the alert rules, and every
# metric name the rules, the Grafana dashboard and docs/metrics.md use exists in real /metrics
# output (and every exported metric is documented).
set -u
. "$(dirname "$0")/lib.sh"
need_tool promtool
need_tool curl
need_tool jq
in_private_netns "$@"
SRC=$(cd "$HERE/../.." && pwd)
tmp=$(mktemp -d)
# Real sockets in several states (two CLOSE_WAIT among them), so the evidence families have samples.
start_holder python3 "$HERE/sockets.py"
"$CONNWATCH" serve --listen 127.0.0.1:9877 2>"$tmp/serve.err" &
SERVE=$!
on_exit 'kill $SERVE $HOLDER_PID 2>/dev/null; wait $SERVE $HOLDER_PID 2>/dev/null; rm -rf "$tmp"'

promtool check rules "$SRC/contrib/prometheus/connwatch-rules.yml" >"$tmp/out" 2>&1 ||
  fail "promtool check rules: $(cat "$tmp/out")"
(cd "$SRC/contrib/prometheus" && promtool test rules connwatch-rules.test.yml) >"$tmp/out" 2>&1 ||
  fail "promtool test rules: $(cat "$tmp/out")"
jq -e '.panels | length > 0' "$SRC/contrib/grafana/connwatch.json" >/dev/null ||
  fail "dashboard is not JSON with panels"

for _ in $(seq 50); do curl -sf -o "$tmp/metrics" http://127.0.0.1:9877/metrics && break; sleep 0.1; done
[ -s "$tmp/metrics" ] || fail "no /metrics: $(cat "$tmp/serve.err")"
# A second scrape a little later, so the families that need two samples have theirs too.
sleep 1.1
curl -sf -o "$tmp/metrics" http://127.0.0.1:9877/metrics || fail "second scrape failed"
promtool check metrics <"$tmp/metrics" >"$tmp/lint" 2>&1 || fail "promtool: $(cat "$tmp/lint")"
sed -n 's/^# TYPE \([a-z_]*\) .*/\1/p' "$tmp/metrics" | sort -u >"$tmp/exported"
[ "$(wc -l <"$tmp/exported")" -ge 10 ] || fail "too few metric families: $(cat "$tmp/exported")"

used() { grep -o 'connwatch_[a-z_]*' "$@" | sort -u; }
for f in contrib/grafana/connwatch.json contrib/prometheus/connwatch-rules.yml \
         contrib/prometheus/connwatch-rules.test.yml; do
  for name in $(used "$SRC/$f"); do
    grep -qx "$name" "$tmp/exported" || fail "$f uses $name, which connwatch does not export"
  done
done
# docs/metrics.md: documents each exported family, and nothing that is not exported.
for name in $(cat "$tmp/exported"); do
  grep -q "^### \`$name\`" "$SRC/docs/metrics.md" || fail "docs/metrics.md does not document $name"
done
for name in $(sed -n 's/^### `\(connwatch_[a-z_]*\)`.*/\1/p' "$SRC/docs/metrics.md"); do
  grep -qx "$name" "$tmp/exported" || fail "docs/metrics.md documents $name, which is not exported"
done
# After two scrapes more than a second apart, the rate between them has a sample.
grep -q '^connwatch_time_wait_new_per_second ' "$tmp/metrics" ||
  fail "no TIME_WAIT rate after two scrapes"
# The CLOSE_WAIT sockets are over a second old by now: their age comes from tcp_info.
age=$(sed -n 's/^connwatch_close_wait_oldest_seconds //p' "$tmp/metrics")
[ -n "$age" ] && awk -v a="$age" 'BEGIN { exit !(a >= 1 && a < 120) }' ||
  fail "oldest CLOSE_WAIT age '$age', expected 1..120 s"
n=$(awk '/^connwatch_connections\{proto="tcp",.*state="close_wait"\}/ { s += $2 } END { print s+0 }' "$tmp/metrics")
[ "$n" -eq 2 ] || fail "CLOSE_WAIT count $n, the holder made 2"
grep -q '^connwatch_close_wait_by_port{port="[0-9]*"} 1$' "$tmp/metrics" || fail "no CLOSE_WAIT per port"
echo "ok: $(wc -l <"$tmp/exported") metric families, all used names exported and documented"

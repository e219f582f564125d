#!/usr/bin/env bash
# What one Prometheus scrape of `connwatch serve` costs on a large table, next to `connwatch
# summary -a` (the same counting and diagnosis, printed once) and `ss -tan` (only listing the
# rows), all on the same table: N established loopback pairs + TW TIME_WAIT + CW CLOSE_WAIT in a
# private network namespace (bench/summary_populate.py). Medians of hyperfine runs; serve's
# peak RSS (VmHWM) after the runs, and the size of one /metrics answer.
#
#   bench/serve.sh [N [TW [CW [RUNS]]]]     (defaults: 20000 5000 1000 10)
#
# Needs root (unshare -n), hyperfine, curl, ss, python3 and build/connwatch.
set -euo pipefail
. "$(dirname "$0")/table.sh"
"$CONNWATCH" serve --listen 127.0.0.1:9877 2>"$out/serve.err" &
serve=$!
CLEANUP_PIDS="$CLEANUP_PIDS $serve"
for _ in $(seq 50); do curl -sf -o /dev/null http://127.0.0.1:9877/ && break; sleep 0.1; done
curl -sf -o "$out/metrics" http://127.0.0.1:9877/metrics
table_describe
echo "one /metrics answer: $(wc -l <"$out/metrics") lines, $(wc -c <"$out/metrics") bytes;" \
  "connwatch_scrape_duration_seconds $(sed -n 's/^connwatch_scrape_duration_seconds //p' "$out/metrics")"
table_medians scrape "curl -sf -o /dev/null http://127.0.0.1:9877/metrics" \
  "$CONNWATCH summary -a" "ss -tan"
# Eight scrapes at once (Prometheus servers in HA pairs, a curl on top): all must answer.
start=$(date +%s.%N)
for i in $(seq 8); do curl -sf -o "$out/c$i" http://127.0.0.1:9877/metrics & done
wait $(jobs -p | grep -vx "$pop" | grep -vx "$serve") 2>/dev/null || true
end=$(date +%s.%N)
ok=$(grep -l '^connwatch_scrape_duration_seconds' "$out"/c* | wc -l)
echo "8 concurrent scrapes: $ok complete, wall $(python3 -c "print('%.0f' % (($end - $start) * 1000))") ms"
echo "serve peak RSS: $(sed -n 's/^VmHWM:[[:space:]]*//p' /proc/$serve/status)"

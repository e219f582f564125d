#!/usr/bin/env bash
# The resident BPF fast path (issue 12, section 5): one `serve` scrape and one live-view refresh
# with the BPF source and with sock_diag, against the bare dump, measured in the same run on the
# same table (build/bench/populate: N loopback connections, both ends held, 30% of N TIME_WAIT,
# 2.5% of N CLOSE_WAIT; 235,000 sockets at N=100,000) in a private network namespace.
#
#   bench/bpf.sh [-n N] [-r RUNS] [-k REFRESHES]        (defaults: 100000 10 10)
#
# 1. Two `connwatch serve` processes on the table: --source bpf (127.0.0.1:9878) and --source
#    netlink (127.0.0.1:9879). hyperfine (-N, 2 warm-ups, RUNS runs, each after 1.05 s so that
#    serve renders afresh instead of serving its one-second cache) times
#    `bare_dump -s 0xfff` (one compat request, every state, no extensions, counting only, and
#    the UDP dumps that serve also makes), a curl of each /metrics, and a curl of serve's index
#    page (curl and HTTP alone). Also the median of connwatch_scrape_duration_seconds over RUNS
#    scrapes of each (read, count, diagnose, format: measured inside serve).
# 2. The live view's screen in a 200x50 tmux pane: (time of `-i 0.1 -c K+1` - time of `-c 1`) / K
#    with --source bpf and --source netlink; the refresh interval is shorter than a refresh, so
#    refreshes run back to back.
# Run heavy sizes under `flock /tmp/connwatch-bench.lock bench/bpf.sh`. Needs root, hyperfine,
# curl, tmux, python3 and a tree built with the fast path (connwatch --version says so).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

N=100000 RUNS=10 K=10
while getopts "n:r:k:" o; do
  case $o in
    n) N=$OPTARG ;;
    r) RUNS=$OPTARG ;;
    k) K=$OPTARG ;;
    *) bench_die "usage: bench/bpf.sh [-n N] [-r RUNS] [-k REFRESHES]" ;;
  esac
done
"$CONNWATCH" --version | grep -q "built in" || bench_die "$CONNWATCH was built without the BPF fast path"
for tool in hyperfine curl tmux python3; do
  command -v "$tool" >/dev/null || bench_die "$tool is missing"
done
bench_in_netns "$@"
OUT=$(mktemp -d)
SERVES=
TM="tmux -L cw-bpf-$$"
cleanup() {
  [ -n "$SERVES" ] && kill $SERVES 2>/dev/null && wait $SERVES 2>/dev/null
  $TM kill-server 2>/dev/null || true
  bench_stop_populator
  rm -rf "$OUT"
}
bench_populate -n "$N" -t 1800
trap cleanup EXIT # after bench_populate, whose own EXIT trap this replaces (cleanup stops it)
echo "date=$(date -u +%FT%TZ) nproc=$(nproc) kernel=$(uname -r) load=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
echo "connwatch=$("$CONNWATCH" --version | head -1) commit=$(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo ?)"
echo "table: $POP_READY; sockets in the default list request: $(bench_socket_count)"

"$CONNWATCH" serve --source bpf --listen 127.0.0.1:9878 2>"$OUT/bpf.err" &
SERVES="$!"
"$CONNWATCH" serve --source netlink --listen 127.0.0.1:9879 2>"$OUT/netlink.err" &
SERVES="$SERVES $!"
for port in 9878 9879; do
  for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
  curl -sf -o /dev/null "http://127.0.0.1:$port/" || bench_die "serve on $port did not start: $(cat "$OUT"/*.err)"
done
curl -sf "http://127.0.0.1:9878/metrics" | grep -q 'connwatch_source_info{source="bpf"} 1' ||
  bench_die "the bpf serve did not answer from the bpf source"

hyperfine -N -w 2 -r "$RUNS" --prepare "sleep 1.05" --style basic --export-json "$OUT/scrape.json" \
  "$BARE_DUMP -s 0xfff" \
  "curl -sf -o /dev/null http://127.0.0.1:9878/metrics" \
  "curl -sf -o /dev/null http://127.0.0.1:9879/metrics" \
  "curl -sf -o /dev/null http://127.0.0.1:9878/" >/dev/null 2>"$OUT/hyperfine.err"
for port in 9878 9879; do
  for _ in $(seq "$RUNS"); do
    sleep 1.05 # past serve's one-second cache: every value is a fresh scrape
    curl -sf "http://127.0.0.1:$port/metrics" | sed -n 's/^connwatch_scrape_duration_seconds //p'
  done >"$OUT/inside.$port"
done
python3 - "$OUT" <<'PY'
import json, statistics, sys
out = sys.argv[1]
r = json.load(open(out + "/scrape.json"))["results"]
bare, bpf, nl, http = (x["median"] for x in r)
print("| command | median ms | vs bare dump |")
print("|---|---|---|")
names = ["`bare_dump -s 0xfff`", "`curl .../metrics` (serve --source bpf)",
         "`curl .../metrics` (serve --source netlink)", "`curl .../` (index page: curl + HTTP)"]
for name, m in zip(names, (bare, bpf, nl, http)):
    print("| %s | %.1f | %.2fx |" % (name, m * 1000, m / bare))
for port, name in (("9878", "bpf"), ("9879", "netlink")):
    v = [float(x) for x in open(out + "/inside." + port) if x.strip()]
    m = statistics.median(v)
    print("scrape inside serve (%s): median %.1f ms = %.2fx the bare dump" % (name, m * 1000, m / bare))
print("scrape minus curl+HTTP (bpf): %.2fx; (netlink): %.2fx" % ((bpf - http) / bare, (nl - http) / bare))
PY

# The live view's refresh, screen mode in tmux.
tmux_timed() {
  rm -f "$OUT/.time" "$OUT/.done"
  $TM new-session -d -x 200 -y 50 \
    "$(printf '%q ' /usr/bin/time -f "%e %U %S" -o "$OUT/.time" "$@"); touch $OUT/.done" 2>/dev/null ||
    $TM new-window -d "$(printf '%q ' /usr/bin/time -f "%e %U %S" -o "$OUT/.time" "$@"); touch $OUT/.done"
  for _ in $(seq 1200); do [ -f "$OUT/.done" ] && break; sleep 0.1; done
  [ -f "$OUT/.done" ] || bench_die "connwatch in tmux did not finish"
  cat "$OUT/.time"
}
for src in bpf netlink; do
  one=$(tmux_timed "$CONNWATCH" --source "$src" -i 0.1 -c 1)
  many=$(tmux_timed "$CONNWATCH" --source "$src" -i 0.1 -c $((K + 1)))
  python3 - "$src" "$K" "$one" "$many" "$OUT/scrape.json" <<'PY'
import json, sys
src, k = sys.argv[1], int(sys.argv[2])
one, many = [list(map(float, s.split())) for s in sys.argv[3:5]]
bare = json.load(open(sys.argv[5]))["results"][0]["median"]
wall = (many[0] - one[0]) / k
cpu = (many[1] + many[2] - one[1] - one[2]) / k
print("live refresh (%s): wall %.1f ms = %.2fx the bare dump, cpu %.1f ms = %.2fx"
      % (src, wall * 1000, wall / bare, cpu * 1000, cpu / bare))
PY
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

# Shared by the benchmark scripts in bench/ (source it; bash). See bench/README.md.
#   bench_in_netns "$@"            re-run the calling script inside a private network namespace
#   bench_populate ARGS...         start build/bench/populate ARGS, wait for READY (sets POP_PID,
#                                  POP_READY); the populator is stopped when the script exits
#   bench_stop_populator           stop it now (sockets reset; TIME_WAIT ones die with the netns)
#   bench_socket_count             TCP+UDP sockets the default `connwatch list` request returns
#   bench_need TOOL...             stop unless every TOOL is on PATH
#   bench_need_bpf                 stop unless connwatch was built with the BPF fast path

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$BENCH_ROOT/build}
POPULATE=$BUILD/bench/populate
BARE_DUMP=$BUILD/bench/bare_dump
CONNWATCH=${CONNWATCH:-$BUILD/connwatch}

bench_die() { echo "bench: $*" >&2; exit 1; }

bench_need() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || bench_die "$tool is missing"
  done
}

bench_need_bpf() {
  "$CONNWATCH" --version | grep -q "BPF fast path: built in" ||
    bench_die "$CONNWATCH was built without the BPF fast path"
}

# The load never leaves a namespace that exists only for this run: other people's tests on the
# machine neither see these sockets nor share their port space, and the per-namespace sysctls
# stay ours.
bench_in_netns() {
  if [ -z "${CW_BENCH_NETNS:-}" ]; then
    [ "$(id -u)" -eq 0 ] || bench_die "needs root for unshare -n (a private network namespace)"
    command -v unshare >/dev/null || bench_die "unshare (util-linux) is missing"
    CW_BENCH_NETNS=1 exec unshare -n bash "$0" "$@"
  fi
  ip link set lo up || bench_die "cannot bring up loopback in the namespace"
}

bench_stop_populator() {
  if [ -n "${POP_PID:-}" ]; then
    kill "$POP_PID" 2>/dev/null
    wait "$POP_PID" 2>/dev/null
    POP_PID=
  fi
  [ -n "${POP_OUT:-}" ] && rm -f "$POP_OUT"
  POP_OUT=
}

bench_populate() {
  [ -n "${CW_BENCH_NETNS:-}" ] || bench_die "bench_populate outside bench_in_netns"
  [ -x "$POPULATE" ] || bench_die "$POPULATE is missing: ninja -C build"
  bench_stop_populator
  POP_OUT=$(mktemp)
  "$POPULATE" "$@" >"$POP_OUT" 2>&1 &
  POP_PID=$!
  trap bench_stop_populator EXIT
  local i
  for i in $(seq 1200); do # 120 s at most
    if grep -q '^READY' "$POP_OUT"; then
      POP_READY=$(grep '^READY' "$POP_OUT")
      return 0
    fi
    kill -0 "$POP_PID" 2>/dev/null || bench_die "populate failed: $(cat "$POP_OUT")"
    sleep 0.1
  done
  bench_die "populate not ready after 120 s: $(cat "$POP_OUT")"
}

bench_socket_count() {
  "$BARE_DUMP" 2>&1 >/dev/null | sed -n 's/^sockets=\([0-9]*\).*/\1/p'
}

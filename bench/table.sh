# Shared by bench/summary.sh and bench/serve.sh (source it after `set -euo pipefail`; bash):
# re-runs the calling script in a private network namespace, then holds the table
# bench/summary_populate.py builds from the arguments [N [TW [CW [RUNS]]]].
# Sets HERE, CONNWATCH, N, TW, CW, RUNS, out (a temporary directory) and pop (the holder's pid);
# the holder and $out go away when the script exits (add pids to CLEANUP_PIDS to stop more).
HERE=$(cd "$(dirname "$0")" && pwd)
CONNWATCH=${CONNWATCH:-$HERE/../build/connwatch}
N=${1:-20000} TW=${2:-5000} CW=${3:-1000} RUNS=${4:-10}
if [ -z "${CW_BENCH_NETNS:-}" ]; then
  CW_BENCH_NETNS=1 exec unshare -n "$0" "$@"
fi
ip link set lo up
out=$(mktemp -d)
python3 "$HERE/summary_populate.py" "$N" "$TW" "$CW" >"$out/pop" 2>&1 &
pop=$!
CLEANUP_PIDS=$pop
trap 'kill $CLEANUP_PIDS 2>/dev/null; wait $CLEANUP_PIDS 2>/dev/null; rm -rf "$out"' EXIT
for _ in $(seq 600); do grep -q READY "$out/pop" && break; sleep 0.1; done
grep -q READY "$out/pop" || { cat "$out/pop"; exit 1; }

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

# The table's make-up, as one line.
table_describe() {
  echo "sockets: $(ss -tan | tail -n +2 | wc -l) TCP ($(ss -tan state time-wait | tail -n +2 | wc -l) TIME_WAIT, $(ss -tan state close-wait | tail -n +2 | wc -l) CLOSE_WAIT)"
}

# Times the commands with hyperfine (-N, 1 warm-up, RUNS runs) and prints a Markdown table of
# medians, each as a ratio to the first command.   usage: table_medians BASE_NAME COMMAND...
table_medians() {
  local base=$1
  shift
  hyperfine -N -w 1 -r "$RUNS" --export-json "$out/medians.json" "$@" >/dev/null
  python3 - "$out/medians.json" "$base" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
print("| command | median ms | vs %s |" % sys.argv[2])
print("|---|---|---|")
for x in r:
    words = x["command"].split()
    words[0] = words[0].split("/")[-1]  # the program's name, not its build path
    print("| `%s` | %.1f | %.2fx |" % (" ".join(words), x["median"] * 1000,
                                      x["median"] / r[0]["median"]))
PY
}

#!/usr/bin/env bash
# Runs every libFuzzer harness of tests/fuzz for a bounded time (default 60 s each).
#   scripts/fuzz.sh [SECONDS] [NAME...]
# Builds build-fuzz with clang, -Dfuzzing=true and ASan+UBSan. Each run starts from the seed corpus
# tests/fuzz/corpus/NAME and writes what it learns to build-fuzz/corpus/NAME (the repo's corpus is
# not touched: copy a new input there by hand when it is worth replaying on every test run).
# Crashes land in build-fuzz/crashes/NAME/; the script exits 1 when any harness found one.
# FUZZ_TIMEOUT=S (default 5) is libFuzzer's per-input wall-clock limit: raise it on a loaded
# machine, where a starved process otherwise ends its run with a false timeout report.
# FUZZ_RUNS=N also stops a harness after N executions (libFuzzer's -runs), whichever comes first.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang meson setup build-fuzz -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false \
    -Dbuildtype=debugoptimized >/dev/null
fi
ninja -C build-fuzz >/dev/null
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in build-fuzz/tests/fuzz/fuzz-*; do
    [ -f "$f" ] && [ -x "$f" ] || continue
    case $f in */fuzz-replay-*) continue ;; esac
    names+=("${f##*/fuzz-}")
  done
fi
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1
status=0
for name in "${names[@]}"; do
  mkdir -p "build-fuzz/corpus/$name" "build-fuzz/crashes/$name"
  echo "== fuzz-$name for $seconds s"
  if ! "build-fuzz/tests/fuzz/fuzz-$name" -max_total_time="$seconds" -runs="${FUZZ_RUNS:--1}" -max_len=65536 \
      -timeout="${FUZZ_TIMEOUT:-5}" -rss_limit_mb=1024 -print_final_stats=1 \
      -artifact_prefix="build-fuzz/crashes/$name/" \
      "build-fuzz/corpus/$name" "tests/fuzz/corpus/$name" 2>"build-fuzz/fuzz-$name.log"; then
    status=1
    tail -n 40 "build-fuzz/fuzz-$name.log"
  fi
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)|^#[0-9]+.*DONE' \
    "build-fuzz/fuzz-$name.log" || true
done
exit $status

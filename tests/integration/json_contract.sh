#!/usr/bin/env bash
# The JSON contract: every command that takes --json prints documents with a numeric "version",
# and docs/json.md has a section for each (a new command with --json fails here until it is
# documented and given an invocation below).
set -u
. "$(dirname "$0")/lib.sh"
need_tool jq
SRC=$(cd "$HERE/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cap=$FIXTURES/user-example

commands=$("$CONNWATCH" --lang en --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
[ -n "$commands" ] || fail "no commands in --help"
checked=0
for cmd in $commands; do
  "$CONNWATCH" --lang en "$cmd" --help | grep -q -- '--json' || continue
  case $cmd in
    list|summary) runs=("$cmd -a --proc-root $cap") ;;
    explain) runs=("explain --proc-root $cap" "explain TIME_WAIT --proc-root $cap") ;;
    import) runs=("import $cap/netstat-ntu.txt") ;;
    *) fail "'$cmd' takes --json: add an invocation for it to $(basename "$0")" ;;
  esac
  for r in "${runs[@]}"; do
    # shellcheck disable=SC2086
    "$CONNWATCH" $r --json >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ $rc -eq 0 ] || [ $rc -eq 3 ] || fail "connwatch $r --json exited $rc: $(cat "$tmp/err")"
    jq -se 'length > 0 and all(.[]; (.version | type) == "number")' "$tmp/out" >/dev/null ||
      fail "connwatch $r --json: not JSON documents that all have a numeric version"
  done
  grep -qE "^## .*\`connwatch $cmd( [^\`]*)? --json\`" "$SRC/docs/json.md" ||
    fail "docs/json.md has no section for connwatch $cmd --json"
  checked=$((checked + 1))
done
[ $checked -ge 1 ] || fail "no command with --json found"
# Each section of docs/json.md names the version field.
awk '/^## /{if (sec && !v) {print sec; bad=1} sec=$0; v=0} /version/{v=1}
     END{if (sec && !v) {print sec; bad=1} exit bad}' "$SRC/docs/json.md" >"$tmp/nov" ||
  fail "docs/json.md sections without the version field: $(cat "$tmp/nov")"
echo "ok: $checked commands with --json, all versioned and documented"

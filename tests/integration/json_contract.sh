#!/usr/bin/env bash
# The JSON contract: every command that takes --json prints documents with a numeric "version",
# and docs/json.md has a section for each (a new command with --json fails here until it is
# documented and given an invocation below).
set -u
. "$(dirname "$0")/lib.sh"
need_tool jq
SRC=$(cd "$HERE/../.." && pwd)
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'
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
    live) runs=("live --count 2 --interval 0.2 --proc-root $cap") ;; # NDJSON: one per refresh
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
  # The command's section (its heading names `connwatch CMD ... --json`) names the version.
  awk -v cmd="$cmd" '
    /^## / { in_sec = ($0 ~ ("`connwatch " cmd "( [^`]*)? --json`")); if (in_sec) found = 1 }
    in_sec && /version/ { versioned = 1 }
    END { exit !(found && versioned) }' "$SRC/docs/json.md" ||
    fail "docs/json.md has no section for connwatch $cmd --json that names its version field"
  checked=$((checked + 1))
done
[ $checked -ge 1 ] || fail "no command with --json found"
echo "ok: $checked commands with --json, all versioned and documented"

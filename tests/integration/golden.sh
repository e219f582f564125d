#!/usr/bin/env bash
# Compares connwatch's output with the golden files in tests/golden (cases listed in
# tests/golden/cases). CW_UPDATE_GOLDEN=1 rewrites the files instead.
set -u
. "$(dirname "$0")/lib.sh"
golden=$HERE/../golden
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'
failed=0
checked=0
while IFS=$'\t' read -r file args; do
  case "$file" in ''|'#'*) continue ;; esac
  args=${args//@FIXTURES@/$FIXTURES}
  # shellcheck disable=SC2086 # the arguments are words by design
  "$CONNWATCH" $args >"$tmp/out" 2>"$tmp/err"
  rc=$?
  [ "$rc" -eq 0 ] || { echo "FAIL: connwatch $args exited $rc: $(cat "$tmp/err")"; failed=1; continue; }
  if [ "${CW_UPDATE_GOLDEN:-}" = 1 ]; then
    cp "$tmp/out" "$golden/$file"
  elif ! diff -u "$golden/$file" "$tmp/out"; then
    echo "FAIL: connwatch $args differs from tests/golden/$file"
    failed=1
  fi
  case "$file" in
    *.json) python3 -m json.tool "$tmp/out" >/dev/null || { echo "FAIL: $file is not JSON"; failed=1; } ;;
  esac
  checked=$((checked + 1))
done <"$golden/cases"
[ "$checked" -ge 8 ] || fail "only $checked golden cases ran"

# Usage errors of explain: exit 2, the valid states named, nothing on stdout.
"$CONNWATCH" explain NOSUCH >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] || fail "explain NOSUCH did not exit 2"
grep -q "'NOSUCH' is not a TCP state" "$tmp/err" || fail "bad state not named: $(cat "$tmp/err")"
grep -q "ESTABLISHED, SYN_SENT" "$tmp/err" || fail "valid states not listed: $(cat "$tmp/err")"
[ -s "$tmp/out" ] && fail "explain NOSUCH printed on stdout"
"$CONNWATCH" explain LISTEN TIME_WAIT >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "explain with two states did not exit 2"
# A state whose sockets cannot be read still explains, says why, and exits 1.
"$CONNWATCH" explain listen --proc-root "$tmp/nowhere" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || fail "explain with a missing --proc-root did not exit 1"
grep -q "$tmp/nowhere" "$tmp/err" || fail "missing --proc-root not named"
grep -q "unknown: the sockets could not be read" "$tmp/out" || fail "no 'unknown' count shown"
[ $failed -eq 0 ] || exit 1
echo "ok: $checked golden files"

#!/usr/bin/env bash
# Compares connwatch's output with the golden files in tests/golden (cases listed in
# tests/golden/cases). CW_UPDATE_GOLDEN=1 rewrites the files instead.
set -u
. "$(dirname "$0")/lib.sh"
golden=$HERE/../golden
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
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
[ $failed -eq 0 ] || exit 1
echo "ok: $checked golden files"

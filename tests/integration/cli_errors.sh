#!/usr/bin/env bash
# Wrong options and bad input: clear message, meaningful exit code, nothing raw on the terminal.
set -u
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'

expect_exit() { # CODE COMMAND...
  local want=$1; shift
  "$@" >"$tmp/out" 2>"$tmp/err"; local got=$?
  [ "$got" -eq "$want" ] || fail "'$*' exited $got, expected $want; stderr: $(cat "$tmp/err")"
}

expect_exit 0 "$CONNWATCH" --help
grep -q -- "--state" "$tmp/out" || fail "--help does not list --state"
expect_exit 0 "$CONNWATCH" --version
grep -q "^connwatch [0-9]" "$tmp/out" || fail "--version prints: $(cat "$tmp/out")"

expect_exit 2 "$CONNWATCH" list --bogus
grep -q "unknown option '--bogus'" "$tmp/err" || fail "unknown option not named"
grep -q -- "--state" "$tmp/err" || fail "valid options not listed"
expect_exit 2 "$CONNWATCH" list --state nosuch
grep -q "ESTABLISHED" "$tmp/err" || fail "valid states not listed"
expect_exit 2 "$CONNWATCH" frobnicate
grep -q "unknown command 'frobnicate'" "$tmp/err" || fail "unknown command not named"
expect_exit 2 "$CONNWATCH" list --port 70000
expect_exit 2 "$CONNWATCH" list --remote 10.0.0.0/40
expect_exit 2 "$CONNWATCH" list --lang fr
expect_exit 2 "$CONNWATCH" list --state
grep -q "needs an argument" "$tmp/err" || fail "missing argument not explained"

expect_exit 1 "$CONNWATCH" list --proc-root "$tmp/nowhere"
grep -q "$tmp/nowhere" "$tmp/err" || fail "missing --proc-root not named"

# A capture with a corrupt line: good rows shown, the bad one reported as file:line, exit 3.
mkdir -p "$tmp/cap/net"
cp "$FIXTURES/proc-corrupt/net/"* "$tmp/cap/net/"
expect_exit 3 "$CONNWATCH" list -a --proc-root "$tmp/cap"
grep -q "$tmp/cap/net/tcp:3: malformed line" "$tmp/err" || fail "bad line not reported: $(cat "$tmp/err")"
[ "$(grep -c ESTABLISHED "$tmp/out")" -eq 2 ] || fail "good rows missing: $(cat "$tmp/out")"
if grep -q $'\x1b' "$tmp/out" "$tmp/err"; then fail "raw escape sequence reached the terminal"; fi

# --record never overwrites an existing file.
echo keep >"$tmp/existing"
expect_exit 1 "$CONNWATCH" list --record "$tmp/existing"
[ "$(cat "$tmp/existing")" = keep ] || fail "--record overwrote a file"

# A closed pipe is not an error.
"$CONNWATCH" list -a --proc-root "$FIXTURES/user-example" 2>"$tmp/err" | head -n 1 >/dev/null
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "list | head exited ${PIPESTATUS[0]}: $(cat "$tmp/err")"
echo ok

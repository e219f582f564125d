#!/usr/bin/env bash
# Thresholds from flags and configuration files reach the diagnosis, and a bad value is a clear
# error (exit 2) that names the file and the line. Works on the user's example through `import`,
# so it needs no sockets and no root.
set -u
. "$(dirname "$0")/lib.sh"
need_tool python3
EXAMPLE=$FIXTURES/user-example/netstat-ntu.txt
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'
export XDG_CONFIG_HOME=$tmp/xdg
mkdir -p "$XDG_CONFIG_HOME"

# Defaults: the example is an ordinary moment.
json=$("$CONNWATCH" import --json "$EXAMPLE") || fail "import failed"
python3 "$HERE/diag_check.py" none <<<"$json" || exit 1

# A flag lowers the SYN_RECV threshold: the one half-open connection on port 80 now warns.
json=$("$CONNWATCH" import --json --threshold syn_recv_warning=1 "$EXAMPLE") || fail "import failed"
python3 "$HERE/diag_check.py" warning syn_flood <<<"$json" port=80 count=1 distinct_sources=1 \
  top_sources~=45.82.76.192 || exit 1

# The user's file does the same; a flag given after it wins.
printf '# test\nsyn_recv_warning = 1\ntime_wait_total=2\n' >"$XDG_CONFIG_HOME/connwatch.conf"
json=$("$CONNWATCH" import --json "$EXAMPLE") || fail "import with user config failed"
python3 "$HERE/diag_check.py" warning syn_flood <<<"$json" port=80 || exit 1
python3 "$HERE/diag_check.py" warning time_wait <<<"$json" count=2 || exit 1
json=$("$CONNWATCH" import --json --threshold syn_recv_warning=5 "$EXAMPLE") || fail "import failed"
JSON=$json python3 -c 'import json,os; ids=[w["id"] for w in json.loads(os.environ["JSON"])["warnings"]]; assert ids == ["time_wait"], ids' ||
  fail "--threshold did not override the user's file"

# --config FILE replaces the default files.
printf 'close_wait_unaged = 0\n' >"$tmp/only.conf"
json=$("$CONNWATCH" import --json --config "$tmp/only.conf" "$EXAMPLE") || fail "--config failed"
python3 "$HERE/diag_check.py" none <<<"$json" || fail "--config did not replace the user's file"

# Bad values: exit 2, the file and line named, nothing on stdout.
expect_usage_error() { # WANT_IN_STDERR COMMAND...
  local want=$1 rc
  shift
  "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  [ $rc -eq 2 ] || fail "$* exited $rc, want 2"
  grep -qF -- "$want" "$tmp/err" || fail "$* did not say '$want': $(cat "$tmp/err")"
  [ ! -s "$tmp/out" ] || fail "$* printed output despite the error"
}
printf 'syn_recv_warning = 100\n\nclose_wait_age = 5 days\n' >"$XDG_CONFIG_HOME/connwatch.conf"
expect_usage_error "$XDG_CONFIG_HOME/connwatch.conf:3: bad value '5 days' for close_wait_age" \
  "$CONNWATCH" import "$EXAMPLE"
expect_usage_error "connwatch.conf:3" "$CONNWATCH" summary
rm "$XDG_CONFIG_HOME/connwatch.conf"
expect_usage_error "unknown threshold 'bogus'" "$CONNWATCH" import --threshold bogus=1 "$EXAMPLE"
expect_usage_error "is not NAME=VALUE" "$CONNWATCH" summary --threshold syn_recv_warning
expect_usage_error "$tmp/missing.conf" "$CONNWATCH" summary --config "$tmp/missing.conf"
expect_usage_error "does not apply to 'list'" "$CONNWATCH" list --threshold syn_recv_warning=1
# In Indonesian too.
printf 'orphans_pct = 120\n' >"$tmp/pct.conf"
expect_usage_error "$tmp/pct.conf:1: nilai '120' salah untuk orphans_pct" \
  "$CONNWATCH" --lang id import --config "$tmp/pct.conf" "$EXAMPLE"
echo ok

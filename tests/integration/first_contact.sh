#!/usr/bin/env bash
# Issue 13, "Failures are failures" and "Error messages name the right thing": what an operator
# hits in the first minutes gets an exit code and a message about the right thing.
set -u
. "$(dirname "$0")/lib.sh"
need_tool curl
in_private_netns "$@"
tmp=$(mktemp -d)
on_exit 'kill ${SERVE:-} 2>/dev/null; rm -rf "$tmp"'

expect_exit() { # CODE COMMAND...
  local want=$1; shift
  "$@" >"$tmp/out" 2>"$tmp/err"; local got=$?
  [ "$got" -eq "$want" ] || fail "'$*' exited $got, expected $want; stderr: $(cat "$tmp/err")"
}

# --record PATH that cannot be created: exit 1 naming PATH; no /proc fallback, no netlink blame.
for path in "$tmp/no/such/dir/rec" /sys/connwatch-rec; do
  expect_exit 1 "$CONNWATCH" list --record "$path"
  grep -q "$path" "$tmp/err" || fail "--record $path: path not named: $(cat "$tmp/err")"
  grep -qi "netlink\|/proc" "$tmp/err" && fail "--record $path: blames netlink or falls back: $(cat "$tmp/err")"
  [ -s "$tmp/out" ] && fail "--record $path: printed a table anyway"
done

# A default config file that cannot be read is a warning, and skipped; --config FILE is fatal.
mkdir -p "$tmp/home/.config/connwatch.conf" # a directory: open works, reading fails
expect_exit 0 env -u XDG_CONFIG_HOME HOME="$tmp/home" "$CONNWATCH" summary
grep -q "warning: .*$tmp/home/.config/connwatch.conf.*skipped" "$tmp/err" ||
  fail "unreadable default config not warned about: $(cat "$tmp/err")"
expect_exit 0 env -u XDG_CONFIG_HOME HOME="$tmp/home" "$CONNWATCH" check
grep -q "^CONNWATCH OK" "$tmp/out" || fail "check with an unreadable default config: $(cat "$tmp/out")"
expect_exit 2 "$CONNWATCH" summary --config "$tmp/home/.config/connwatch.conf"
grep -q "$tmp/home/.config/connwatch.conf" "$tmp/err" || fail "--config error does not name the file"

# --proc-root DIR names what is missing: DIR/net, not DIR (which exists).
expect_exit 1 "$CONNWATCH" list --proc-root "$tmp"
grep -q "$tmp/net: no such directory" "$tmp/err" || fail "--proc-root: $(cat "$tmp/err")"

# A port out of range says so.
expect_exit 2 "$CONNWATCH" list --port 70000
grep -q "70000 is out of range" "$tmp/err" || fail "--port 70000: $(cat "$tmp/err")"

# `list -c`: no -c for list, and no mention of live's --count or check's --critical; the hint
# names list's own --help.
expect_exit 2 "$CONNWATCH" list -c 3
grep -q "unknown option '-c'" "$tmp/err" || fail "list -c: $(cat "$tmp/err")"
grep -q -- "--count\|--critical" "$tmp/err" && fail "list -c mentions other commands' options: $(cat "$tmp/err")"
grep -q "Try 'connwatch list --help'" "$tmp/err" || fail "hint does not name list --help: $(cat "$tmp/err")"
# An unknown option lists only the options of that command.
expect_exit 2 "$CONNWATCH" summary --bogus
grep -q -- "--state" "$tmp/err" || fail "summary's options not listed"
grep -q -- "--textfile\|--no-header\|--interval" "$tmp/err" && fail "other commands' options listed: $(cat "$tmp/err")"
grep -q "Try 'connwatch summary --help'" "$tmp/err" || fail "hint does not name summary --help"

# --listen :PORT serves on every address, IPv4 and IPv6 (as node_exporter).
"$CONNWATCH" serve --listen :9878 2>"$tmp/serve.err" &
SERVE=$!
for _ in $(seq 50); do curl -sf -o /dev/null http://127.0.0.1:9878/ && break; sleep 0.1; done
curl -sf -o /dev/null http://127.0.0.1:9878/metrics || fail "--listen :9878 not on IPv4: $(cat "$tmp/serve.err")"
curl -sf -o /dev/null "http://[::1]:9878/metrics" || fail "--listen :9878 not on IPv6: $(cat "$tmp/serve.err")"
kill $SERVE; wait $SERVE 2>/dev/null; SERVE=
echo ok

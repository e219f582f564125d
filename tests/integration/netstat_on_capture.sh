#!/usr/bin/env bash
# Real netstat on captured /proc/net directories, in a private mount namespace whose /proc is a
# tmpfs holding only the capture: connwatch --proc-root must print the same rows as netstat
# (tests/fixtures/user-example, the user's own server). On a capture with corrupt lines
# (tests/fixtures/proc-garbage) netstat prints made-up rows ("(null)" states, clamped ports);
# connwatch prints only the good rows, names each bad line as file:line and exits 3.
set -u
. "$(dirname "$0")/lib.sh"
need_root
need_tool netstat
need_tool unshare
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'

netstat_on() { # DIR NETSTAT_OPTIONS -> the table, header included, without "Active Internet..."
  unshare -m sh -c 'mount -t tmpfs none /proc && mkdir /proc/net && cp "$1"/net/* /proc/net/ &&
    netstat "$2"' sh "$1" "$2" 2>"$tmp/netstat.err" | tail -n +2 | sed 's/ *$//'
}

for pair in "-ntua:-a" "-ntu:" "-ntul:-l" "-nt:-t" "-nu4:-u -4"; do
  ns_opts=${pair%%:*}
  cw_opts=${pair#*:}
  netstat_on "$FIXTURES/user-example" "$ns_opts" >"$tmp/netstat.txt"
  [ "$(wc -l <"$tmp/netstat.txt")" -ge 2 ] || [ "$ns_opts" = -ntul ] ||
    fail "netstat $ns_opts on the capture printed no rows: $(cat "$tmp/netstat.err")"
  # shellcheck disable=SC2086
  "$CONNWATCH" list $cw_opts --proc-root "$FIXTURES/user-example" >"$tmp/cw.txt" 2>"$tmp/cw.err" ||
    fail "connwatch list $cw_opts --proc-root user-example exited $?: $(cat "$tmp/cw.err")"
  sed -i 's/ *$//' "$tmp/cw.txt"
  diff -u "$tmp/netstat.txt" "$tmp/cw.txt" >"$tmp/diff" ||
    fail "netstat $ns_opts and connwatch list $cw_opts differ on the user's capture:
$(cat "$tmp/diff")"
  echo "# netstat $ns_opts = connwatch list $cw_opts: $(($(wc -l <"$tmp/cw.txt") - 1)) rows"
done

# The corrupt capture.
gar="$FIXTURES/proc-garbage"
netstat_on "$gar" -ntua >"$tmp/netstat.txt"
echo "# netstat -ntua on the corrupt capture shows:"
sed 's/^/#   /' "$tmp/netstat.txt"
"$CONNWATCH" list -a --proc-root "$gar" >"$tmp/cw.txt" 2>"$tmp/cw.err"
rc=$?
[ $rc -eq 3 ] || fail "corrupt capture: exit $rc, expected 3 (CW_EXIT_PARTIAL)"
for line in 3 4 5 6 8; do
  grep -q "^connwatch: $gar/net/tcp:$line: malformed line" "$tmp/cw.err" ||
    fail "bad line tcp:$line not reported as file:line; stderr: $(cat "$tmp/cw.err")"
done
[ "$(grep -c 'malformed line' "$tmp/cw.err")" -eq 5 ] ||
  fail "expected exactly 5 malformed-line reports: $(cat "$tmp/cw.err")"
rows=$(tail -n +2 "$tmp/cw.txt" | sed 's/ *$//')
[ "$(echo "$rows" | wc -l)" -eq 2 ] || fail "expected the 2 good rows, got: $rows"
while IFS= read -r row; do
  grep -qxF "$row" "$tmp/netstat.txt" || fail "good row differs from netstat's: $row"
done <<<"$rows"
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$tmp/cw.txt" "$tmp/cw.err"; then
  fail "control characters from the capture reached the terminal"
fi
echo ok

#!/usr/bin/env bash
# The systemd units in contrib/ are valid (systemd-analyze verify) and the exporter's is locked
# down: systemd's own exposure score stays at 2.0 or below ("OK"; 10 is unprotected). And the
# claim behind "no capabilities": an unprivileged user without any capability sees the same
# sockets and counts as root (sock_diag and /proc/net need no privilege).
set -u
. "$(dirname "$0")/lib.sh"
need_tool systemd-analyze
need_tool setpriv
in_private_netns "$@"
SRC=$(cd "$HERE/../.." && pwd)
tmp=$(mktemp -d)
bindir=$(cd "$(dirname "$CONNWATCH")" && pwd)
for u in connwatch.service connwatch-textfile.service connwatch-record.service; do
  sed "s|@bindir@|$bindir|g" "$SRC/contrib/systemd/$u.in" >"$tmp/$u"
done
cp "$SRC/contrib/systemd/connwatch-textfile.timer" "$tmp/"
systemd-analyze verify --man=no "$tmp/connwatch.service" "$tmp/connwatch-textfile.service" \
  "$tmp/connwatch-textfile.timer" "$tmp/connwatch-record.service" >"$tmp/out" 2>&1 || fail "systemd-analyze verify: $(cat "$tmp/out")"
[ -s "$tmp/out" ] && fail "systemd-analyze verify warns: $(cat "$tmp/out")"
for u in connwatch.service connwatch-textfile.service connwatch-record.service; do
  systemd-analyze security --offline=true --threshold=20 "$tmp/$u" >"$tmp/sec" 2>&1 ||
    fail "$u exposure above 2.0: $(tail -n 3 "$tmp/sec")"
  grep "Overall exposure" "$tmp/sec"
done
grep -q '^DynamicUser=yes' "$tmp/connwatch.service" || fail "exporter does not run as a dynamic user"
grep -q '^CapabilityBoundingSet=$' "$tmp/connwatch.service" || fail "exporter keeps capabilities"
grep -q '^PrivateNetwork' "$tmp/connwatch.service" && fail "PrivateNetwork would hide the host's sockets"
# The recorder: unprivileged, its file under /var/lib/connwatch, in the host's namespace.
grep -q '^DynamicUser=yes' "$tmp/connwatch-record.service" || fail "recorder is not a dynamic user"
grep -q '^StateDirectory=connwatch$' "$tmp/connwatch-record.service" || fail "recorder state dir"
grep -q '^ExecStart=.* record /var/lib/connwatch/' "$tmp/connwatch-record.service" ||
  fail "recorder does not write under /var/lib/connwatch"
grep -q '^PrivateNetwork' "$tmp/connwatch-record.service" && fail "PrivateNetwork in the recorder"
# The build tree may sit below a directory only root can enter (a CI checkout under mktemp -d):
# the unprivileged runs use a copy of the binary in a directory everyone may enter (but not
# write to, yet).
chmod 755 "$tmp"
install -m 755 "$CONNWATCH" "$tmp/connwatch"
start_holder python3 "$HERE/sockets.py"
on_exit 'kill $HOLDER_PID 2>/dev/null; wait $HOLDER_PID 2>/dev/null; rm -rf "$tmp"'
as_root=$("$CONNWATCH" check 2>&1)
as_nobody=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
  --bounding-set=-all --no-new-privs env HOME=/nonexistent "$tmp/connwatch" check 2>&1)
[ -n "$as_root" ] && [ "$as_root" = "$as_nobody" ] ||
  fail "an unprivileged user sees other counts: root: $as_root; nobody: $as_nobody"
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
  --no-new-privs env HOME=/nonexistent "$tmp/connwatch" serve --textfile "$tmp/nobody.prom" 2>"$tmp/err"
rc=$? # the directory is root's (mode 755): a clean failure that names the file, not a crash
[ $rc -eq 1 ] && grep -q "nobody.prom" "$tmp/err" || fail "unwritable textfile: rc $rc, $(cat "$tmp/err")"
chmod 777 "$tmp"
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
  --no-new-privs env HOME=/nonexistent "$tmp/connwatch" serve --textfile "$tmp/nobody.prom" 2>"$tmp/err" ||
  fail "serve --textfile as nobody: $(cat "$tmp/err")"
grep -q '^connwatch_connections{proto="tcp",family="ipv4",state="close_wait"} 1$' "$tmp/nobody.prom" ||
  fail "unprivileged metrics miss the holder's sockets"
# The recorder as nobody records the same sockets root sees, and stops cleanly on SIGTERM.
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
  --no-new-privs env HOME=/nonexistent "$tmp/connwatch" record "$tmp/nobody.rec" -i 0.2 2>"$tmp/err" &
rec=$!
for _ in $(seq 100); do [ -s "$tmp/nobody.rec" ] && [ "$(stat -c %s "$tmp/nobody.rec")" -gt 16 ] && break; sleep 0.1; done
kill -TERM $rec
wait $rec || fail "record as nobody: $(cat "$tmp/err")"
# (a recording keeps rows in its own order, not the kernel's)
diff <("$CONNWATCH" list | sort) <("$CONNWATCH" list --replay "$tmp/nobody.rec" | sort) ||
  fail "the unprivileged recording differs from what root sees"
echo ok

#!/usr/bin/env bash
# The systemd units in contrib/ are valid (systemd-analyze verify) and the exporter's is locked
# down: systemd's own exposure score stays at 2.0 or below ("OK"; 10 is unprotected).
set -u
. "$(dirname "$0")/lib.sh"
need_tool systemd-analyze
SRC=$(cd "$HERE/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bindir=$(cd "$(dirname "$CONNWATCH")" && pwd)
for u in connwatch.service connwatch-textfile.service; do
  sed "s|@bindir@|$bindir|g" "$SRC/contrib/systemd/$u.in" >"$tmp/$u"
done
cp "$SRC/contrib/systemd/connwatch-textfile.timer" "$tmp/"
systemd-analyze verify --man=no "$tmp/connwatch.service" "$tmp/connwatch-textfile.service" \
  "$tmp/connwatch-textfile.timer" >"$tmp/out" 2>&1 || fail "systemd-analyze verify: $(cat "$tmp/out")"
[ -s "$tmp/out" ] && fail "systemd-analyze verify warns: $(cat "$tmp/out")"
for u in connwatch.service connwatch-textfile.service; do
  systemd-analyze security --offline=true --threshold=20 "$tmp/$u" >"$tmp/sec" 2>&1 ||
    fail "$u exposure above 2.0: $(tail -n 3 "$tmp/sec")"
  grep "Overall exposure" "$tmp/sec"
done
grep -q '^DynamicUser=yes' "$tmp/connwatch.service" || fail "exporter does not run as a dynamic user"
grep -q '^CapabilityBoundingSet=$' "$tmp/connwatch.service" || fail "exporter keeps capabilities"
grep -q '^PrivateNetwork' "$tmp/connwatch.service" && fail "PrivateNetwork would hide the host's sockets"
echo ok

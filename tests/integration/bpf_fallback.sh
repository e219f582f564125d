#!/usr/bin/env bash
# Without CAP_BPF and CAP_PERFMON the long-running views (live, record, serve) read sock_diag instead of
# the BPF fast path and say so once, not at every refresh or scrape; --source bpf then fails
# clearly (exit 1). With exactly those two capabilities an unprivileged user gets the fast path
# (what contrib/systemd/connwatch-bpf.conf grants), and the drop-in is a valid unit setting.
set -u
. "$(dirname "$0")/lib.sh"
need_tool setpriv
need_tool curl
need_tool jq
"$CONNWATCH" --version | grep -q "BPF fast path: built in" ||
  skip "connwatch was built without the BPF fast path (apt-get install libbpf-dev bpftool clang)"
in_private_netns "$@"
SRC=$(cd "$HERE/../.." && pwd)
tmp=$(mktemp -d)
SERVE=
on_exit '[ -n "$SERVE" ] && kill $SERVE 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"'
# The build tree may sit below a directory only root can enter: the unprivileged runs use a copy.
chmod 755 "$tmp"
install -m 755 "$CONNWATCH" "$tmp/connwatch"
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
  --no-new-privs env HOME=/nonexistent "$tmp/connwatch" "$@"; }
NOTE="the BPF fast path is not used (loading the BPF socket iterator needs CAP_BPF and CAP_PERFMON); reading sock_diag instead"

# live: three refreshes from sock_diag, the note once.
nobody live --plain -c 3 -i 0.1 >"$tmp/live.out" 2>"$tmp/live.err" || fail "live as nobody failed: $(cat "$tmp/live.err")"
[ "$(grep -c '^Every 0.1s: connwatch (netlink)' "$tmp/live.out")" -eq 3 ] ||
  fail "live as nobody: not three netlink refreshes: $(grep Every "$tmp/live.out")"
[ "$(cat "$tmp/live.err")" = "connwatch: $NOTE" ] || fail "live as nobody said: '$(cat "$tmp/live.err")'"
nobody live --json -c 2 -i 0.1 2>/dev/null | jq -e -s 'length == 2 and all(.source == "netlink")' >/dev/null ||
  fail "live --json as nobody does not say netlink"

# serve: two scrapes from sock_diag, the note once in its log.
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs \
  env HOME=/nonexistent "$tmp/connwatch" serve --listen 127.0.0.1:9880 2>"$tmp/serve.err" &
SERVE=$!
for _ in $(seq 50); do curl -sf -o /dev/null http://127.0.0.1:9880/ && break; sleep 0.1; done
for scrape in 1 2; do
  curl -sf http://127.0.0.1:9880/metrics | grep -qx 'connwatch_source_info{source="netlink"} 1' ||
    fail "scrape $scrape as nobody not served by netlink"
done
[ "$(grep -c 'BPF fast path is not used' "$tmp/serve.err")" -eq 1 ] ||
  fail "serve as nobody: the note is not said exactly once: $(cat "$tmp/serve.err")"

# record, resident like live: the note once, then every refresh recorded from sock_diag.
mkdir -m 777 "$tmp/rec"
nobody record -c 3 -i 0.1 "$tmp/rec/nobody.rec" 2>"$tmp/record.err" || fail "record as nobody failed: $(cat "$tmp/record.err")"
[ "$(cat "$tmp/record.err")" = "connwatch: $NOTE" ] || fail "record as nobody said: '$(cat "$tmp/record.err")'"
"$CONNWATCH" list -a --replay "$tmp/rec/nobody.rec" >/dev/null || fail "nobody's recording cannot be read"
nobody record --source bpf -c 1 "$tmp/rec/forced.rec" >/dev/null 2>"$tmp/forced.err"
rc=$?
[ $rc -eq 1 ] || fail "record --source bpf as nobody exited $rc"
[ "$(cat "$tmp/forced.err")" = "connwatch: loading the BPF socket iterator needs CAP_BPF and CAP_PERFMON" ] ||
  fail "record --source bpf as nobody said: '$(cat "$tmp/forced.err")'"

# --source bpf is a demand: a clear error and exit 1, for list, summary and live alike.
for cmd in list summary live; do
  nobody "$cmd" --source bpf >/dev/null 2>"$tmp/forced.err"
  rc=$?
  [ $rc -eq 1 ] || fail "$cmd --source bpf as nobody exited $rc"
  [ "$(cat "$tmp/forced.err")" = "connwatch: loading the BPF socket iterator needs CAP_BPF and CAP_PERFMON" ] ||
    fail "$cmd --source bpf as nobody said: '$(cat "$tmp/forced.err")'"
done
# --source netlink or proc: chosen, so nothing to say.
for src in netlink proc; do
  out=$(nobody live --plain -c 1 --source $src 2>"$tmp/chosen.err" | head -1)
  case $out in "Every 2.0s: connwatch ($src)"*) ;; *) fail "live --source $src header: $out" ;; esac
  [ -s "$tmp/chosen.err" ] && fail "live --source $src said: $(cat "$tmp/chosen.err")"
done

# root without the two capabilities (nor CAP_SYS_ADMIN, which also allows BPF) falls back too.
out=$(setpriv --inh-caps=-bpf,-perfmon,-sys_admin --bounding-set=-bpf,-perfmon,-sys_admin \
  "$CONNWATCH" live --plain -c 1 2>"$tmp/root.err" | head -1)
case $out in "Every 2.0s: connwatch (netlink)"*) ;; *) fail "root without CAP_BPF: $out" ;; esac
[ "$(cat "$tmp/root.err")" = "connwatch: $NOTE" ] || fail "root without CAP_BPF said: '$(cat "$tmp/root.err")'"

# An unprivileged user with exactly CAP_BPF and CAP_PERFMON gets the fast path.
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all,+bpf,+perfmon \
  --ambient-caps=+bpf,+perfmon --bounding-set=-all,+bpf,+perfmon env HOME=/nonexistent \
  "$tmp/connwatch" live --plain -c 1 2>"$tmp/caps.err" | head -1)
case $out in "Every 2.0s: connwatch (bpf)"*) ;; *) fail "nobody with CAP_BPF+CAP_PERFMON: $out $(cat "$tmp/caps.err")" ;; esac
[ -s "$tmp/caps.err" ] && fail "nobody with the capabilities said: $(cat "$tmp/caps.err")"

# The unit documents the two capabilities, and its drop-in grants those and no others.
grep -q "CAP_BPF and CAP_PERFMON" "$SRC/contrib/systemd/connwatch.service.in" ||
  fail "connwatch.service does not document CAP_BPF and CAP_PERFMON"
grep -qx 'AmbientCapabilities=CAP_BPF CAP_PERFMON' "$SRC/contrib/systemd/connwatch-bpf.conf" &&
  grep -qx 'CapabilityBoundingSet=CAP_BPF CAP_PERFMON' "$SRC/contrib/systemd/connwatch-bpf.conf" ||
  fail "the drop-in does not grant exactly CAP_BPF and CAP_PERFMON"
if command -v systemd-analyze >/dev/null; then
  mkdir -p "$tmp/units/connwatch.service.d"
  sed "s|@bindir@|$tmp|g" "$SRC/contrib/systemd/connwatch.service.in" >"$tmp/units/connwatch.service"
  cp "$SRC/contrib/systemd/connwatch-bpf.conf" "$tmp/units/connwatch.service.d/bpf.conf"
  SYSTEMD_UNIT_PATH="$tmp/units:" systemd-analyze verify --man=no "$tmp/units/connwatch.service" \
    >"$tmp/verify" 2>&1 || fail "systemd-analyze verify with the drop-in: $(cat "$tmp/verify")"
  [ -s "$tmp/verify" ] && fail "systemd-analyze verify warns: $(cat "$tmp/verify")"
fi
echo ok

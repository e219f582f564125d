#!/usr/bin/env bash
# When netlink sock_diag is refused (as in some containers), connwatch reads /proc instead and says
# so once; with an explicit --source netlink it fails with a clear error instead. The refusal is
# simulated with strace's fault injection on socket(), connwatch's only socket() call.
set -u
. "$(dirname "$0")/lib.sh"
need_tool strace
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'
# LeakSanitizer cannot run under ptrace; the rest of ASan and UBSan still check these runs.
refused() {
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    strace -f -qq -o /dev/null -e trace=socket -e inject=socket:error=EPERM "$@"
}

refused "$CONNWATCH" list -a >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || fail "list under a refused netlink exited $rc: $(cat "$tmp/err")"
[ "$(grep -c 'reading /proc instead' "$tmp/err")" -eq 1 ] || fail "fallback not said once: $(cat "$tmp/err")"
grep -q "Operation not permitted" "$tmp/err" || fail "the reason is not given: $(cat "$tmp/err")"
"$CONNWATCH" list -a --source proc >"$tmp/proc" 2>&1 || fail "list --source proc failed"
diff <(sort "$tmp/out") <(sort "$tmp/proc") >/dev/null || fail "fallback rows differ from --source proc"

# A long-running view says it once, not at every refresh.
refused "$CONNWATCH" live --plain -c 3 -i 0.1 >/dev/null 2>"$tmp/err"
[ "$(grep -c 'reading /proc instead' "$tmp/err")" -eq 1 ] || fail "live repeated the fallback note: $(cat "$tmp/err")"

# An explicit --source netlink does not fall back.
refused "$CONNWATCH" list --source netlink >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] || fail "--source netlink under refusal exited $rc, expected 1"
grep -q "cannot open a netlink socket" "$tmp/err" || fail "no clear error: $(cat "$tmp/err")"
[ -s "$tmp/out" ] && fail "rows printed although the source failed: $(cat "$tmp/out")"
echo ok

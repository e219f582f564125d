#!/usr/bin/env bash
# Input and output that is not what it should be (issue 11): --textfile refuses to replace anything
# but a regular file; a /proc capture whose table never ends a line (/dev/zero) stops at once with
# a clear error in bounded memory; no socket table at all is an error, an empty one a note;
# `check` with stdout closed says why on stderr and is UNKNOWN.
set -u
. "$(dirname "$0")/lib.sh"
need_tool python3
need_tool unshare
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'

# Runs a command with a time bound and prints "EXIT PEAK_RSS_KB" (of the command).
bounded() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys
try:
    rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, timeout=30).returncode
except subprocess.TimeoutExpired:
    rc = "timeout"
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
}

# --- 1. --textfile refuses devices, fifos, directories and symbolic links -----------------------
# The device is one we make (a copy of /dev/full's numbers) in a tmpfs of a private mount
# namespace, so a regression can never turn the machine's own /dev/full into a file.
need_root
unshare -m sh -c '
  mount -t tmpfs -o size=64k tmpfs "$1" || exit 99
  mknod "$1/full" c 1 7 && mkfifo "$1/fifo" && mkdir "$1/dir" && echo keep >"$1/target" &&
    ln -s target "$1/link" || exit 98
  for f in full fifo dir link; do
    timeout 20 "$2" serve --textfile "$1/$f" 2>"$1/err"; rc=$?
    [ $rc -eq 1 ] || { echo "$f: exit $rc"; exit 1; }
    grep -q "^connwatch: .*$1/$f.*not a regular file" "$1/err" || { echo "$f: $(cat "$1/err")"; exit 1; }
    ls "$1" | grep -q tmp && { echo "$f: a temporary file was left"; exit 1; }
  done
  [ -c "$1/full" ] && [ "$(stat -c %t:%T "$1/full")" = 1:7 ] || { echo "the device was replaced"; exit 1; }
  [ -p "$1/fifo" ] && [ -d "$1/dir" ] && [ -L "$1/link" ] || { echo "a special file was replaced"; exit 1; }
  [ "$(cat "$1/target")" = keep ] || { echo "the link target was written"; exit 1; }
  # A regular file is still replaced (write, then rename).
  echo old >"$1/reg"
  "$2" serve --textfile "$1/reg" 2>"$1/err" || { echo "regular file: $(cat "$1/err")"; exit 1; }
  grep -q "^connwatch_connections" "$1/reg" || { echo "regular file not written"; exit 1; }
  exit 0' sh "$tmp" "$CONNWATCH" >"$tmp/ns.out" 2>&1 || fail "--textfile: $(cat "$tmp/ns.out")"

# --- 4. a /proc line that never ends --------------------------------------------------------------
mkdir -p "$tmp/zero/net"
ln -s /dev/zero "$tmp/zero/net/tcp"
for cmd in list summary; do
  read -r rc rss < <(bounded "$CONNWATCH" $cmd --proc-root "$tmp/zero" 2>"$tmp/err")
  [ "$rc" = 1 ] || fail "$cmd on /dev/zero as net/tcp: exit $rc"
  grep -q "^connwatch: $tmp/zero/net/tcp:1: no line end within 5 MiB" "$tmp/err" ||
    fail "$cmd on /dev/zero: unclear error: $(cat "$tmp/err")"
  # ASan's shadow memory counts in the peak; the unbounded read grew to gigabytes.
  [ "$rss" -lt 262144 ] || fail "$cmd on /dev/zero peaked at $rss KiB"
done

# The text import reads through the same bounded reader.
read -r rc rss < <(bounded "$CONNWATCH" import /dev/zero 2>"$tmp/err")
[ "$rc" = 1 ] && grep -q "^connwatch: /dev/zero:1: no line end within 5 MiB" "$tmp/err" ||
  fail "import /dev/zero: exit $rc: $(cat "$tmp/err")"
[ "$rss" -lt 262144 ] || fail "import /dev/zero peaked at $rss KiB"

# --- 5. no socket table at all, or an empty one -------------------------------------------------
mkdir -p "$tmp/none/net"
"$CONNWATCH" summary --proc-root "$tmp/none" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] || fail "no socket table: exit $rc, expected 1"
grep -q "^connwatch: $tmp/none/net: no socket table" "$tmp/err" || fail "no table: $(cat "$tmp/err")"
grep -q "Connections: 0" "$tmp/out" && fail "no table read as no connections"
mkdir -p "$tmp/empty/net"
: >"$tmp/empty/net/tcp"
cp "$FIXTURES/user-example/net/udp" "$tmp/empty/net/udp"
"$CONNWATCH" list -a --proc-root "$tmp/empty" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 3 ] || fail "empty net/tcp: exit $rc, expected 3"
grep -q "^connwatch: $tmp/empty/net/tcp: empty file" "$tmp/err" || fail "empty table: $(cat "$tmp/err")"
grep -q "^udp " "$tmp/out" || fail "the other table's rows are not shown: $(cat "$tmp/out")"

# --- 13. check with stdout closed ----------------------------------------------------------------
"$CONNWATCH" check >&- 2>"$tmp/err"; rc=$?
[ $rc -eq 3 ] || fail "check >&-: exit $rc, expected 3 (UNKNOWN)"
grep -q "standard output is closed" "$tmp/err" || fail "check >&- says nothing: $(cat "$tmp/err")"
"$CONNWATCH" check >/dev/full 2>"$tmp/err"; rc=$?
[ $rc -eq 3 ] && grep -q "cannot write the status line" "$tmp/err" || fail "check >/dev/full: exit $rc: $(cat "$tmp/err")"
echo ok

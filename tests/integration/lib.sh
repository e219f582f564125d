# Shared by the integration tests. Meson's exit-code protocol: 0 pass, 77 skip, else fail.
CONNWATCH=${1:?usage: $0 PATH_TO_CONNWATCH}
HERE=$(cd "$(dirname "$0")" && pwd)

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

need_root() { [ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces)"; }
need_tool() { command -v "$1" >/dev/null || skip "$1 is not installed (scripts/dev.sh deps installs it)"; }

# Re-runs the calling script inside a fresh network namespace with loopback up, so the test
# sees only its own sockets and nothing it sends can leave the machine.
in_private_netns() { enter_private_namespaces "-n" "$@"; }

# The same, also in a PID namespace with its own /proc: netstat -p, ss -p and connwatch -p then
# walk the fds of the test's processes only. Walking every process of a machine where something
# else holds a million sockets takes tens of seconds each time, longer than TIME_WAIT lives.
in_private_netns_and_pids() { enter_private_namespaces "-n -p -f --mount-proc" "$@"; }

# enter_private_namespaces "UNSHARE_FLAGS" ARGS...: the two above.
enter_private_namespaces() {
  local flags=$1
  shift
  if [ -z "${CW_IN_NETNS:-}" ]; then
    need_root
    need_tool unshare
    # CW_TEST_PID: this test's pid on the machine; in a pid namespace $$ is the same small
    # number in every test, and tmux servers are named in a directory they all share.
    # shellcheck disable=SC2086 # the flags are words
    CW_IN_NETNS=1 CW_TEST_PID=$$ exec unshare $flags "$0" "$@"
  fi
  ip link set lo up || fail "cannot bring up loopback in the test namespace"
}

# on_exit COMMAND: runs COMMAND (evaluated then) when the test exits, after the commands
# registered later. Every cleanup goes through it: a second `trap ... EXIT` would replace the
# first, and what it cleaned up (a tmux server, a socket holder, a temporary directory) would
# be left behind.
CW_ON_EXIT=()
on_exit() {
  CW_ON_EXIT+=("$1")
  trap 'for ((__i = ${#CW_ON_EXIT[@]} - 1; __i >= 0; __i--)); do eval "${CW_ON_EXIT[__i]}"; done' EXIT
}

# hold NAME SECONDS COMMAND...: starts a socket holder, a command that prints READY once its
# sockets are in place; waits for it (SECONDS at most, and fails at once if it dies first) and
# kills it when the test exits. Sets HOLDER_PID and HOLDER_OUT, the file with its output (kept
# until the test exits: some holders print what they hold, a port for instance).
hold() {
  local name=$1 seconds=$2
  shift 2
  HOLDER_OUT=$(mktemp "${TMPDIR:-/tmp}/cw-hold-$name.XXXXXX") || fail "cannot create a temporary file"
  "$@" >"$HOLDER_OUT" 2>&1 &
  HOLDER_PID=$!
  on_exit "kill $HOLDER_PID 2>/dev/null; wait $HOLDER_PID 2>/dev/null; rm -f '$HOLDER_OUT'"
  local tenths
  for ((tenths = 0; tenths < seconds * 10; tenths++)); do
    grep -q READY "$HOLDER_OUT" && return 0
    kill -0 $HOLDER_PID 2>/dev/null || fail "socket holder $name died: $(cat "$HOLDER_OUT")"
    sleep 0.1
  done
  fail "socket holder $name not ready after $seconds s: $(cat "$HOLDER_OUT")"
}

# start_holder COMMAND...: hold, for the tests that need one holder and nothing it prints.
start_holder() { hold holder 10 "$@"; }

# hold_connection NAME [PROCNAME]: one ESTABLISHED loopback connection held for 2 minutes by
# hold_one.py (its process called PROCNAME when given), through hold; sets PORT to the server's.
hold_connection() {
  hold "$1" 10 python3 "$HERE/hold_one.py" 120 ${2:+"$2"}
  PORT=$(awk '/READY/ { print $3; exit }' "$HOLDER_OUT")
}

# fresh_tmux PREFIX: kills the tmux server named in $TM, if any, and points TM at a new one.
# A new-session sent to a server that is still exiting fails ("server exited unexpectedly"),
# so each session gets a server of its own.
fresh_tmux() {
  [ -n "${TM:-}" ] && $TM kill-server 2>/dev/null
  TMUX_SERVERS=$((${TMUX_SERVERS:-0} + 1))
  TM="tmux -L $1-${CW_TEST_PID:-$$}-$TMUX_SERVERS"
}

# For the tests that drive the live screen through tmux: the visible pane of session cw on the
# tmux server the caller names in $TM, and a wait until it shows something.
screen() { $TM capture-pane -p -t cw; }
# wait_screen PATTERN [SECONDS]: until the screen shows PATTERN (grep -E); 5 s unless told
wait_screen() {
  local i
  for i in $(seq $((${2:-5} * 10))); do
    screen | grep -qE -- "$1" && return 0
    sleep 0.1
  done
  return 1
}

# The widest line of stdin in display columns: mawk's length() counts bytes, and a sparkline or a
# box border (3 bytes a character) made an 80-column line look wider than the screen.
columns() { LC_ALL=C.UTF-8 wc -L; }

# Waits (at most 5 s) until `connwatch list` shows at least MIN SYN_RECV sockets; fails with the
# count reached otherwise. usage: wait_syn_recv MIN
wait_syn_recv() {
  local n=0
  for _ in $(seq 50); do
    n=$("$CONNWATCH" list --state syn-recv | tail -n +2 | wc -l)
    [ "$n" -ge "$1" ] && return 0
    sleep 0.1
  done
  fail "only $n SYN_RECV sockets after 5 s"
}

#!/usr/bin/env bash
# Units, containers and network namespaces with real objects made here: two `ip netns add`
# namespaces, a process in each owning sockets, one moved (cgroup.procs) into a cgroup v2
# directory named like a systemd service, the other into one named like a Docker container's
# scope. A CLOSE_WAIT leak inside the first must be reported for that namespace, naming the
# port, the unit and the namespace; list/JSON show unit, container and netns; --netns all
# reads each namespace once; without CAP_SYS_ADMIN the error says so.
set -u
[ -n "${CW_TRACE:-}" ] && set -x
. "$(dirname "$0")/lib.sh"
need_root
need_tool ip
need_tool jq
need_tool setpriv
in_private_netns_and_pids "$@"

# The cgroup v2 hierarchy: /sys/fs/cgroup on unified hosts, /sys/fs/cgroup/unified on hybrid.
CG=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
[ -n "$CG" ] || skip "no cgroup2 hierarchy is mounted (cannot make unit and container cgroups)"
# not $$: in its own PID namespace every run of this test is pid 1
tag="cwtest$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')"
slice="$CG/$tag.slice"
mkdir "$slice" 2>/dev/null || skip "cannot create cgroups below $CG (read-only cgroupfs: $(stat -f -c %T "$CG"))"
id=$(printf '%s' "$tag" | sha256sum | cut -c1-64)
unit="$tag-leak.service"
scope="docker-$id.scope"
mkdir "$slice/$unit" "$slice/$scope" || fail "cannot create $slice/$unit and $scope"
nsa="$tag-a" nsb="$tag-b"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  # a holder's children may outlive it for a moment: empty the cgroups, then remove them
  for d in "$slice/$unit" "$slice/$scope"; do echo 1 >"$d/cgroup.kill" 2>/dev/null; done
  for _ in $(seq 50); do
    rmdir "$slice/$unit" "$slice/$scope" "$slice" 2>/dev/null
    [ -d "$slice" ] || break
    sleep 0.1
  done
  ip netns del "$nsa" 2>/dev/null
  ip netns del "$nsb" 2>/dev/null
  rm -f "$tmp"/*; rmdir "$tmp" 2>/dev/null
}
tmp=$(mktemp -d)
on_exit cleanup
for ns in "$nsa" "$nsb"; do
  ip netns add "$ns" || fail "ip netns add $ns"
  ip -n "$ns" link set lo up || fail "lo up in $ns"
done

# start NS CGROUP PORT LEAK: a holder inside NS, moved into CGROUP before it makes sockets
# would be nicer, but the move of a running process is what cgroup.procs does for services too.
start() {
  ip netns exec "$1" python3 "$HERE/netns_holder.py" "$3" "$4" >"$tmp/$1.out" 2>&1 &
  local p=$!
  pids+=("$p")
  echo "$p" >"$2/cgroup.procs" || fail "cannot move $p into $2"
  for _ in $(seq 100); do
    grep -q READY "$tmp/$1.out" && { echo "$p"; return 0; }
    kill -0 "$p" 2>/dev/null || fail "holder in $1 died: $(cat "$tmp/$1.out")"
    sleep 0.1
  done
  fail "holder in $1 not ready"
}
pa=$(start "$nsa" "$slice/$unit" 8080 6)
pids+=("$pa")
pb=$(start "$nsb" "$slice/$scope" 9090 0)
pids+=("$pb")
grep -q "0::/$tag.slice/$unit\$" "/proc/$pa/cgroup" || fail "holder not in its unit: $(cat /proc/$pa/cgroup)"

# Our own namespace has none of these sockets: they are only seen with --netns.
"$CONNWATCH" list -a | grep -q ':8080 ' && fail "the other namespace's sockets leaked into ours"

# list -p in the namespace: the owners there, their unit, the namespace.
t=$("$CONNWATCH" list -a -p --netns "$nsa") || fail "list --netns $nsa failed"
echo "$t" | head -1 | grep -q 'PID/Program name *Unit/Container *Netns$' || fail "header: $t"
n=$(echo "$t" | grep -cE "127.0.0.1:8080 .*CLOSE_WAIT +$pa/python3 +$unit +$nsa\$")
[ "$n" -eq 6 ] || fail "expected 6 CLOSE_WAIT rows of pid $pa in $unit, $nsa; got $n: $t"
j=$("$CONNWATCH" list -a -p --json --netns "$nsa") || fail "list --json --netns failed"
echo "$j" | jq -e --arg u "$unit" --arg ns "$nsa" --argjson pid "$pa" '
  [.connections[] | select(.local_port == 8080 and .state == "LISTEN")][0] |
  .pid == $pid and .unit == $u and .container == null and .netns == $ns' >/dev/null ||
  fail "JSON row of the listener: $j"

# The container: docker:<short id>, the full id and runtime in JSON (no Docker here, so no name).
t=$("$CONNWATCH" list -l -p --netns "$pb") || fail "list --netns PID failed"
echo "$t" | grep -qE "127.0.0.1:9090 .*LISTEN +$pb/python3 +docker:${id:0:12} +net:\[[0-9]+\] docker:${id:0:12}\$" ||
  fail "container row by pid: $t"
"$CONNWATCH" list -l -p --json --netns "/run/netns/$nsb" | jq -e --arg id "$id" '
  .connections[0].container == {"runtime": "docker", "id": $id, "short_id": $id[0:12],
  "name": null, "pod_uid": null} and .connections[0].unit == ("docker-" + $id + ".scope")
  and .connections[0].netns == "'"$nsb"'"' >/dev/null || fail "container JSON: $("$CONNWATCH" list -l -p --json --netns "/run/netns/$nsb")"

# --netns all: ours first, each of ours once (by inode: /run/netns/NAME and the holder's
# /proc/PID/ns/net are the same namespace), rows of both.
j=$("$CONNWATCH" list -a --json --netns all) || fail "list --netns all failed"
for ns in "$nsa" "$nsb"; do
  c=$(echo "$j" | jq --arg ns "$ns" '[.connections[] | select(.netns == $ns)] | length')
  want=$([ "$ns" = "$nsa" ] && echo 15 || echo 3)
  [ "$c" -eq "$want" ] || fail "--netns all: $c rows in $ns, expected $want"
done
echo "$j" | jq -e '[.connections[].netns] | map(select(startswith("cwtest") | not)) |
  all(. != null)' >/dev/null || fail "a row without its netns"

# The leak: reported as close_wait for that namespace, naming the port, the unit and the
# namespace, in JSON and in the text.
s=$("$CONNWATCH" summary -p --json --netns all --threshold close_wait_count=5 \
  --threshold close_wait_age=0) || fail "summary --netns all failed"
echo "$s" | jq -e --arg u "$unit" --arg ns "$nsa" --argjson pid "$pa" '
  [.warnings[] | select(.id == "close_wait" and .netns == $ns)] | length == 1 and
  (.[0].evidence.port == 8080) and (.[0].evidence.processes[0].pid == $pid) and
  (.[0].evidence.processes[0].unit == $u)' >/dev/null || fail "close_wait in $nsa: $s"
echo "$s" | jq -e --arg ns "$nsb" '[.warnings[] | select(.netns == $ns)] | length == 0' \
  >/dev/null || fail "a warning for the namespace without a leak: $s"
st=$("$CONNWATCH" summary -p --netns "$nsa" --threshold close_wait_count=5 --threshold close_wait_age=0)
echo "$st" | grep -q "close_wait (netns $nsa): 6 connections on local port 8080" ||
  fail "text warning: $st"
echo "$st" | grep -q "pid $pa $unit (6)" || fail "unit not beside the pid: $st"

# /metrics with --netns all: per-namespace series for the namespaces, and the leak's rule for
# the namespace it is in only (a textfile scrape: the same rendering as over HTTP).
"$CONNWATCH" serve --netns all --textfile "$tmp/m.prom" --threshold close_wait_count=5 \
  --threshold close_wait_age=0 || fail "serve --netns all --textfile failed"
grep -q "^connwatch_netns_connections{netns=\"$nsa\",state=\"close_wait\"} 6\$" "$tmp/m.prom" ||
  fail "no CLOSE_WAIT series for $nsa: $(grep netns "$tmp/m.prom")"
grep -q "^connwatch_netns_connections{netns=\"$nsb\",state=\"established\"} 2\$" "$tmp/m.prom" ||
  fail "no ESTABLISHED series for $nsb: $(grep netns "$tmp/m.prom")"
grep -q "^connwatch_netns_warning{netns=\"$nsa\",rule=\"close_wait\",severity=\"[a-z]*\"} 1\$" "$tmp/m.prom" ||
  fail "no close_wait warning series for $nsa: $(grep netns_warning "$tmp/m.prom")"
grep -q "^connwatch_netns_warning{netns=\"$nsb\"" "$tmp/m.prom" && fail "a warning series for $nsb"
if command -v promtool >/dev/null; then
  promtool check metrics <"$tmp/m.prom" >"$tmp/lint" 2>&1 || fail "promtool: $(cat "$tmp/lint")"
fi
# without --netns all the per-namespace families stay empty (no label churn on a plain host)
"$CONNWATCH" serve --textfile "$tmp/plain.prom" || fail "serve --textfile failed"
grep -q "^connwatch_netns_" "$tmp/plain.prom" && fail "netns series without --netns all"

# summary -p: connections per unit and per container (the holder in the unit has 6 CLOSE_WAIT
# and 2 established; the one in the container 2 established).
echo "$s" | jq -e --arg u "$unit" --arg id "$id" '
  ([.units[] | select(.unit == $u)][0] | .count == 8 and .processes == 1) and
  ([.containers[] | select(.id == $id)][0] | .count == 2 and .runtime == "docker" and
   .label == ("docker:" + $id[0:12]))' >/dev/null || fail "units/containers in summary: $s"
echo "$st" | grep -qE "^  $unit +8  \(processes: 1\)\$" || fail "Busiest units text: $st"

# Without CAP_SYS_ADMIN: a clear error, exit 1.
err=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
  "$CONNWATCH" list --netns "$nsa" 2>&1 >/dev/null)
rc=$?
[ $rc -eq 1 ] && echo "$err" | grep -q CAP_SYS_ADMIN || fail "unprivileged --netns: rc $rc: $err"
# Bad specs: usage errors (2), or a runtime error naming what is missing (1).
"$CONNWATCH" list --netns 'a b' >/dev/null 2>&1; [ $? -eq 2 ] || fail "--netns 'a b' not a usage error"
"$CONNWATCH" list --netns "$tag-none" 2>"$tmp/e" >/dev/null; rc=$?
[ $rc -eq 1 ] && grep -q "$tag-none" "$tmp/e" || fail "missing namespace: rc $rc $(cat "$tmp/e")"
"$CONNWATCH" list --netns /etc/passwd 2>"$tmp/e" >/dev/null; rc=$?
[ $rc -eq 1 ] && grep -q "not a network namespace" "$tmp/e" || fail "not a namespace: $(cat "$tmp/e")"
echo ok

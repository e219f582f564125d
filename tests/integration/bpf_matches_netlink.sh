#!/usr/bin/env bash
# The BPF fast path reports what sock_diag reports, on the same held sockets: every state
# (TIME_WAIT through tw_substate, SYN_RECV request sockets of a real SYN flood, SYN_SENT,
# CLOSE_WAIT, FIN_WAIT2, LAST_ACK, CLOSING, listeners), IPv4, IPv6 and IPv4-mapped (TIME_WAIT
# and request sockets of each too), connections with unread data. Compared: summary --json
# (counts, tops, every warning with its evidence), check's status line, one /metrics scrape of
# serve, and list's rows; with the default thresholds and with thresholds low enough that every
# rule with these sockets fires. The counting commands get ordinary connections, TIME_WAIT and
# request sockets counted in the kernel (fewer records read than those sockets: strace shows it).
# BPF iterators see the network namespace of the process that reads them: both run here.
set -u
. "$(dirname "$0")/lib.sh"
need_tool nft
need_tool python3
need_tool jq
need_tool curl
need_tool strace
"$CONNWATCH" --version | grep -q "BPF fast path: built in" ||
  skip "connwatch was built without the BPF fast path (apt-get install libbpf-dev bpftool clang)"
in_private_netns "$@"

tmp=$(mktemp -d)
PIDS=
on_exit 'kill $PIDS 2>/dev/null; wait $PIDS 2>/dev/null; rm -rf "$tmp"'
hold() { # NAME COMMAND...: starts a holder and waits for its READY (10 s at most)
  local name=$1
  shift
  "$@" >"$tmp/$name.out" 2>&1 &
  PIDS="$PIDS $!"
  for _ in $(seq 100); do
    grep -q READY "$tmp/$name.out" && return 0
    sleep 0.1
  done
  fail "holder $name not ready: $(cat "$tmp/$name.out")"
}

# The SYN flood's half-open sockets stay because this host's RSTs are dropped.
nft -f - <<'NFT' || fail "cannot add the nft rule in the test namespace"
table inet cwtest {
  chain out {
    type filter hook output priority 0; tcp flags & rst == rst drop;
    tcp dport 7001 tcp flags & (syn|ack) == ack drop;
  }
}
NFT
# TIME_WAIT sockets live 60 s, the holders as long, SYN_RECV ones about as long: the pairs of
# reads below run within that window (the slowest ones, list, last), the flood's half-open
# sockets are kept longer in this namespace, and the TIME_WAIT holder starts last.
sysctl -qw net.ipv4.tcp_synack_retries=8 || fail "cannot set tcp_synack_retries in the test namespace"
hold basic python3 "$HERE/sockets.py" basic handshake closing
hold flood python3 "$HERE/diag_load.py" synflood 8080 300 30
hold closewait python3 "$HERE/diag_load.py" closewait 8082 60
hold bulk python3 "$HERE/bpf_bulk.py" 7000
hold timewait python3 "$HERE/diag_load.py" timewait 8081 200
for _ in $(seq 50); do
  n=$("$CONNWATCH" list --state syn-recv --source netlink | tail -n +2 | wc -l)
  [ "$n" -ge 300 ] && break
  sleep 0.1
done
[ "$n" -ge 300 ] || fail "only $n SYN_RECV sockets after 5 s"
sleep 1.2 # every CLOSE_WAIT socket is older than close_wait_age=1s below

LOW=(--threshold syn_recv_warning=10 --threshold time_wait_remote=5
  --threshold time_wait_total=10 --threshold close_wait_count=5 --threshold close_wait_age=1s
  --threshold recv_q=1K --threshold queue_connections=1 --threshold fin_wait2_count=1
  --threshold syn_sent_remote=1 --threshold syn_sent_total=1)

# Runs a command with --source netlink and --source bpf; they must print the same after FILTER
# (a jq or sed program that drops what names the source or measures time). The table is held
# still, but a SYN_RECV may time out between two reads: three tries.
same() { # NAME FILTER-COMMAND -- CONNWATCH-ARGS...
  local name=$1 filter=$2
  shift 3
  for try in 1 2 3; do
    "$CONNWATCH" "$@" --source netlink 2>"$tmp/$name.nl.err" | $filter >"$tmp/$name.nl"
    "$CONNWATCH" "$@" --source bpf 2>"$tmp/$name.bpf.err" | $filter >"$tmp/$name.bpf"
    [ -s "$tmp/$name.bpf.err" ] && fail "$name: --source bpf said: $(cat "$tmp/$name.bpf.err")"
    cmp -s "$tmp/$name.nl" "$tmp/$name.bpf" && return 0
    echo "$name, try $try: the two reads differ:" >&2
    diff "$tmp/$name.nl" "$tmp/$name.bpf" | head -20 >&2
    sleep 0.3
  done
  diff "$tmp/$name.nl" "$tmp/$name.bpf" | head -40
  fail "$name differs between --source netlink and --source bpf"
}
# The CLOSE_WAIT ages are read at two instants apart, so the oldest age may differ by a second:
# left out (how many are older than close_wait_age is still compared). So are the kernel's
# counters: both sources read them from the same /proc/net/snmp and netstat, not from the socket
# table, and they move between the two runs while the flood's SYN-ACKs are retransmitted.
summary_filter() {
  jq -S 'del(.source, .kernel) | walk(if type == "object" then with_entries(
    if (.key | test("age_ms$|oldest_s$")) then .value = "age" else . end) else . end)'
}
sorted() { sort; }
check_line() { cat; }

same summary-low summary_filter -- summary --json -a "${LOW[@]}"
same check-low check_line -- check "${LOW[@]}"
same summary summary_filter -- summary --json -a
same check check_line -- check

# What the comparison covered: a meaningful table, and warnings that fired on both paths.
jq -e '.states.SYN_RECV >= 330 and .states.TIME_WAIT >= 290 and .states.CLOSE_WAIT >= 60 and
  .states.ESTABLISHED >= 1000 and .states.SYN_SENT >= 2 and .states.LAST_ACK >= 1 and
  .states.CLOSING >= 1 and .states.LISTEN >= 3 and .protocols.tcp6.SYN_RECV >= 30 and
  .protocols.tcp6.TIME_WAIT >= 60' "$tmp/summary-low.bpf" >/dev/null ||
  fail "the held table is not what the test needs: $(jq -c .protocols "$tmp/summary-low.bpf")"
for rule in syn_flood time_wait close_wait recv_q syn_sent; do
  jq -e --arg r "$rule" '[.warnings[].id] | index($r)' "$tmp/summary-low.bpf" >/dev/null ||
    fail "warning $rule did not fire: $(jq -c '[.warnings[].id]' "$tmp/summary-low.bpf")"
done
"$CONNWATCH" summary --json --source bpf | jq -e '.source == "bpf"' >/dev/null ||
  fail "summary --json does not say source bpf"

# Counted in the kernel: summary reads a record only for the sockets the program does not count
# (listeners, SYN_SENT, CLOSE_WAIT, FIN_WAIT2, connections with data queued), not for the
# ESTABLISHED, TIME_WAIT and SYN_RECV ones. The iterator's bytes are what strace saw read from
# the descriptor BPF_ITER_CREATE returned; a record is 64 bytes.
# LeakSanitizer cannot run under ptrace; ASan and UBSan still check the traced runs.
traced() { ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -s 0 "$@"; }
traced -e trace=bpf,read,close -o "$tmp/strace" "$CONNWATCH" summary --json -a --source bpf \
  >"$tmp/counted.json" || fail "summary --source bpf under strace failed"
records=$(awk '/BPF_ITER_CREATE/ { fd = $NF; next }
  fd != "" && index($0, "close(" fd ")") { fd = "" }
  fd != "" && index($0, "read(" fd ",") { n += $NF }
  END { print n / 64 }' "$tmp/strace")
jq -e --argjson rec "$records" '(.states.ESTABLISHED + .states.TIME_WAIT + .states.SYN_RECV) >= 1500
  and $rec > 0 and $rec <= .total - .states.ESTABLISHED - .states.TIME_WAIT - .states.SYN_RECV' \
  "$tmp/counted.json" >/dev/null ||
  fail "summary read $records records for $(jq -c .states "$tmp/counted.json")"

# serve: the same metrics from each source but the source's labels and the time taken.
# --textfile is one scrape of the same code path without HTTP, whose own connections (and their
# TIME_WAIT sockets) would change the table between the two scrapes.
metrics_filter() {
  grep -v -e '^connwatch_scrape_duration_seconds ' -e '^connwatch_build_info' \
    -e '^connwatch_source_info' -e '^connwatch_close_wait_oldest_seconds ' -e '^connwatch_kernel_'
}
for try in 1 2 3; do
  "$CONNWATCH" serve --source netlink --textfile "$tmp/m.nl" "${LOW[@]}" || fail "serve --textfile failed"
  "$CONNWATCH" serve --source bpf --textfile "$tmp/m.bpf" "${LOW[@]}" 2>"$tmp/serve.err" ||
    fail "serve --source bpf --textfile failed: $(cat "$tmp/serve.err")"
  cmp -s <(metrics_filter <"$tmp/m.nl") <(metrics_filter <"$tmp/m.bpf") && break
  if [ $try -eq 3 ]; then
    diff <(metrics_filter <"$tmp/m.nl") <(metrics_filter <"$tmp/m.bpf") | head -40
    fail "serve's metrics differ between the sources"
  fi
  sleep 0.3
done
grep -qx 'connwatch_source_info{source="bpf"} 1' "$tmp/m.bpf" || fail "bpf scrape does not say source bpf"
grep -qx 'connwatch_source_info{source="netlink"} 1' "$tmp/m.nl" || fail "netlink scrape does not say netlink"
grep -q '^connwatch_warning{rule="syn_flood"' "$tmp/m.bpf" || fail "no syn_flood warning metric from bpf"

# Rows (views that list them): the same sockets with the same columns.
same list sorted -- list -a
same list6 sorted -- list -a -6 -t --state established,syn-recv,time-wait

# record (a flight recorder, resident like the live view) reads the iterator by default, once
# per refresh, and records the rows sock_diag gives.
for try in 1 2 3; do
  rm -f "$tmp/bpf.rec" "$tmp/nl.rec"
  traced -e trace=bpf -o "$tmp/record.strace" "$CONNWATCH" record -c 2 -i 0.1 "$tmp/bpf.rec" \
    2>"$tmp/record.err" || fail "record failed: $(cat "$tmp/record.err")"
  [ -s "$tmp/record.err" ] && fail "record said: $(cat "$tmp/record.err")"
  "$CONNWATCH" record --source netlink -c 1 "$tmp/nl.rec" || fail "record --source netlink failed"
  "$CONNWATCH" list -a --replay "$tmp/bpf.rec" | sort >"$tmp/rec.bpf"
  "$CONNWATCH" list -a --replay "$tmp/nl.rec" | sort >"$tmp/rec.nl"
  cmp -s "$tmp/rec.bpf" "$tmp/rec.nl" && break
  [ $try -eq 3 ] && { diff "$tmp/rec.nl" "$tmp/rec.bpf" | head -20; fail "recorded rows differ between the sources"; }
  sleep 0.3
done
[ "$(grep -c 'BPF_ITER_CREATE' "$tmp/record.strace")" -eq 2 ] ||
  fail "record did not run the iterator once per refresh: $(grep -c BPF_ITER_CREATE "$tmp/record.strace")"
[ "$(wc -l <"$tmp/rec.bpf")" -ge 1500 ] || fail "the recording holds only $(wc -l <"$tmp/rec.bpf") rows"

# Over HTTP, serve loads the fast path once by default and says which source served a scrape.
"$CONNWATCH" serve --listen 127.0.0.1:9878 2>"$tmp/serve-http.err" &
PIDS="$PIDS $!"
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:9878/" && break; sleep 0.1; done
for scrape in 1 2; do
  curl -sf http://127.0.0.1:9878/metrics | grep -qx 'connwatch_source_info{source="bpf"} 1' ||
    fail "scrape $scrape over HTTP was not served by bpf: $(cat "$tmp/serve-http.err")"
done
grep -q "BPF fast path is not used" "$tmp/serve-http.err" && fail "serve fell back: $(cat "$tmp/serve-http.err")"

# The live view, by default (no --source), loads the fast path and says so in its header.
"$CONNWATCH" live --plain -c 1 2>"$tmp/live.err" | head -1 | grep -q '^Every 2.0s: connwatch (bpf)' ||
  fail "live header does not say bpf: $(cat "$tmp/live.err")"
[ -s "$tmp/live.err" ] && fail "live said: $(cat "$tmp/live.err")"
echo ok

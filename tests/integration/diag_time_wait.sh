#!/usr/bin/env bash
# A client opening and closing 2,500 short connections to one service leaves 2,500 TIME_WAIT;
# `summary --json` reports time_wait naming the destination port and this host as the client.
set -u
. "$(dirname "$0")/lib.sh"
need_tool python3
in_private_netns "$@"

start_holder python3 "$HERE/diag_load.py" timewait 8081 2500
json=$("$CONNWATCH" summary --json) || fail "summary failed"
python3 "$HERE/diag_check.py" warning time_wait <<<"$json" destination_port=8081 \
  side=client destination_count=2500 || exit 1
echo ok

#!/usr/bin/env python3
"""Compares connwatch's view of the sockets with netstat's and ss's, taken back to back.

usage: compare.py CONNWATCH [all|default] [extra connwatch list options, e.g. --source proc]
  all      connwatch list -a   vs netstat -ntua and ss -tanu
  default  connwatch list      vs netstat -ntu and ss -tanu state connected (minus unconnected UDP)
Exit 0 when the rows (proto, addresses, ports, state) and the per-state counts agree, 1 with a
diff otherwise. Retries a few times
because sockets outside the test (and timers) can change between the three commands.
"""
import collections
import json
import re
import subprocess
import sys
import time

SS_STATES = {
    "ESTAB": "ESTABLISHED", "SYN-SENT": "SYN_SENT", "SYN-RECV": "SYN_RECV",
    "FIN-WAIT-1": "FIN_WAIT1", "FIN-WAIT-2": "FIN_WAIT2", "TIME-WAIT": "TIME_WAIT",
    "CLOSE-WAIT": "CLOSE_WAIT", "LAST-ACK": "LAST_ACK", "LISTEN": "LISTEN",
    "CLOSING": "CLOSING", "UNCONN": "", "CLOSE": "CLOSED",
}


def norm_addr(a):
    a = a.strip("[]")
    if a.startswith("::ffff:") and "." in a:
        a = a[7:]
    a = a.split("%")[0]
    return "any" if a in ("*", "0.0.0.0", "::") else a


def split_endpoint(ep):
    addr, _, port = ep.rpartition(":")
    return norm_addr(addr), 0 if port == "*" else int(port)


def connwatch_rows(binary, opts):
    out = subprocess.run([binary, "list", "--json"] + opts, check=True,
                         capture_output=True, text=True).stdout
    doc = json.loads(out)
    assert doc["version"] == 1
    rows = []
    for c in doc["connections"]:
        rows.append((c["proto"], norm_addr(c["local_address"]), c["local_port"],
                     norm_addr(c["remote_address"]), c["remote_port"], c["state"]))
    return rows


def netstat_rows(opts):
    out = subprocess.run(["netstat", "-n"] + opts, check=True, capture_output=True,
                         text=True).stdout
    rows = []
    for line in out.splitlines():
        f = line.split()
        if not f or f[0] not in ("tcp", "tcp6", "udp", "udp6"):
            continue
        state = f[5] if len(f) > 5 else ""
        la, lp = split_endpoint(f[3])
        ra, rp = split_endpoint(f[4])
        rows.append((f[0], la, lp, ra, rp, state))
    return rows


def ss_rows(opts):
    out = subprocess.run(["ss", "-nH"] + opts, check=True, capture_output=True,
                         text=True).stdout
    rows = []
    for line in out.splitlines():
        f = line.split()
        if len(f) < 6:
            continue
        la, lp = split_endpoint(f[4])
        ra, rp = split_endpoint(f[5])
        state = SS_STATES.get(f[1], f[1])
        if f[0] == "udp" and state == "ESTABLISHED":
            pass
        rows.append((f[0], la, lp, ra, rp, state))
    return rows


def without_family(rows):
    return collections.Counter((r[0].rstrip("6"),) + r[1:] for r in rows)


def state_counts(rows):
    return collections.Counter(r[5] for r in rows)


def main():
    binary = sys.argv[1]
    mode = sys.argv[2] if len(sys.argv) > 2 else "all"
    extra = sys.argv[3:]
    cw_opts = {"all": ["-a"], "default": []}[mode] + extra
    ns_opts = {"all": ["-tua"], "default": ["-tu"]}[mode]
    ss_opts = {"all": ["-tua"], "default": ["-tu", "state", "connected"]}[mode]
    for attempt in range(5):
        cw = connwatch_rows(binary, cw_opts)
        ns = netstat_rows(ns_opts)
        ss = ss_rows(ss_opts)
        if mode == "default":
            # ss "connected" keeps unconnected UDP; netstat -ntu (and connwatch) does not
            ss = [r for r in ss if not (r[0] == "udp" and r[3] == "any")]
        counts = {"connwatch": state_counts(cw), "netstat": state_counts(ns),
                  "ss": state_counts(ss)}
        ok_ns = collections.Counter(cw) == collections.Counter(ns)
        ok_ss = without_family(cw) == without_family(ss)
        ok_counts = counts["connwatch"] == counts["netstat"] == counts["ss"]
        if ok_ns and ok_ss and ok_counts and cw:
            print(f"# {mode} {' '.join(extra)}: {len(cw)} sockets agree with netstat and ss; "
                  f"states: {dict(sorted(counts['connwatch'].items()))}")
            return 0
        time.sleep(0.3)
    for name, c in counts.items():
        print(f"per-state counts, {name}: {dict(sorted(c.items()))}")
    print("connwatch vs netstat, only in connwatch:", collections.Counter(cw) - collections.Counter(ns))
    print("connwatch vs netstat, only in netstat:", collections.Counter(ns) - collections.Counter(cw))
    print("connwatch vs ss, only in connwatch:", without_family(cw) - without_family(ss))
    print("connwatch vs ss, only in ss:", without_family(ss) - without_family(cw))
    return 1


if __name__ == "__main__":
    sys.exit(main())

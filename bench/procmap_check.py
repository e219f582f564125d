#!/usr/bin/env python3
"""Checks that `connwatch list -p --json`, `ss -tanpH` and `netstat -ntup`, captured on the same
table, show the same TCP rows with the same pids (bench/procmap.sh: "same rows and pids").

usage: procmap_check.py CONNWATCH_JSON SS_TEXT NETSTAT_TEXT
Prints one line of counts; exits 1 when anything differs.
"""
import json
import re
import sys


def endpoint(text):
    addr, _, port = text.rpartition(":")
    addr = addr.strip("[]")
    if addr.startswith("::ffff:") and "." in addr:
        addr = addr[7:]
    return addr, 0 if port == "*" else int(port)


def main():
    cw_path, ss_path, ns_path = sys.argv[1:4]
    ours = {}
    for c in json.load(open(cw_path))["connections"]:
        if c["proto"].startswith("tcp") and c["state"] not in ("LISTEN",):
            la = c["local_address"].removeprefix("::ffff:")
            ra = c["remote_address"].removeprefix("::ffff:")
            ours[(la, c["local_port"], ra, c["remote_port"])] = c["pid"]
    ss = {}
    for line in open(ss_path, encoding="utf-8", errors="replace"):
        f = line.split()
        if len(f) < 5 or f[0] in ("LISTEN", "TIME-WAIT"):
            continue
        k = endpoint(f[3]) + endpoint(f[4])
        ss[k] = {int(p) for p in re.findall(r"pid=(\d+)", line)}
    netstat = {}
    for line in open(ns_path, encoding="utf-8", errors="replace"):
        f = line.split()
        if len(f) < 7 or not f[0].startswith("tcp") or f[5] == "TIME_WAIT":
            continue
        pid = f[6].split("/")[0]
        netstat[endpoint(f[3]) + endpoint(f[4])] = None if pid == "-" else int(pid)
    ours_cmp = ours
    errors = []
    if set(ours_cmp) != set(ss) or set(ours_cmp) != set(netstat):
        errors.append(f"rows differ: connwatch {len(ours_cmp)}, ss {len(ss)}, netstat "
                      f"{len(netstat)}; only in connwatch {len(set(ours_cmp) - set(ss))}, "
                      f"only in ss {len(set(ss) - set(ours_cmp))}")
    bad_ss = [k for k in ours_cmp if k in ss and (ours_cmp[k] or None) not in (ss[k] or {None})]
    bad_ns = [k for k in ours_cmp if k in netstat and ours_cmp[k] != netstat[k]]
    if bad_ss:
        errors.append(f"{len(bad_ss)} pids differ from ss, e.g. {bad_ss[0]}: "
                      f"{ours_cmp[bad_ss[0]]} vs {ss[bad_ss[0]]}")
    if bad_ns:
        errors.append(f"{len(bad_ns)} pids differ from netstat, e.g. {bad_ns[0]}: "
                      f"{ours_cmp[bad_ns[0]]} vs {netstat[bad_ns[0]]}")
    with_pid = sum(1 for v in ours_cmp.values() if v is not None)
    print(f"rows={len(ours_cmp)} with_pid={with_pid} ss_rows={len(ss)} netstat_rows={len(netstat)} "
          f"pid_mismatch_ss={len(bad_ss)} pid_mismatch_netstat={len(bad_ns)}")
    for e in errors:
        print("DIFFERS:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Checks `connwatch list -p --json` against `ss -tanp` and /proc for the sockets held by
owners.py, taken back to back.

usage: owners_compare.py CONNWATCH HOLDER_OUTPUT_FILE
Checks: every TCP socket ss shows with a process has the same pid in connwatch (one of ss's
pids when several processes share it), and connwatch gives no pid ss does not; every holder's
listener has the holder's pid and its /proc/PID/comm as the name, byte for byte.
"""
import json
import re
import subprocess
import sys

from compare import norm_addr, split_endpoint


def key(proto, la, lp, ra, rp):
    return (proto, la, lp, ra, rp)


def main():
    binary, holder_out = sys.argv[1], sys.argv[2]
    holds = {}
    for line in open(holder_out):
        f = line.split()
        if f and f[0] == "HOLD":
            holds[int(f[2])] = int(f[1])  # port -> pid
    if len(holds) != 3:
        print(f"expected 3 holders, got {holds}")
        return 1
    doc = json.loads(subprocess.run([binary, "list", "-t", "-a", "-p", "--json"], check=True,
                                    capture_output=True).stdout.decode("utf-8"))
    ss = subprocess.run(["ss", "-tanpH"], check=True, capture_output=True).stdout.decode(
        "utf-8", "replace")
    ours = {}
    for c in doc["connections"]:
        k = key("tcp", norm_addr(c["local_address"]), c["local_port"],
                norm_addr(c["remote_address"]), c["remote_port"])
        ours[k] = c
    theirs = {}
    for line in ss.splitlines():
        f = line.split()
        la, lp = split_endpoint(f[3])
        ra, rp = split_endpoint(f[4])
        theirs[key("tcp", la, lp, ra, rp)] = {int(p) for p in re.findall(r"pid=(\d+)", line)}
    errors = []
    with_pid = 0
    for k, pids in theirs.items():
        c = ours.get(k)
        if c is None:
            errors.append(f"ss shows {k}, connwatch does not")
            continue
        if pids:
            with_pid += 1
            if c["pid"] not in pids:
                errors.append(f"{k}: connwatch pid {c['pid']}, ss pids {sorted(pids)}")
        elif c["pid"] is not None:
            errors.append(f"{k}: connwatch pid {c['pid']}, ss shows no process")
    if with_pid < 9:
        errors.append(f"only {with_pid} sockets with a process in ss (expected 9)")
    for port, pid in holds.items():
        rows = [c for k, c in ours.items() if k[2] == port and c["state"] == "LISTEN"]
        if len(rows) != 1 or rows[0]["pid"] != pid:
            errors.append(f"listener on {port}: expected pid {pid}, got {rows}")
            continue
        comm = open(f"/proc/{pid}/comm", "rb").read().rstrip(b"\n").decode("utf-8")
        if rows[0]["process"] != comm:
            errors.append(f"pid {pid}: process {rows[0]['process']!r}, /proc says {comm!r}")
    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

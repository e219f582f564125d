#!/usr/bin/env python3
"""Every filter kind gives the same rows from the kernel's bytecode filter (netlink source) as
from the user-space filter (--source proc), and as ss with the same filter where ss can say it.

usage: kernel_filter.py CONNWATCH      (with sockets.py addresses holding its sockets)
Exit 0 when every case agrees, 1 with the differences otherwise. Retries a case a few times, as
compare.py does, because a socket may change state between the commands.
"""
import collections
import json
import subprocess
import sys
import time

from compare import connwatch_rows, ss_rows, without_family

P = "( sport = :{0} or dport = :{0} )"

# connwatch options (after list), the ss filter (None: ss cannot say it the same way), the least
# number of rows the case must show (so that a case cannot pass by showing nothing).
# The TIME_WAIT socket lives 60 s from READY, less than a slow (sanitizer) run of all cases: the
# cases that need it come first, and the others' least counts leave it out.
CASES = [
    (["--state", "time-wait", "--local", "127.0.0.2"], None, 1),
    (["-a", "--port", "7001"], P.format(7001), 5),
    (["-a", "--port", "7003", "--port", "7005"],
     P.format(7003) + " or " + P.format(7005), 8),
    (["-a", "--port", "7006"], P.format(7006), 4),
    (["--port", "7001"], None, 4),
    (["-a", "--local", "127.0.0.1"], "src 127.0.0.1", 6),
    (["-a", "--local", "127.0.0.0/8"], "src 127.0.0.0/8", 13),
    (["-a", "--local", "127.0.0.0/30"], "src 127.0.0.0/30", 10),
    (["-a", "--remote", "127.0.0.2/32"], "dst 127.0.0.2/32", 2),
    (["-a", "--remote", "::ffff:127.0.0.4"], "dst [::ffff:127.0.0.4]", 1),
    (["-a", "--local", "::ffff:127.0.0.1"], "src [::ffff:127.0.0.1]", 2),
    (["-a", "--local", "::1"], "src [::1]", 5),
    (["-a", "--local", "2001:db8::/32"], "src 2001:db8::/32", 3),
    (["-a", "--remote", "2001:db8:1::/48"], "dst 2001:db8:1::/48", 1),
    (["-a", "--local", "0.0.0.0/0"], None, 13),
    (["-a", "--local", "::/0"], None, 10),
    (["-a", "--remote", "0.0.0.0"], "dst 0.0.0.0", 3),
    (["-a", "--port", "7004", "--local", "2001:db8::1", "--remote", "2001:db8:1::2"],
     P.format(7004) + " and src [2001:db8::1] and dst [2001:db8:1::2]", 1),
    (["-a", "--local", "127.0.0.1", "--local", "::1", "--port", "7005"],
     "( src 127.0.0.1 or src [::1] ) and " + P.format(7005), 3),
    (["-a", "-6", "--local", "127.0.0.0/8"], None, 2),
    (["-a", "-4", "--port", "7005"], P.format(7005), 1),
    (["-a", "-t", "--remote", "127.0.0.0/8"], "dst 127.0.0.0/8", 8),
    (["-a", "-u", "--port", "7006"], P.format(7006), 4),
    (["--state", "established", "--port", "7001"], None, 4),
    (["-l", "--local", "::/0"], None, 4),
    (["--state", "listen", "--port", "7005"], None, 1),
    (["-a", "--port", "7009"], P.format(7009), 0),
]


def ss_view(cw_opts, ss_filter):
    # Always both protocols: with one, ss leaves out its Netid column.
    opts = ["-a", "-t", "-u"] + [f for f in ("-4", "-6") if f in cw_opts]
    rows = ss_rows(opts + [ss_filter])
    if "-t" in cw_opts:
        rows = [r for r in rows if r[0] == "tcp"]
    if "-u" in cw_opts:
        rows = [r for r in rows if r[0] == "udp"]
    return without_family(rows)


def check(binary, cw_opts, ss_filter, least):
    for _ in range(5):
        kernel = collections.Counter(connwatch_rows(binary, cw_opts))
        user = collections.Counter(connwatch_rows(binary, cw_opts + ["--source", "proc"]))
        ok = kernel == user and sum(kernel.values()) >= least
        ss = None
        if ok and ss_filter is not None:
            ss = ss_view(cw_opts, ss_filter)
            ok = ss == without_family(kernel)
        if ok:
            print(f"# list {' '.join(cw_opts)}: {sum(kernel.values())} rows, netlink = proc"
                  + (" = ss" if ss is not None else ""))
            return True
        time.sleep(0.3)
    print(f"FAIL list {' '.join(cw_opts)}: {sum(kernel.values())} rows, at least {least} expected")
    print("  only with the kernel filter:", dict(kernel - user))
    print("  only with the user-space filter:", dict(user - kernel))
    if ss is not None:
        print("  only in ss:", dict(ss - without_family(kernel)))
        print("  only in connwatch (vs ss):", dict(without_family(kernel) - ss))
    return False


def summary_counts(binary, opts):
    out = subprocess.run([binary, "summary", "--json"] + opts, check=True, capture_output=True,
                         text=True).stdout
    doc = json.loads(out)
    return {k: doc[k] for k in ("total", "states", "protocols", "listening", "local_ports",
                                "remote_ips")}


def main():
    binary = sys.argv[1]
    ok = all([check(binary, opts, f, least) for opts, f, least in CASES])
    # summary notes every listener (listening), also those the filter leaves out of the counts
    for opts in (["--port", "7001"], ["--local", "::1"], ["-a", "--remote", "127.0.0.2"]):
        kernel = summary_counts(binary, opts)
        user = summary_counts(binary, opts + ["--source", "proc"])
        if kernel != user:
            print(f"FAIL summary {' '.join(opts)}: netlink {kernel}\n  proc {user}")
            ok = False
        else:
            print(f"# summary {' '.join(opts)}: total {kernel['total']}, "
                  f"listening {kernel['listening']}: netlink = proc")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

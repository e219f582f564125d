#!/usr/bin/env python3
"""Markdown summary of bench/million.sh results: per table size, each command's median wall time,
its CPU time (user + system, mean), ratios to the bare dump, `ss -tan` and `netstat -ntu` from the
same run, and peak RSS; then issue 12's goals at 1,000,000 sockets.

  bench/million_summary.py DIR
"""
import json
import os
import re
import sys

NAMES = ["list", "summary", "check", "serve scrape", "live refresh", "ss -tan", "netstat -ntu",
         "bare dump"]


def load(out, tag):
    res = json.load(open(os.path.join(out, tag + ".hyperfine.json")))["results"]
    info = {}
    for line in open(os.path.join(out, tag + ".info")):
        for k, v in re.findall(r"(\w+)=(\S*)", line):
            info[k] = v
    rss = info.get("rss_kib", "").strip("|").split("|")
    rows = []
    for i, r in enumerate(res):
        rows.append({
            "name": NAMES[i] if i < len(NAMES) else r["command"],
            "median": r["median"],
            "cpu": r["user"] + r["system"],
            "rss": int(rss[i]) if i < len(rss) and rss[i] else None,
        })
    return rows, info


def main():
    out = sys.argv[1]
    print(open(os.path.join(out, "machine.info")).read().strip().replace("\n", "  \n"))
    sizes = sorted(int(f[1:-len(".info")]) for f in os.listdir(out)
                   if re.fullmatch(r"s\d+\.info", f))
    by_size = {}
    for size in sizes:
        rows, info = load(out, "s%d" % size)
        by_size[size] = (rows, info)
        by = {r["name"]: r for r in rows}
        bare, ss, ns = by["bare dump"], by["ss -tan"], by["netstat -ntu"]
        print()
        print("#### %s sockets (counted before/after: %s/%s; 1-min load %s -> %s)" % (
            format(size, ","), info.get("sockets_before"), info.get("sockets_after"),
            info.get("loadavg_start"), info.get("loadavg_end")))
        print()
        print("| command | median wall | x bare dump | x ss -tan | x netstat -ntu | CPU (user+sys) | CPU x bare | peak RSS |")
        print("|---|---|---|---|---|---|---|---|")
        for r in rows:
            print("| %s | %.1f ms | %.2f | %.2f | %.2f | %.1f ms | %.2f | %s |" % (
                r["name"], r["median"] * 1000, r["median"] / bare["median"],
                r["median"] / ss["median"], r["median"] / ns["median"], r["cpu"] * 1000,
                r["cpu"] / bare["cpu"], "%.1f MiB" % (r["rss"] / 1024) if r["rss"] else "?"))
    big = max(sizes) if sizes else None
    small = min(sizes) if sizes else None
    if big is None:
        return
    rows, info = by_size[big]
    by = {r["name"]: r for r in rows}
    small_by = {r["name"]: r for r in by_size[small][0]}
    bare = by["bare dump"]["median"]
    empty_list = int(info.get("list", 0) or 0)
    print()
    print("#### Goals at %s sockets" % format(big, ","))
    print()
    lr = by["list"]["median"] / bare
    print("- `list` <= 1.1x the bare dump: %.2fx — %s" % (lr, "met" if lr <= 1.1 else "NOT met"))
    if by["list"]["rss"] and empty_list:
        per = (by["list"]["rss"] - empty_list) * 1024 / big
        print("- `list` <= 64 bytes resident per socket kept: %.1f bytes (peak RSS %.1f MiB, "
              "empty table %.1f MiB) — %s" % (per, by["list"]["rss"] / 1024, empty_list / 1024,
                                              "met" if per <= 64 else "NOT met"))
    for name in ("summary", "check"):
        r = by[name]["median"] / bare
        print("- `%s` <= 1.0x the bare dump: %.2fx — %s" % (name, r, "met" if r <= 1.0 else "NOT met"))
        a, b = small_by[name]["rss"], by[name]["rss"]
        if a and b:
            d = (b - a) / 1024
            print("- `%s` peak RSS at %s within 4 MiB of %s sockets: %.1f -> %.1f MiB (%+.1f MiB) — %s" % (
                name, format(big, ","), format(small, ","), a / 1024, b / 1024, d,
                "met" if d <= 4 else "NOT met"))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Summarizes bench/list.sh results: medians, ratios, noise, peak RSS, the goals of issue 3.

usage: bench/summarize.py RESULTS_DIR   (prints Markdown)
"""
import glob
import json
import os
import re
import statistics
import sys

NAMES = ("connwatch", "ss", "netstat", "bare")


def name_of(command):
    if command.endswith("connwatch list"):
        return "connwatch"
    if command.startswith("ss "):
        return "ss"
    if command.startswith("netstat "):
        return "netstat"
    if command.endswith("bare_dump"):
        return "bare"
    raise SystemExit(f"unknown command in results: {command}")


def read_info(path):
    info = {}
    for line in open(path):
        if line.startswith("populate:"):
            info["populate"] = line.split(":", 1)[1].strip()
            continue
        for key, value in re.findall(r"(\w+)=(\S+)", line):
            info.setdefault(key, []).append(value)
    return info


def load(results):
    rounds = {}  # size -> list of round dicts
    for hf in sorted(glob.glob(os.path.join(results, "n*-r*.hyperfine.json"))):
        tag = os.path.basename(hf).split(".")[0]
        size, rnd = (int(x) for x in re.match(r"n(\d+)-r(\d+)", tag).groups())
        info = read_info(os.path.join(results, tag + ".info"))
        data = json.load(open(hf))
        r = {"round": rnd, "median": {}, "cv": {}, "rss": {}}
        for res in data["results"]:
            n = name_of(res["command"])
            r["median"][n] = res["median"]
            r["cv"][n] = res["stddev"] / res["mean"] if res["mean"] else 0.0
        for n in NAMES:
            r["rss"][n] = statistics.median(int(v) for v in info.get(n, ["0"]))
        r["base_rss"] = int(info["base_rss_kib"][0])
        r["sockets"] = int(info["sockets_before"][0])
        r["sockets_after"] = int(info["sockets_after"][0])
        r["rows"] = int(info["connwatch_rows"][0])
        r["load"] = (info["loadavg_start"][0], info["loadavg_end"][0])
        rounds.setdefault(size, []).append(r)
    return rounds


def ms(x):
    return f"{x * 1000:.0f}"


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    results = sys.argv[1]
    rounds = load(results)
    if not rounds:
        raise SystemExit(f"no results in {results}")
    machine = open(os.path.join(results, "machine.info")).read().strip()
    print("```")
    print(machine)
    print("```\n")
    summary = {}
    for size in sorted(rounds):
        rs = rounds[size]
        print(f"### {size:,} established connections\n")
        print("| round | sockets (start → end) | rows | connwatch ms | ss -tan ms | netstat -ntu ms "
              "| bare ms | cw/ss | cw/bare | netstat/cw | max CV | loadavg start → end |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in sorted(rs, key=lambda r: r["round"]):
            m = r["median"]
            print(f"| {r['round']} | {r['sockets']:,} → {r['sockets_after']:,} | {r['rows']:,} "
                  f"| {ms(m['connwatch'])} | {ms(m['ss'])} | {ms(m['netstat'])} | {ms(m['bare'])} "
                  f"| {m['connwatch'] / m['ss']:.2f} | {m['connwatch'] / m['bare']:.2f} "
                  f"| {m['netstat'] / m['connwatch']:.2f} | {max(r['cv'].values()) * 100:.0f}% "
                  f"| {r['load'][0]} → {r['load'][1]} |")
        med = {n: statistics.median(r["median"][n] for r in rs) for n in NAMES}
        ratios = {
            "cw/ss": [r["median"]["connwatch"] / r["median"]["ss"] for r in rs],
            "cw/bare": [r["median"]["connwatch"] / r["median"]["bare"] for r in rs],
            "netstat/cw": [r["median"]["netstat"] / r["median"]["connwatch"] for r in rs],
        }
        rss = {n: statistics.median(r["rss"][n] for r in rs) for n in NAMES}
        base = statistics.median(r["base_rss"] for r in rs)
        sockets = statistics.median(r["sockets"] for r in rs)
        print()
        print(f"Median over rounds: connwatch {ms(med['connwatch'])} ms, ss -tan {ms(med['ss'])} ms, "
              f"netstat -ntu {ms(med['netstat'])} ms, bare dump {ms(med['bare'])} ms.")
        for k, v in ratios.items():
            print(f"- {k}: median {statistics.median(v):.2f} (rounds {min(v):.2f}–{max(v):.2f})")
        print(f"- peak RSS (KiB, median of 3 per round): connwatch {rss['connwatch']:.0f} "
              f"(empty table: {base:.0f}), ss {rss['ss']:.0f}, netstat {rss['netstat']:.0f}, "
              f"bare {rss['bare']:.0f}")
        per_socket = (rss["connwatch"] - base) * 1024 / sockets if sockets else 0
        print(f"- connwatch bytes per socket above the empty-table RSS: {per_socket:.0f}\n")
        summary[size] = {"med": med, "ratios": ratios, "rss": rss, "sockets": sockets,
                         "base": base}
    sizes = sorted(summary)
    if len(sizes) >= 2:
        lo, hi = summary[sizes[0]], summary[sizes[-1]]
        slope = ((hi["rss"]["connwatch"] - lo["rss"]["connwatch"]) * 1024 /
                 (hi["sockets"] - lo["sockets"]))
        print(f"connwatch memory per socket between {lo['sockets']:,.0f} and {hi['sockets']:,.0f} "
              f"sockets: {slope:.0f} bytes\n")
        g = hi["ratios"]
        cw_ss = statistics.median(g["cw/ss"])
        cw_bare = statistics.median(g["cw/bare"])
        ns_cw = statistics.median(g["netstat/cw"])
        print(f"### Goals at {sizes[-1]:,} connections\n")
        print("| goal | measured | met |")
        print("|---|---|---|")
        print(f"| connwatch list ≤ 0.75x ss -tan | {cw_ss:.2f}x | {'yes' if cw_ss <= 0.75 else 'NO'} |")
        print(f"| within 1.3x of the bare dump | {cw_bare:.2f}x | {'yes' if cw_bare <= 1.3 else 'NO'} |")
        print(f"| ≥ 2x faster than netstat -ntu | {ns_cw:.2f}x | {'yes' if ns_cw >= 2 else 'NO'} |")
        print(f"| ≤ 128 bytes per socket above a fixed base | {slope:.0f} B | "
              f"{'yes' if slope <= 128 else 'NO'} |")


if __name__ == "__main__":
    main()

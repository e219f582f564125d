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
        info_path = os.path.join(results, tag + ".info")
        if not os.path.exists(info_path):
            continue  # an interrupted round
        info = read_info(info_path)
        data = json.load(open(hf))
        r = {"round": rnd, "median": {}, "cv": {}, "cpu": {}, "rss": {}}
        for res in data["results"]:
            n = name_of(res["command"])
            r["median"][n] = res["median"]
            r["cv"][n] = res["stddev"] / res["mean"] if res["mean"] else 0.0
            r["cpu"][n] = res["user"] + res["system"]  # means over the runs
        for n in NAMES:
            r["rss"][n] = statistics.median(int(v) for v in info.get(n, ["0"]))
        r["base_rss"] = int(info["base_rss_kib"][0])
        r["sockets"] = int(info["sockets_before"][0])
        r["sockets_after"] = int(info["sockets_after"][0])
        r["rows"] = int(info["connwatch_rows"][0])
        r["load"] = (info["loadavg_start"][0], info["loadavg_end"][0])
        r["valid"] = r["sockets"] == r["sockets_after"]
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
        print("Wall-clock medians (ms) per round; CPU = mean user+system time (ms) per run.\n")
        print("| round | sockets start → end | rows | connwatch | ss -tan | netstat -ntu | bare "
              "| cw/ss | cw/bare | netstat/cw | CPU cw / ss / netstat / bare | max CV "
              "| load (1 min) |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in sorted(rs, key=lambda r: r["round"]):
            m, c = r["median"], r["cpu"]
            flag = "" if r["valid"] else " (left out: the table changed)"
            print(f"| {r['round']}{flag} | {r['sockets']:,} → {r['sockets_after']:,} "
                  f"| {r['rows']:,} "
                  f"| {ms(m['connwatch'])} | {ms(m['ss'])} | {ms(m['netstat'])} | {ms(m['bare'])} "
                  f"| {m['connwatch'] / m['ss']:.2f} | {m['connwatch'] / m['bare']:.2f} "
                  f"| {m['netstat'] / m['connwatch']:.2f} "
                  f"| {ms(c['connwatch'])} / {ms(c['ss'])} / {ms(c['netstat'])} / {ms(c['bare'])} "
                  f"| {max(r['cv'].values()) * 100:.0f}% | {r['load'][0]} → {r['load'][1]} |")
        valid = [r for r in rs if r["valid"]]
        print()
        if not valid:
            print("No valid round at this size.\n")
            continue
        med = {n: statistics.median(r["median"][n] for r in valid) for n in NAMES}
        ratios = {
            "connwatch/ss": [r["median"]["connwatch"] / r["median"]["ss"] for r in valid],
            "connwatch/bare": [r["median"]["connwatch"] / r["median"]["bare"] for r in valid],
            "netstat/connwatch": [r["median"]["netstat"] / r["median"]["connwatch"]
                                  for r in valid],
        }
        cpu_ratios = {
            "connwatch/ss": [r["cpu"]["connwatch"] / r["cpu"]["ss"] for r in valid],
            "connwatch/bare": [r["cpu"]["connwatch"] / r["cpu"]["bare"] for r in valid],
            "netstat/connwatch": [r["cpu"]["netstat"] / r["cpu"]["connwatch"] for r in valid],
        }
        rss = {n: statistics.median(r["rss"][n] for r in valid) for n in NAMES}
        base = statistics.median(r["base_rss"] for r in valid)
        sockets = statistics.median(r["sockets"] for r in valid)
        print(f"{len(valid)} valid round(s). Median wall time: connwatch list {ms(med['connwatch'])} ms, "
              f"ss -tan {ms(med['ss'])} ms, netstat -ntu {ms(med['netstat'])} ms, "
              f"bare dump {ms(med['bare'])} ms.\n")
        print("| ratio | wall: median (range over rounds) | CPU time: median (range) |")
        print("|---|---|---|")
        for k in ratios:
            v, cv = ratios[k], cpu_ratios[k]
            print(f"| {k} | {statistics.median(v):.2f} ({min(v):.2f}–{max(v):.2f}) "
                  f"| {statistics.median(cv):.2f} ({min(cv):.2f}–{max(cv):.2f}) |")
        print()
        print(f"Peak RSS (KiB): connwatch list {rss['connwatch']:.0f} (median of 3 per round; "
              f"on an empty table {base:.0f}); ss -tan {rss['ss']:.0f}, netstat -ntu "
              f"{rss['netstat']:.0f}, bare dump {rss['bare']:.0f} (one run each).")
        per_socket = (rss["connwatch"] - base) * 1024 / sockets if sockets else 0
        print(f"connwatch: {per_socket:.0f} bytes per socket above its empty-table RSS.\n")
        summary[size] = {"med": med, "ratios": ratios, "cpu_ratios": cpu_ratios, "rss": rss,
                         "sockets": sockets, "base": base}
    sizes = sorted(summary)
    if len(sizes) >= 2:
        lo, hi = summary[sizes[0]], summary[sizes[-1]]
        slope = ((hi["rss"]["connwatch"] - lo["rss"]["connwatch"]) * 1024 /
                 (hi["sockets"] - lo["sockets"]))
        print(f"connwatch memory per socket between {lo['sockets']:,.0f} and {hi['sockets']:,.0f} "
              f"sockets (peak RSS slope): {slope:.0f} bytes\n")
        g, gc = hi["ratios"], hi["cpu_ratios"]

        def med_of(d, k):
            return statistics.median(d[k])

        cw_ss, cw_bare, ns_cw = (med_of(g, k) for k in g)
        c_ss, c_bare, c_ns = (med_of(gc, k) for k in gc)
        print(f"### Goals at {sizes[-1]:,} connections\n")
        print("| goal | wall-clock median ratio | CPU-time ratio | met |")
        print("|---|---|---|---|")
        print(f"| connwatch list ≤ 0.75x ss -tan | {cw_ss:.2f}x | {c_ss:.2f}x "
              f"| {'yes' if cw_ss <= 0.75 else 'NO'} |")
        print(f"| connwatch list within 1.3x of the bare dump | {cw_bare:.2f}x | {c_bare:.2f}x "
              f"| {'yes' if cw_bare <= 1.3 else 'NO'} |")
        print(f"| ≥ 2x faster than netstat -ntu | {ns_cw:.2f}x | {c_ns:.2f}x "
              f"| {'yes' if ns_cw >= 2 else 'NO'} |")
        print(f"| ≤ 128 bytes per socket above a fixed base | {slope:.0f} B (slope "
              f"{lo['sockets']:,.0f} → {hi['sockets']:,.0f} sockets) | | "
              f"{'yes' if slope <= 128 else 'NO'} |")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Turns the JSON lines of `gru-stream bench --json FILE` (see sweep.sh) into docs/performance.md's Markdown tables.

    table.py RESULTS.jsonl              every run, one row per topology
    table.py --latency RESULTS.jsonl    the runs with a latency phase, baseline and gru-stream side by side
"""
import json
import sys


def runs(path):
    for line in open(path):
        run = json.loads(line)
        yield run["options"], run["result"]


def commit_interval(o):
    """The commit interval of a run: the option, or Kafka Streams' default for its guarantee."""
    return o.get("commitIntervalMs", 0) or (100 if o["guarantee"] == "exactly_once_v2" else 30000)


def store_cache(o, r):
    """Whether a run's store used the record cache (older files hold a boolean for both topologies)."""
    cache = o["cache"]
    if isinstance(cache, bool):
        return "on" if cache else "off"
    if cache == "DEFAULT":
        return "on" if r["topology"] == "baseline" else "off"
    return cache.lower()


def latency_cell(r):
    return "-" if r["latencyP50"] < 0 else "%d / %d / %d" % (r["latencyP50"], r["latencyP99"], r["latencyMax"])


def achieved(r):
    """Forecasts per second during the latency run; files written before bench measured it have none."""
    return f"{r['achievedPerSecond']:,.0f}" if "achievedPerSecond" in r else "-"


def throughput_table(path):
    print("| topology | guarantee | keys | H | batch | cache | commit ms | records/s overall | records/s warm "
          "| CPU s / 1k records (process / stream threads) | latency p50 / p99 / max ms (records/s offered / achieved) "
          "| heap MiB | RSS MiB | restore of a fresh instance |")
    print("| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for o, r in runs(path):
        latency = latency_cell(r)
        if latency != "-":
            latency += f" ({r['offeredPerSecond']:,.0f} / {achieved(r)})"
        seconds = float(r["restoreSeconds"])  # Jackson writes NaN as the string "NaN"
        restore = "-" if seconds != seconds else f"{r['restoredRecords']:,} records in {seconds:.1f} s"
        print(f"| {r['topology']} | {o['guarantee']} | {o['keys']:,} | {o['hidden']} | {o['batchSize']} "
              f"| {store_cache(o, r)} | {commit_interval(o)} | {r['overallPerSecond']:,.0f} | {r['warmPerSecond']:,.0f} "
              f"| {r['processCpuPer1k']:.3f} / {r['streamCpuPer1k']:.3f} | {latency} | {r['heapMiB']} "
              f"| {r['rssMiB']} | {restore} |")


def latency_table(path):
    print("| guarantee | commit interval ms | offered records/s | baseline p50 / p99 / max ms "
          "| gru-stream p50 / p99 / max ms | achieved records/s (baseline / gru-stream) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    rows = {}
    for o, r in runs(path):
        if r["latencyP50"] < 0:
            continue
        key = (o["guarantee"], commit_interval(o), r["offeredPerSecond"])
        rows.setdefault(key, {})[r["topology"]] = (latency_cell(r), achieved(r))
    for (guarantee, commit, offered), cells in rows.items():
        base, gru = cells.get("baseline", ("-", "-")), cells.get("gru-stream", ("-", "-"))
        print(f"| {guarantee} | {commit} | {offered:,.0f} | {base[0]} | {gru[0]} | {base[1]} / {gru[1]} |")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--latency":
        latency_table(sys.argv[2] if len(sys.argv) > 2 else "bench-results.jsonl")
    else:
        throughput_table(sys.argv[1] if len(sys.argv) > 1 else "bench-results.jsonl")

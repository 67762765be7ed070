#!/usr/bin/env python3
"""Turns the JSON lines of `gru-stream bench --json FILE` (see sweep.sh) into the README's Markdown table."""
import json
import sys


def main(path):
    print("| topology | guarantee | keys | H | batch | cache | records/s overall | records/s warm "
          "| CPU s / 1k records (process / stream threads) | latency p50 / p99 / max ms (offered/s) "
          "| heap MiB | RSS MiB | restore of a fresh instance |")
    print("| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for line in open(path):
        run = json.loads(line)
        o, r = run["options"], run["result"]
        latency = "-" if r["latencyP50"] < 0 else "%d / %d / %d (%s)" % (
            r["latencyP50"], r["latencyP99"], r["latencyMax"], f"{r['offeredPerSecond']:,.0f}")
        seconds = float(r["restoreSeconds"])  # Jackson writes NaN as the string "NaN"
        restore = "-" if seconds != seconds else f"{r['restoredRecords']:,} records in {seconds:.1f} s"
        print(f"| {r['topology']} | {o['guarantee']} | {o['keys']:,} | {o['hidden']} | {o['batchSize']} "
              f"| {'on' if o['cache'] else 'off'} | {r['overallPerSecond']:,.0f} | {r['warmPerSecond']:,.0f} "
              f"| {r['processCpuPer1k']:.3f} / {r['streamCpuPer1k']:.3f} | {latency} | {r['heapMiB']} "
              f"| {r['rssMiB']} | {restore} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench-results.jsonl")

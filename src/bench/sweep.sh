#!/usr/bin/env bash
# The benchmark runs behind docs/performance.md's tables: gru-stream against a trivial Kafka Streams app under both
# guarantees, then gru-stream alone over key counts, hidden sizes and the key-state store's record cache.
#   src/bench/sweep.sh [RESULTS.jsonl]
# About 45 minutes on 2 cores before bench warmed up, plus about half a minute per run since; run it on an otherwise
# idle machine.
# Each run appends JSON lines to RESULTS.jsonl; src/bench/table.py turns them into those tables.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-bench-results.jsonl}"
bench() { "$root/gru-stream" bench --json "$out" "$@"; }

bench --guarantee exactly-once-v2                       # the reference: 1M records, 10k keys, H=64
bench --guarantee at-least-once
for keys in 1000 100000; do
  bench --only gru --latency-duration 0 --keys "$keys"
done
bench --latency-duration 0 --keys 1000000 --records 3000000
for hidden in 16 128 256; do
  bench --only gru --latency-duration 0 --hidden "$hidden"
done
bench --latency-duration 0 --cache on
bench --only gru --latency-duration 0 --batch-size 1
bench --latency-duration 0 --commit-interval 20
# Latency at fixed offered rates, the load generator in its own JVM: exactly-once with a 20 ms commit interval
# (read_committed readers see a forecast only after the transaction that wrote it commits), then the defaults.
for rate in 2000 5000 10000 20000; do
  bench --records 100000 --latency-rate "$rate" --commit-interval 20
done
bench --records 100000 --latency-rate 10000
bench --records 100000 --latency-rate 10000 --guarantee at-least-once

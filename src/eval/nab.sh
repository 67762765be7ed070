#!/usr/bin/env bash
# The accuracy evaluation of docs/accuracy.md: replays the 32 NAB series of src/data/nab through the service's
# topology (each file a new key, scored causally, no labels seen) and reports, by leave one category out, the
# forecast accuracy per series and per step and the NAB scores: for each category, the forecasting setting and the
# anomaly setting (among the candidates below) and the NAB thresholds are chosen on the other four categories only.
#
#   src/eval/nab.sh [nab-eval options...]      e.g. src/eval/nab.sh --model my-model.zip
#
# NAB_RESULTS=DIR keeps every replay's forecasts and alerts there (to compare two builds' files with diff -r, say);
# without it they go to a temporary directory that is removed at the end. Paths are read from where it is started.
# Needs nothing but this repository: the data, the labels (MIT licence, src/data/nab/LICENSE.txt) and the scorer
# (gru-stream nab-eval) are here. About three minutes on 2 cores.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
# The java the launcher runs: JAVA_HOME's when it is set, else the one on the PATH.
java=java
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    java="$JAVA_HOME/bin/java"
fi

if [ -n "${NAB_RESULTS:-}" ]; then
    results="$NAB_RESULTS"
else
    results="$(mktemp -d)"
    trap 'rm -rf "$results"' EXIT
fi
echo "== machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $("$java" -version 2>&1 | head -1)"
# The forecasting candidates: the learner's memory, its profile's bins and its guard's half-life.
candidates=()
for guard in 50 500; do
    for forget in 300 1000; do
        for bins in 96 288; do
            setting="learner.forgetting.events=$forget;learner.profile.bins=$bins;learner.guard.halflife.events=$guard"
            candidates+=(--candidate "forget-$forget-bins-$bins-guard-$guard:$setting")
        done
    done
done
"$root/gru-stream" nab-eval --data "$root/src/data/nab" --labels "$root/src/data/nab/labels/combined_windows.json" \
    --output "$results" \
    --loco \
    "${candidates[@]}" \
    --anomaly-candidate "window-5-residual-200:anomaly.likelihood.window.events=5;residual.halflife.events=200" \
    --anomaly-candidate "window-15-residual-200:anomaly.likelihood.window.events=15;residual.halflife.events=200" \
    --anomaly-candidate "window-45-residual-200:anomaly.likelihood.window.events=45;residual.halflife.events=200" \
    --anomaly-candidate "window-5-residual-1000:anomaly.likelihood.window.events=5;residual.halflife.events=1000" \
    --anomaly-candidate "window-15-residual-1000:anomaly.likelihood.window.events=15;residual.halflife.events=1000" \
    --anomaly-candidate "window-45-residual-1000:anomaly.likelihood.window.events=45;residual.halflife.events=1000" \
    "$@"

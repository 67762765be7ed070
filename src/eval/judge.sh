#!/usr/bin/env bash
# Compares two revisions of the service on fresh synthetic series, as docs/accuracy.md's judged runs do: series no
# setting was chosen on, drawn from the generator of the bundled model's training data
# (src/models/SyntheticTrainingSeries.java) with a seed nothing else uses. It builds both revisions in temporary
# worktrees, replays every series as a new key through each (gru-stream nab-eval), in full and cut to its first 500
# rows (a new key's first events), and compares the one-step and twelve-step MASE against persistence.
#
#   src/eval/judge.sh CHANGE [BASE]      e.g. SEED=20261215 src/eval/judge.sh experiment/my-change main
#
# CHANGE and BASE (main by default) are anything git names a commit by. SEED is required: pick one no run has used,
# and write down what would keep the change before running it. SERIES (120) and ROWS (6000) override the draw's size.
# Needs Maven and this repository's history; about two and a half minutes on 2 cores (two builds, four replays).
#
# For each of "full" and "first 500 rows" it prints, one step and twelve steps ahead: the median MASE under BASE and
# CHANGE, how many series are above 1.05 and the largest MASE under each, and the per-series ratios CHANGE / BASE: their
# median, the mean of their logarithms, how many are below 0.99 and above 1.01, and the largest. A ratio below 1 means
# CHANGE forecasts that series better.
set -euo pipefail
cd "$(dirname "$0")/../.."
# The java the launcher runs: JAVA_HOME's when it is set, else the one on the PATH.
java=java
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    java="$JAVA_HOME/bin/java"
fi
if [ "$#" -lt 1 ] || [ "$#" -gt 2 ] || [ -z "${SEED:-}" ]; then
    echo "usage: SEED=N src/eval/judge.sh CHANGE [BASE]   (N: a seed no run has used)" >&2
    exit 2
fi
change="$(git rev-parse --verify "$1^{commit}")"
base="$(git rev-parse --verify "${2:-main}^{commit}")"
series="${SERIES:-120}"
rows="${ROWS:-6000}"
seed="$SEED"
work="$(mktemp -d)"
cleanup() {
    git worktree remove --force "$work/base" 2>/dev/null || true
    git worktree remove --force "$work/change" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

echo "== machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $("$java" -version 2>&1 | head -1)"
echo "== base $base (${2:-main}), change $change ($1)"
echo "== $series series of $rows rows, seed $seed"
git worktree add --detach -q "$work/base" "$base"
git worktree add --detach -q "$work/change" "$change"
# One build at a time: the launcher builds its worktree on first use.
"$work/base/gru-stream" --version > /dev/null
"$work/change/gru-stream" --version > /dev/null

"$java" -cp "$work/base/tools/target/gru-stream-tools.jar:$work/base/tools/target/lib/*" \
    "$work/base/src/models/SyntheticTrainingSeries.java" "$work/drawn" "$series" "$rows" "$seed"
mkdir -p "$work/full/synthetic" "$work/first500/synthetic"
for file in "$work"/drawn/synthetic-*.csv; do
    mv "$file" "$work/full/synthetic/"
    head -n 501 "$work/full/synthetic/$(basename "$file")" > "$work/first500/synthetic/$(basename "$file")"
done

for part in full first500; do
    for build in base change; do
        "$work/$build/gru-stream" nab-eval --data "$work/$part" --output "$work/out-$build-$part" \
            > "$work/$build-$part.txt"
    done
done

# nab-eval's table: series rows alerts dead MASE sMASE MASE-H cover; '-' where neither forecast erred, 'inf' where only persistence was exact
summary='
    # "inf" (only persistence was exact) counts as the worst there is: 1e9
    $1 ~ /^synthetic\// && $column ~ /^([0-9.]+|inf)$/ {
        value = $column == "inf" ? 1e9 : $column
        if (FILENAME ~ /\/base-/) { a[$1] = value } else { b[$1] = value }
    }
    function sort(values, n,    i, j, t) {
        for (i = 2; i <= n; i++) for (j = i; j > 1 && values[j - 1] > values[j]; j--) {
            t = values[j]; values[j] = values[j - 1]; values[j - 1] = t
        }
    }
    function median(values, n) {
        sort(values, n)
        return n == 0 ? "-" : sprintf("%.4f", n % 2 ? values[(n + 1) / 2] : (values[n / 2] + values[n / 2 + 1]) / 2)
    }
    END {
        for (name in a) {
            if (!(name in b)) continue
            n++; va[n] = a[name]; vb[n] = b[name]
            aboveA += a[name] > 1.05; aboveB += b[name] > 1.05
            if (a[name] > maxA) maxA = a[name]
            if (b[name] > maxB) maxB = b[name]
            if (a[name] > 0 && b[name] > 0) {
                r = b[name] / a[name]; ratios[++m] = r; logs += log(r)
                better += r < 0.99; worse += r > 1.01
                if (r > largest) { largest = r; largestName = name }
            }
        }
        printf "%-16s %-6s median %s -> %s | above 1.05: %d -> %d | largest %.3f -> %.3f\n", label, step,
            median(va, n), median(vb, n), aboveA, aboveB, maxA, maxB
        printf "%-16s %-6s ratios over %d series: median %s, mean log %+.4f, below 0.99: %d, above 1.01: %d," \
            " largest %.3f (%s)\n", label, step, m, median(ratios, m), m ? logs / m : 0, better, worse, largest,
            largestName
    }
'
for part in full first500; do
    label="$([ "$part" = full ] && echo "in full" || echo "first 500 rows")"
    awk -v column=5 -v label="$label" -v step="1" "$summary" "$work/base-$part.txt" "$work/change-$part.txt"
    awk -v column=7 -v label="$label" -v step="12" "$summary" "$work/base-$part.txt" "$work/change-$part.txt"
done

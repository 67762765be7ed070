#!/usr/bin/env bash
# Compares a setting of the service with its defaults on fresh synthetic series: series no setting was chosen on,
# drawn from the generator of the bundled model's training data (src/models/SyntheticTrainingSeries.java: daily and
# weekend cycles, trends, random walks, level shifts, bursts, rounding; rows 1 minute to an hour apart) with a seed
# of your choosing. Each series is replayed as a new key through the service's topology (gru-stream nab-eval), once
# at the defaults and once with the given settings, and the one-step and twelve-step MASE against persistence are
# compared series by series.
#
#   SEED=N src/eval/synthetic.sh -s KEY=VALUE [-s KEY=VALUE...]     e.g. -s learner.profile.weekly=true
#
# SEED is required: pick one no run has used (docs/accuracy.md names those used so far), and write down what would
# keep the setting before running it. SERIES (120) and ROWS (6000) override the draw's size. Needs nothing but this
# repository; about two minutes on 2 cores.
#
# It prints one line per series (its interval, both settings' MASE and their ratio) and a summary: the median ratio
# one and twelve steps ahead over every series and over those 30 minutes or more apart (whose 6,000 rows are four
# to eight months), and the largest one-step ratio. A ratio below 1 means the setting forecasts better.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
if [ "$#" -eq 0 ] || [ -z "${SEED:-}" ]; then
    echo "usage: SEED=N src/eval/synthetic.sh -s KEY=VALUE [-s KEY=VALUE...]   (N: a seed no run has used)" >&2
    exit 2
fi
# The java the launcher runs: JAVA_HOME's when it is set, else the one on the PATH.
java=java
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    java="$JAVA_HOME/bin/java"
fi

series="${SERIES:-120}"
rows="${ROWS:-6000}"
seed="$SEED"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $("$java" -version 2>&1 | head -1)"
echo "== $series series of $rows rows, seed $seed; setting: $*"
"$root/gru-stream" --version > /dev/null
"$java" -cp "$root/tools/target/gru-stream-tools.jar:$root/tools/target/lib/*" \
    "$root/src/models/SyntheticTrainingSeries.java" "$work/drawn" "$series" "$rows" "$seed"
mkdir -p "$work/data/synthetic"
mv "$work"/drawn/synthetic-*.csv "$work/data/synthetic/"
for file in "$work"/data/synthetic/*.csv; do
    # minutes between the first two rows: every series of the generator is evenly spaced
    first="$(sed -n 2p "$file" | cut -d, -f1)"
    second="$(sed -n 3p "$file" | cut -d, -f1)"
    echo "$(basename "$file") $(( ($(date -d "$second" +%s) - $(date -d "$first" +%s)) / 60 ))"
done > "$work/intervals.txt"

"$root/gru-stream" nab-eval --data "$work/data" --output "$work/defaults" > "$work/defaults.txt"
"$root/gru-stream" nab-eval --data "$work/data" --output "$work/setting" "$@" > "$work/setting.txt"

# nab-eval's table: series rows alerts dead MASE sMASE MASE-H cover; '-' where neither forecast erred, 'inf' where only persistence was exact
awk '
    FILENAME ~ /intervals/ { interval[$1] = $2; next }
    $1 ~ /^synthetic\// {
        name = substr($1, 11)
        if (FILENAME ~ /defaults/) { a1[name] = $5; a12[name] = $7 } else { b1[name] = $5; b12[name] = $7 }
    }
    # A ratio of two MASEs; "inf" (only persistence was exact) counts as the worst there is, 1e9
    function ratio(base, setting) {
        if (base !~ /^([0-9.]+|inf)$/ || setting !~ /^([0-9.]+|inf)$/) return "-"
        base = base == "inf" ? 1e9 : base; setting = setting == "inf" ? 1e9 : setting
        return base > 0 ? setting / base : "-"
    }
    function median(values, n,    i, j, t) {
        for (i = 2; i <= n; i++) for (j = i; j > 1 && values[j - 1] > values[j]; j--) {
            t = values[j]; values[j] = values[j - 1]; values[j - 1] = t
        }
        return n == 0 ? "-" : sprintf("%.4f", n % 2 ? values[(n + 1) / 2] : (values[n / 2] + values[n / 2 + 1]) / 2)
    }
    END {
        printf "%-20s %8s %9s %9s %7s %9s %9s %7s\n", "series", "minutes", "MASE", "setting", "ratio", "MASE-12",
            "setting", "ratio"
        worst = 0
        for (name in a1) names[++count] = name
        for (i = 2; i <= count; i++) for (j = i; j > 1 && names[j - 1] > names[j]; j--) {
            t = names[j]; names[j] = names[j - 1]; names[j - 1] = t
        }
        for (i = 1; i <= count; i++) {
            name = names[i]
            r1 = ratio(a1[name], b1[name])
            r12 = ratio(a12[name], b12[name])
            printf "%-20s %8d %9s %9s %7s %9s %9s %7s\n", name, interval[name], a1[name], b1[name],
                r1 == "-" ? "-" : sprintf("%.4f", r1), a12[name], b12[name], r12 == "-" ? "-" : sprintf("%.4f", r12)
            if (r1 != "-") { all1[++n1] = r1; if (r1 > worst) { worst = r1; worstName = name } }
            if (r12 != "-") all12[++n12] = r12
            if (interval[name] >= 30) {
                if (r1 != "-") slow1[++m1] = r1
                if (r12 != "-") slow12[++m12] = r12
            }
        }
        printf "median ratio over %d series: one step %s, twelve steps %s\n", n1, median(all1, n1), median(all12, n12)
        printf "median ratio over the %d series 30 minutes or more apart: one step %s, twelve steps %s\n", m1,
            median(slow1, m1), median(slow12, m12)
        printf "largest one-step ratio %.4f (%s)\n", worst, worstName
    }
' "$work/intervals.txt" "$work/defaults.txt" "$work/setting.txt"

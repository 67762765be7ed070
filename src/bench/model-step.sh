#!/usr/bin/env bash
# Runs the JMH benchmark of one GRU step (ModelStepBenchmark) and prints the cost per key.
#
#   src/bench/model-step.sh                       # the full table: hidden 16/64/128 x batch 1/16/256/1024 x backends
#   src/bench/model-step.sh -p hidden=64 -p backend=JAVA   # any JMH options narrow or change the run
#   src/bench/model-step.sh KeyStateCodecBenchmark         # another benchmark of streams-app's tests, by name
#   src/bench/model-step.sh dev.grustream.serde.benchmarks.AvroSerdeBenchmark   # or by full name, in another package
#
# Builds the test classes and their classpath with Maven (under the launcher's build lock), then runs JMH in a
# plain JVM so that the numbers are not disturbed by Maven.
set -euo pipefail
cd "$(dirname "$0")/../.."

out=streams-app/target/model-step
mkdir -p "$out"
flock gru-stream mvn -q -pl streams-app -am test-compile dependency:build-classpath \
    -Dmdep.outputFile="$PWD/$out/classpath.txt" -Dmdep.includeScope=test
if [[ ! -f streams-app/target/test-classes/META-INF/BenchmarkList ]]; then
    echo "JMH's BenchmarkList was not generated (is jmh-generator-annprocess a test dependency?)" >&2
    exit 1
fi
classpath="streams-app/target/test-classes:streams-app/target/classes:$(cat "$out/classpath.txt")"

benchmark=ModelStepBenchmark
if [[ $# -gt 0 && $1 != -* ]]; then
    benchmark=$1
    shift
fi
[[ $benchmark == *.* ]] || benchmark="dev.grustream.benchmarks.$benchmark"
java -cp "$classpath" org.openjdk.jmh.Main "$benchmark" \
    -rf csv -rff "$out/results.csv" "$@"
[[ $benchmark == dev.grustream.benchmarks.ModelStepBenchmark ]] || exit 0

echo
echo "Cost per key of one step (us/key = us per call / batch); machine: $(nproc) cores, $(java -version 2>&1 | head -1)"
python3 - "$out/results.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print("| backend | hidden | batch | us/call | us/key |")
print("| --- | ---: | ---: | ---: | ---: |")
for r in rows:
    p = {k[len("Param: "):]: v for k, v in r.items() if k.startswith("Param: ")}
    score = float(r["Score"])
    print("| %s | %s | %s | %.2f | %.3f |" % (p["backend"], p["hidden"], p["batch"], score,
                                               score / int(p["batch"])))
PY

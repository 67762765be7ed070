#!/usr/bin/env bash
# Reproduces the bundled default model, streams-app/src/main/resources/dev/grustream/models/default-model.zip,
# byte for byte (checked on JDK 17.0.15, x86-64): `gru-stream train` on data in this repository only.
#
#   src/models/train-default-model.sh [OUTPUT.zip]
#
# Training data:
#   - src/data/nab/{artificialNoAnomaly,artificialWithAnomaly,realAdExchange}: 17 NAB series (MIT licence). NAB's
#     realAWSCloudwatch and realTraffic series are held out for evaluation (src/models/evaluate-heldout.sh) and
#     never trained or tuned on.
#   - 200 synthetic series of 2,000 rows (src/models/SyntheticTrainingSeries.java): random walks, AR(1) and white
#     noise, seasonalities, level shifts, spikes, rounding, in random proportions, so that the model learns to
#     judge how much of a key's moves to follow; plus a week of the demo's 20 series.
# Takes about 10 minutes on 2 cores; the weights do not depend on --threads.
set -euo pipefail
cd "$(dirname "$0")/../.."

output="${1:-streams-app/src/main/resources/dev/grustream/models/default-model.zip}"
jar=streams-app/target/gru-stream.jar
if [[ ! -f "$jar" ]]; then
    mvn -q -pl streams-app -am package -DskipTests
fi
classpath="$jar:streams-app/target/lib/*"

synthetic="$(mktemp -d)"
trap 'rm -rf "$synthetic"' EXIT
java -cp "$jar" src/models/SyntheticTrainingSeries.java "$synthetic" 200 2000 1

java -cp "$classpath" dev.grustream.cli.GruStreamCommand train \
    --input src/data/nab/artificialNoAnomaly \
    --input src/data/nab/artificialWithAnomaly \
    --input src/data/nab/realAdExchange \
    --input "$synthetic" \
    --features value --targets value \
    --name gru-stream-default --model-version 1 \
    --hidden 32 --layers 2 --variant reset_after \
    --normalization per-key --halflife 288 --z-clip 8 --min-std-ratio 0.001 \
    --epochs 100 --window 64 --batch 32 --learning-rate 0.003 --clip 1 \
    --validation 0.2 --patience 8 --seed 42 \
    --output "$output"
sha256sum "$output"

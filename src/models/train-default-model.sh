#!/usr/bin/env bash
# Reproduces the bundled default model, streams-app/src/main/resources/dev/grustream/models/default-model.zip,
# byte for byte (checked on JDK 17.0.15, x86-64): `gru-stream train` on data in this repository only.
#
#   src/models/train-default-model.sh [OUTPUT.zip]
#
# Training data: synthetic series only (src/models/SyntheticTrainingSeries.java), so that every real series the
# project evaluates on (the NAB series of docs/accuracy.md) is unseen by the model: 300 series of 3,000 rows,
# 1 minute to 1 hour apart: random walks, AR(1) and white noise, daily cycles on the clock, weekend changes, shorter
# cycles, level shifts, spikes, bursts, rounding and flooring in random proportions, so that the model learns to
# judge how much of a key's moves to follow.
# The model forecasts 12 steps ahead, directly, with the time of day and the day of the week (UTC) as inputs.
# Takes under 2 minutes on 2 cores (1 min 12 s on the development VM); the weights do not depend on --threads.
set -euo pipefail
cd "$(dirname "$0")/../.."

output="${1:-streams-app/src/main/resources/dev/grustream/models/default-model.zip}"
jar=tools/target/gru-stream-tools.jar
# Always built: a jar left from before a source change would train with the old code (Maven skips what is current).
mvn -q -pl tools -am package -DskipTests
classpath="$jar:tools/target/lib/*"

synthetic="$(mktemp -d)"
trap 'rm -rf "$synthetic"' EXIT
java -cp "$classpath" src/models/SyntheticTrainingSeries.java "$synthetic" 300 3000 1

java -cp "$classpath" dev.grustream.cli.GruStreamTools train \
    --input "$synthetic" \
    --features value --targets value \
    --name gru-stream-default --model-version 2 \
    --hidden 32 --layers 2 --variant reset_after --horizon 12 --calendar time-of-day,day-of-week \
    --normalization per-key --halflife 288 --z-clip 8 --min-std-ratio 0.001 \
    --epochs 100 --window 64 --batch 32 --learning-rate 0.003 --clip 1 \
    --validation 0.2 --patience 8 --seed 42 \
    --output "$output"
sha256sum "$output"

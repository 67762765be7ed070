#!/usr/bin/env bash
# One-step MASE of a model (default: the bundled one) on the NAB series held out from its training:
# realAWSCloudwatch and realTraffic, from ../shared/data/nab (the shared reference data beside the project).
#
#   src/models/evaluate-heldout.sh [MODEL] [NAB_DATA_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."

model="${1:-streams-app/src/main/resources/dev/grustream/models/default-model.zip}"
nab="${2:-../shared/data/nab/data}"
jar=streams-app/target/gru-stream.jar
if [[ ! -f "$jar" ]]; then
    mvn -q -pl streams-app -am package -DskipTests
fi
java -cp "$jar:streams-app/target/lib/*" src/models/EvaluateHeldOut.java "$model" \
    "$nab/realAWSCloudwatch" "$nab/realTraffic"

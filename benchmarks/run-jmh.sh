#!/usr/bin/env bash
# Builds the benchmarks jar and runs JMH with the GC profiler (-prof gc, for B/op).
#
#   benchmarks/run-jmh.sh TokenBucket -wi 3 -i 5 -f 1 -w 1s -r 1s
#
# Arguments go to JMH unchanged (benchmark name patterns and options). Results are written to
# benchmarks/target/jmh/<UTC time>.json (JMH JSON) and .txt (the console output).
# MVN_ARGS adds Maven options to the build, e.g. MVN_ARGS=-o to build offline.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck disable=SC2086 # MVN_ARGS is a list of options
mvn -B -q ${MVN_ARGS:-} -pl benchmarks -am package -DskipTests

out=benchmarks/target/jmh
mkdir -p "$out"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
echo "JMH results: $out/$stamp.json and $out/$stamp.txt"
java -jar benchmarks/target/benchmarks.jar -prof gc -rf json -rff "$out/$stamp.json" "$@" | tee "$out/$stamp.txt"

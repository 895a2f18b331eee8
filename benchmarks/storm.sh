#!/usr/bin/env bash
# The storm benchmark (issue 6): a whole user base returns at a simulated upstream of capacity C,
# replayed directly, through nginx limit_req at C, and through readmit with its defaults, in one run.
# Prints the figures side by side and the targets as PASS/FAIL, writes the HTML report to
# storm-report/ and the `storm` section of benchmarks/RESULTS.md (between <!-- storm:start --> and
# <!-- storm:end -->; the other sections of that file are left as they are).
#
# Needs: java 17, maven (offline cache), nginx (installed with apt-get -y when missing).
# Usage: benchmarks/storm.sh [readmit bench storm options]   e.g. --clients 8000 --capacity 2000
# Every run is bounded (see --max-run); the whole script by STORM_TIMEOUT seconds (default 1800).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v nginx > /dev/null 2>&1; then
  echo "storm.sh: nginx not found, installing it (apt-get -y install nginx-light or nginx)" >&2
  apt-get update -qq > /dev/null
  apt-get install -y -qq nginx-light > /dev/null 2>&1 || apt-get install -y -qq nginx > /dev/null
fi

mvn -B -o -q package -DskipTests -pl gateway -am

# The generator, the gateway and the simulated upstream share this process's file limit: raise the
# soft limit to the hard one (each client holds a connection on both sides of the loopback).
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true

# --report and --results have defaults here; given on the command line, those win.
defaults=()
[[ " $* " == *" --report "* || " $* " == *" --report="* ]] || defaults+=(--report storm-report)
[[ " $* " == *" --results "* || " $* " == *" --results="* ]] || defaults+=(--results benchmarks/RESULTS.md)

exec timeout "${STORM_TIMEOUT:-1800}" java -Xms1g -Xmx4g -jar gateway/target/readmit.jar \
  bench storm "${defaults[@]}" "$@"

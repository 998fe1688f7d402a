#!/usr/bin/env bash
# The multi-site combine for 5 million blocks x 3 vantage points per bin, on one core (taskset),
# beside the straightforward reference of the same rule, in one run (docs/probe.md, "Multi-site
# judgement"). Usage: bench/probe/combine.sh [BUILD_DIR]   (needs target
# blackout_probe_combine_bench). CPU time is the figure: the machine is shared.
set -euo pipefail
build=${1:-build}
exec taskset -c 0 "$build/bench/probe/blackout_probe_combine_bench" \
  --benchmark_repetitions=${REPS:-3} --benchmark_report_aggregates_only=true "${@:2}"

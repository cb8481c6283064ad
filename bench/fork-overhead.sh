#!/bin/bash
# What a fork under barco-java costs before the test JVM's main: the wall time of
# `bin/barco-java -version` against the same java's `java -version`, RUNS times each, in turn
# (A B A B ...: a drift of the machine's speed touches both), after WARMUP of each. Prints the
# median (p50), min and max of each, and their difference: the time from the build asking for a
# JVM to that JVM running, that barco adds (the barco CLI's own JVM start, the container's launch,
# the overlay). Timed with date(1) around each run, from this shell.
#
# usage: bench/fork-overhead.sh [RUNS] [WARMUP]        default 20 and 2
# environment: BARCO_JAVA or JAVA_HOME, as bin/barco-java reads them; the machine's load shows in
#   the spread (min to max): quote the medians.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-20}
warmup=${2:-2}
if ! [[ $runs =~ ^[1-9][0-9]*$ && $warmup =~ ^[0-9]+$ ]]; then
  echo "fork-overhead: usage: bench/fork-overhead.sh [RUNS] [WARMUP] (whole numbers, RUNS at least 1)" >&2
  exit 2
fi
if [ -n "${BARCO_JAVA:-}" ]; then java=$BARCO_JAVA
elif [ -n "${JAVA_HOME:-}" ]; then java=$JAVA_HOME/bin/java
else java=$(command -v java); fi
"$root/barco" --version >/dev/null   # the CLI built before any timing

ms() {   # the wall milliseconds of one run of "$@", its output dropped
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1 || { echo "fork-overhead: $* failed" >&2; exit 1; }
  end=$(date +%s%N)
  echo $(( (end - start) / 1000 ))
}
for ((i = 0; i < warmup; i++)); do
  ms "$root/bin/barco-java" -version >/dev/null
  ms "$java" -version >/dev/null
done
barco=() plain=()
for ((i = 0; i < runs; i++)); do
  barco+=("$(ms "$root/bin/barco-java" -version)")
  plain+=("$(ms "$java" -version)")
done
stats() {   # median min max in ms of the microsecond values given
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.1f %.1f %.1f\n", m / 1000, v[1] / 1000, v[NR] / 1000 }'
}
read -r bm bmin bmax <<< "$(stats "${barco[@]}")"
read -r pm pmin pmax <<< "$(stats "${plain[@]}")"
echo "runs: $runs each, in turn, after $warmup warm-up runs each; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-28s p50 %8.1f ms   min %8.1f   max %8.1f\n' "java -version" "$pm" "$pmin" "$pmax"
printf '%-28s p50 %8.1f ms   min %8.1f   max %8.1f\n' "barco-java -version" "$bm" "$bmin" "$bmax"
awk -v b="$bm" -v p="$pm" 'BEGIN { printf "per-fork overhead (p50 difference): %.1f ms (%.2fx)\n", b - p, b / p }'

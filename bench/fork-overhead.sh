#!/bin/bash
# What a fork under barco-java costs before the test JVM's main, side by side in one run: the wall
# time of a JVM that runs a main class which returns at once (the smallest test JVM), started as
#   plain      java -cp DIR Exit
#   cli        bin/barco-java -cp DIR Exit, through the barco CLI (a JVM of its own per fork: the
#              path without barco-mvn, or with BARCO_NO_SERVICE=1)
#   service    JDK/bin/java -cp DIR Exit, JDK the directory bin/barco-java --jdk makes, whose java
#              Surefire runs under barco-mvn: the launch service's C client (barco serve, started
#              here as barco-mvn starts it), no shell before it
#   script     bin/barco-java -cp DIR Exit with the service: the shell script, then the same client
#              (what every fork paid before the client stood in for java)
# RUNS times each, in turn (plain cli service plain ...: a drift of the machine's speed touches all),
# after WARMUP of each. Prints the median (p50), min and max of each, and what each barco path adds
# to a plain fork at p50: the time from the build asking for a JVM to that JVM's main returning.
# Timed with date(1) around each run, from this shell, which forks each the same way.
#
# usage: bench/fork-overhead.sh [RUNS] [WARMUP]        default 20 and 2
# environment: BARCO_JAVA or JAVA_HOME, as bin/barco-java reads them; the machine's load shows in
#   the spread (min to max), printed with the figures: quote the medians.
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
export BARCO_JAVA=$java
"$root/barco" --version >/dev/null   # the CLI (and the service's client) built before any timing

# the smallest test JVM: a main that returns; its directory is the fork's working directory (the
# basedir, as Surefire's), under the checkout as a project's would be
work=$root/barco-runtime/target/fork-overhead
mkdir -p "$work"
printf 'public class Exit { public static void main(String[] args) { } }\n' > "$work/Exit.java"
"${java%/*}/javac" -d "$work" "$work/Exit.java"
cd "$work"

# the launch service, as barco-mvn runs it
service_dir=$(mktemp -d "${TMPDIR:-/tmp}/barco-bench.XXXXXX")
"$root/barco" serve --socket "$service_dir/socket" --parent $$ </dev/null &
service_pid=$!
# shellcheck disable=SC2317 # run by the EXIT trap
stop() { kill "$service_pid" 2>/dev/null || true; wait "$service_pid" 2>/dev/null || true; rm -rf "$service_dir"; }
trap stop EXIT
for ((i = 0; i < 600; i++)); do
  [ -S "$service_dir/socket" ] && break
  sleep 0.05
done
[ -S "$service_dir/socket" ] || { echo "fork-overhead: barco serve did not start" >&2; exit 1; }

plain() { "$java" -cp . Exit; }
cli() { env -u BARCO_SERVICE "$root/bin/barco-java" -cp . Exit; }
jdk=$("$root/bin/barco-java" --jdk)
service() { BARCO_SERVICE=$service_dir/socket "$jdk/bin/java" -cp . Exit; }
script() { BARCO_SERVICE=$service_dir/socket "$root/bin/barco-java" -cp . Exit; }

us() {   # the wall microseconds of one run of "$@", its output dropped
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1 || { echo "fork-overhead: $* failed" >&2; exit 1; }
  end=$(date +%s%N)
  echo $(( (end - start) / 1000 ))
}
for ((i = 0; i < warmup; i++)); do
  us plain >/dev/null; us cli >/dev/null; us service >/dev/null; us script >/dev/null
done
t_plain=() t_cli=() t_service=() t_script=()
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for ((i = 0; i < runs; i++)); do
  t_plain+=("$(us plain)")
  t_cli+=("$(us cli)")
  t_service+=("$(us service)")
  t_script+=("$(us script)")
done
stats() {   # median min max in ms of the microsecond values given
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.1f %.1f %.1f\n", m / 1000, v[1] / 1000, v[NR] / 1000 }'
}
read -r pm pmin pmax <<< "$(stats "${t_plain[@]}")"
read -r cm cmin cmax <<< "$(stats "${t_cli[@]}")"
read -r sm smin smax <<< "$(stats "${t_service[@]}")"
read -r xm xmin xmax <<< "$(stats "${t_script[@]}")"
echo "runs: $runs each, in turn, after $warmup warm-up runs each; $(nproc) cores, load $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after; $("$java" -version 2>&1 | head -1)"
printf '%-40s p50 %8.1f ms   min %8.1f   max %8.1f\n' "plain: java -cp . Exit" "$pm" "$pmin" "$pmax"
printf '%-40s p50 %8.1f ms   min %8.1f   max %8.1f\n' "cli: barco-java -cp . Exit" "$cm" "$cmin" "$cmax"
printf '%-40s p50 %8.1f ms   min %8.1f   max %8.1f\n' "service: JDK/bin/java -cp . Exit" "$sm" "$smin" "$smax"
printf '%-40s p50 %8.1f ms   min %8.1f   max %8.1f\n' "script: barco-java -cp . Exit (service)" "$xm" "$xmin" "$xmax"
awk -v p="$pm" -v c="$cm" -v s="$sm" -v x="$xm" 'BEGIN {
  printf "per-fork overhead (p50 difference to plain): cli %.1f ms (%.2fx plain), service %.1f ms (%.2fx plain), through the script %.1f ms; the service adds %.1f%% of what the CLI adds\n",
    c - p, c / p, s - p, s / p, x - p, 100 * (s - p) / (c - p) }'

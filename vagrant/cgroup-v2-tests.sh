#!/usr/bin/env bash
# Runs barco's cgroup integration tests in the cgroup v2 VM (run-in-vm.sh), against the classes
# `mvn verify` (or `mvn test-compile`) built on the host: by default the cgroup tests, those of
# running containers (execs in groups of their own, ports forwarded into the container) and the
# isolation tests (--network host, whose /sys brings the host's cgroup2 mount along).
#   vagrant/cgroup-v2-tests.sh [--repeat N] [TEST-CLASS...]
set -euo pipefail
cd "$(dirname "$0")/.."
runtime=barco-runtime/target
for f in "$runtime/classes" "$runtime/test-classes" "$runtime/test.classpath"; do
  [ -e "$f" ] || { echo "cgroup-v2-tests: $f is missing: run mvn verify (or mvn test-compile) first" >&2; exit 2; }
done
cp="$PWD/$runtime/test-classes:$PWD/$runtime/classes:$(cat "$runtime/test.classpath")"
repeat=1
if [ "${1:-}" = --repeat ]; then
  [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || { echo "cgroup-v2-tests: --repeat takes a count (usage: cgroup-v2-tests.sh [--repeat N] [TEST-CLASS...])" >&2; exit 2; }
  repeat=$2
  shift 2
fi
classes=("$@")
[ $# -gt 0 ] || classes=(io.barco.cgroup.CgroupIT io.barco.launch.RunningContainerIT io.barco.launch.IsolationIT)
# --repeat N: the same classes N times in one boot, stopping at the first run that fails (a race)
# shellcheck disable=SC2016 # expanded in the VM
exec vagrant/run-in-vm.sh -- sh -c '
  n=$1 cp=$2; shift 2
  for i in $(seq 1 "$n"); do
    [ "$n" = 1 ] || echo "=== run $i of $n"
    java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$cp" io.barco.testing.RunTests "$@" || { echo "=== run $i of $n failed"; exit 1; }
  done
  [ "$n" = 1 ] || echo "=== $n runs passed"' cgroup-v2-tests "$repeat" "$cp" "${classes[@]}"

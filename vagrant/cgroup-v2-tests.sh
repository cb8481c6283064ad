#!/usr/bin/env bash
# Runs barco's cgroup integration tests in the cgroup v2 VM (run-in-vm.sh), against the classes
# `mvn verify` (or `mvn test-compile`) built on the host: by default the cgroup tests, those of
# running containers (execs in groups of their own, ports forwarded into the container) and the
# isolation tests (--network host, whose /sys brings the host's cgroup2 mount along).
set -euo pipefail
cd "$(dirname "$0")/.."
runtime=barco-runtime/target
for f in "$runtime/classes" "$runtime/test-classes" "$runtime/test.classpath"; do
  [ -e "$f" ] || { echo "cgroup-v2-tests: $f is missing: run mvn verify (or mvn test-compile) first" >&2; exit 2; }
done
cp="$PWD/$runtime/test-classes:$PWD/$runtime/classes:$(cat "$runtime/test.classpath")"
classes=("$@")
[ $# -gt 0 ] || classes=(io.barco.cgroup.CgroupIT io.barco.launch.RunningContainerIT io.barco.launch.IsolationIT)
exec vagrant/run-in-vm.sh -- java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$cp" io.barco.testing.RunTests "${classes[@]}"

#!/usr/bin/env bash
# Runs barco-junit's integration tests in the cgroup v2 VM (run-in-vm.sh), against the classes
# `mvn verify` (or `mvn test-compile`) built on the host: by default those that need no Maven
# around them (BuildFidelityIT, WholeSuiteSwitchIT and the coverage and environment tests check
# what a Maven build gives its test JVM; `mvn verify` in the Debian 13 VM runs them on cgroup v2).
# As samples-v2-tests.sh: the VM sees the host's root over 9p, so the classpath's jars are copied to
# a world-readable place first, and the test JVMs compile with C1 only.
#   vagrant/junit-v2-tests.sh [TEST-CLASS...]
set -euo pipefail
cd "$(dirname "$0")/.."
for f in barco-junit/target/test-classes barco-junit/target/test.classpath barco-runtime/target/test-classes; do
  [ -e "$f" ] || { echo "junit-v2-tests: $f is missing: run mvn verify (or mvn test-compile) first" >&2; exit 2; }
done
classes=("$@")
[ $# -gt 0 ] || classes=(io.barco.junit.InBarcoIT io.barco.junit.CommandOutputIT io.barco.junit.SharedContainerIT
  io.barco.junit.ClassLifecycleIT io.barco.junit.ExtensionOutcomesIT io.barco.junit.HostileIT
  io.barco.junit.ForkedJvmDeathIT io.barco.junit.OutcomeFloodIT)
dirs="$PWD/barco-junit/target/test-classes:$PWD/barco-junit/target/classes:$PWD/barco-runtime/target/test-classes"
# shellcheck disable=SC2016 # expanded in the VM
exec vagrant/run-in-vm.sh -- sh -c '
  dirs=$1; shift
  mkdir -p /tmp/jars && cp=""
  for entry in $(tr ":" " " < barco-junit/target/test.classpath); do
    if [ -d "$entry" ]; then cp="$cp:$entry"; continue; fi
    copy=/tmp/jars/$(echo "$entry" | md5sum | cut -c1-8)-$(basename "$entry")
    cp "$entry" "$copy" && chmod 644 "$copy" && cp="$cp:$copy"
  done
  chmod 755 /tmp/jars
  java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$dirs$cp" io.barco.testing.RunTests "$@"' junit-v2-tests "$dirs" "${classes[@]}"

#!/usr/bin/env bash
# Runs the samples in the cgroup v2 VM (run-in-vm.sh), against the classes `mvn verify` built on the
# host. The VM sees the host's root over 9p, which has no idmapped mounts: the jars of the classpath
# are copied to a world-readable place first, as a build that is not run as root would have them.
# JvmModeSampleIT runs alone first: its first fork writes the class data archive the others then
# start from, which matters under TCG, where a JVM is some ten times slower. The test JVMs compile
# with C1 only: under TCG both vCPUs share one host thread, and C2's compiler threads took enough of
# it that python's http.server, which starts in 4 s there alone, once took 46 s beside them.
set -euo pipefail
cd "$(dirname "$0")/.."
for f in samples/target/test-classes samples/target/test.classpath barco-runtime/target/test-classes; do
  [ -e "$f" ] || { echo "samples-v2-tests: $f is missing: run mvn verify first" >&2; exit 2; }
done
classes="$PWD/samples/target/test-classes:$PWD/barco-runtime/target/test-classes"
# shellcheck disable=SC2016 # expanded in the VM
exec vagrant/run-in-vm.sh -- sh -c '
  mkdir -p /tmp/jars && cp=""
  for entry in $(tr ":" " " < samples/target/test.classpath); do
    if [ -d "$entry" ]; then cp="$cp:$entry"; continue; fi
    copy=/tmp/jars/$(echo "$entry" | md5sum | cut -c1-8)-$(basename "$entry")
    cp "$entry" "$copy" && chmod 644 "$copy" && cp="$cp:$copy"
  done
  chmod 755 /tmp/jars
  java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$0$cp" io.barco.testing.RunTests io.barco.samples.JvmModeSampleIT &&
  java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$0$cp" io.barco.testing.RunTests io.barco.samples.CommandModeSampleIT \
      io.barco.samples.FailuresSampleIT io.barco.samples.ParallelSampleIT' "$classes"

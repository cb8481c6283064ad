#!/bin/sh
# Soak: LAUNCHES launches (default 10000) from 4 threads, KILLED of them (default 1000) killed at
# random points; JVMS launching JVMs (default 100) SIGKILLed mid-launch; leftovers counted before
# and after `barco gc` (processes, zombies, cgroups in every hierarchy, mounts, /tmp entries, host
# JVM descriptors: only what the soak created); then 16 containers at once for MINUTES (default 10).
# Prints counts and launches/s; exits non-zero on any failure or any leftover after gc.
#   bench/soak.sh [LAUNCHES] [KILLED] [JVMS] [MINUTES]
set -eu
cd "$(dirname "$0")/.."
mvn -o -q -pl barco-runtime -am -DskipTests package
mvn -o -q -pl barco-runtime dependency:build-classpath -Dmdep.outputFile=target/soak.classpath -Dmdep.includeScope=test >/dev/null
# a private copy of the classes, so that a build during the soak does not change what runs
work=$(mktemp -d /tmp/barco-soak.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -r barco-runtime/target/classes "$work/classes"
cp -r barco-runtime/target/test-classes "$work/test-classes"
cp="$work/classes:$work/test-classes:$(cat barco-runtime/target/soak.classpath)"
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -r), $(nproc) CPUs"
java -cp "$cp" io.barco.bench.Soak "$work" "${1:-10000}" 4 "${2:-1000}" "${3:-100}" "${4:-10}"

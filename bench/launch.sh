#!/bin/sh
# Launch benchmark: plain spawn, unshare(1), bubblewrap and barco side by side, then the kernel's
# floor measured in C (bench/floor.c), in one run (see README). bubblewrap is optional:
# apt-get install bubblewrap to include it.
set -eu
cd "$(dirname "$0")/.."
mvn -q -pl barco-runtime -am -DskipTests package
mvn -q -pl barco-runtime dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
cp="barco-runtime/target/classes:barco-runtime/target/test-classes:$(cat barco-runtime/target/bench.classpath)"
java -cp "$cp" io.barco.bench.LaunchBenchmark "$@"
cc -O2 -o barco-runtime/target/floor bench/floor.c
barco-runtime/target/floor "${1:-300}"

#!/bin/sh
# Exec benchmark: /bin/true exec'd into a running container beside a fresh Barco.run, in one run
# (see README). Usage: bench/exec.sh [RUNS]
set -eu
cd "$(dirname "$0")/.."
mvn -q -pl barco-runtime -am -DskipTests package
mvn -q -pl barco-runtime dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
cp="barco-runtime/target/classes:barco-runtime/target/test-classes:$(cat barco-runtime/target/bench.classpath)"
java -cp "$cp" io.barco.bench.ExecBenchmark "$@"

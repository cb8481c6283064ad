#!/bin/sh
# Per-test overhead of @InBarco: plain test, JVM mode, command mode's exec("/bin/true") (see README).
set -eu
cd "$(dirname "$0")/.."
mvn -q -pl barco-junit -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
cp="barco-junit/target/test-classes:barco-junit/target/classes:$(cat barco-junit/target/bench.classpath)"
exec java -cp "$cp" io.barco.junit.bench.ExtensionOverheadBenchmark "$@"

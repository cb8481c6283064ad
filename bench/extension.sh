#!/bin/sh
# Per-test overhead of @InBarco: plain test, JVM mode (a JVM per test, one per class, with and
# without the class data archive), command mode's exec("/bin/true") (see README). barco's own
# classes come as the jars a user's project gets, as its class data archive would cover them.
set -eu
cd "$(dirname "$0")/.."
mvn -q -pl barco-junit -am -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
jar=$(ls barco-junit/target/barco-junit-*[0-9T].jar)
cp="barco-junit/target/test-classes:$jar:$(cat barco-junit/target/bench.classpath)"
exec java -cp "$cp" io.barco.junit.bench.ExtensionOverheadBenchmark "$@"

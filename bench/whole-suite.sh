#!/bin/bash
# The whole-suite switch on a generated suite of 75 classes and 19,000 test methods: plain, then
# every test in barco (by default one JVM for the run; pass class or method for more), each mode in
# a JVM of its own, with outcomes and wall times (discovery included, as in a build).
set -eu
cd "$(dirname "$0")/.."
mvn -q -pl barco-junit -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
cp="barco-junit/target/test-classes:barco-junit/target/classes:$(cat barco-junit/target/bench.classpath)"
src=barco-junit/target/generated-suite/src
out=barco-junit/target/generated-suite/classes
rm -rf "$src" "$out"
mkdir -p "$src/generated/suite" "$out"
i=0
while [ $i -lt 75 ]; do
  {
    echo "package generated.suite;"
    echo "import static org.junit.jupiter.api.Assertions.*;"
    echo "import static org.junit.jupiter.api.Assumptions.assumeTrue;"
    echo "class Suite${i}Test {"
    n=0
    # 253 or 254 methods per class: 19,000 in all; one failure and one skip per class
    count=$((19000 / 75 + (i < 19000 % 75 ? 1 : 0)))
    while [ $n -lt $count ]; do
      if [ $n -eq 0 ]; then
        echo "  @org.junit.jupiter.api.Test void t$n() { assertEquals(2, 1 + 2, \"fails everywhere\"); }"
      elif [ $n -eq 1 ]; then
        echo "  @org.junit.jupiter.api.Test void t$n() { assumeTrue(false, \"skipped everywhere\"); }"
      else
        echo "  @org.junit.jupiter.api.Test void t$n() { assertEquals($n, Integer.parseInt(\"$n\")); }"
      fi
      n=$((n + 1))
    done
    echo "}"
  } > "$src/generated/suite/Suite${i}Test.java"
  i=$((i + 1))
done
javac -d "$out" -cp "$cp" "$src"/generated/suite/*.java
for mode in plain "${@:-run}"; do
  java -cp "$out:$cp" io.barco.junit.bench.WholeSuiteBenchmark "$mode" | grep -v '^\[barco\]'
done

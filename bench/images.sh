#!/bin/sh
# Images benchmark, in one run: the first unpack of a small image (busybox, two gzip layers, built
# from the host's /bin/busybox: apt-get install busybox-static) into a fresh cache, its first pull
# from Debian's docker-registry on 127.0.0.1 (apt-get install docker-registry; skipped without it),
# then launch to exit from the cached image beside a launch from a host directory with the same
# files (see docs/images.md). Figures are printed, not asserted. Usage: bench/images.sh [RUNS]
set -eu
cd "$(dirname "$0")/.."
mvn -q -pl barco-runtime -am -DskipTests package
mvn -q -pl barco-runtime dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
cp="barco-runtime/target/classes:barco-runtime/target/test-classes:$(cat barco-runtime/target/bench.classpath)"
java -cp "$cp" io.barco.bench.ImageBenchmark "$@"

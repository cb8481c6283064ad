#!/bin/bash
# Issue 17's parallel check: this suite (four JUnit 4 classes that each hold 127.0.0.1:47123 and
# /tmp/barco-parallel-forks.state for 5 s) fails under plain `mvn test -DforkCount=2` and passes
# under `barco-mvn . test -DforkCount=2`, where each of the two forks is a container. Prints both
# outcomes; exit status 0 when plain fails with those clashes and barco passes all 4 tests, 1
# otherwise. The plain run's failure is the point, so its output goes to target/plain.log.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mvn_cmd=${MVN:-mvn}
cd "$here"
"$mvn_cmd" -B -q test-compile >/dev/null   # fetches what is missing before either run
mkdir -p target
status=0
if "$mvn_cmd" -B test -DforkCount=2 > target/plain.log 2>&1; then
  echo "parallel-forks: plain mvn test -DforkCount=2 PASSED: the forks did not overlap (a machine this busy?)" >&2
  status=1
elif grep -qE 'BindException: Address already in use|state file under /tmp' target/plain.log; then
  echo "parallel-forks: plain mvn test -DforkCount=2 fails as expected: $(grep -cE 'BindException: Address already in use|state file under /tmp' target/plain.log) clashes over the port or the /tmp file"
else
  echo "parallel-forks: plain mvn test -DforkCount=2 failed otherwise; see $here/target/plain.log" >&2
  status=1
fi
if ../../barco-mvn . -B test -DforkCount=2 > target/barco.log 2>&1 &&
   grep -q 'Tests run: 4, Failures: 0, Errors: 0, Skipped: 0' target/barco.log; then
  echo "parallel-forks: barco-mvn . test -DforkCount=2 passes: 4 tests, each fork in a container of its own"
else
  echo "parallel-forks: barco-mvn . test -DforkCount=2 FAILED; see $here/target/barco.log" >&2
  status=1
fi
exit $status

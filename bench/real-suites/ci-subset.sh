#!/bin/bash
# CI gate of issue 9: a real suite (commons-io 2.15.1's own tests, a selection of its classes)
# runs plain, then under barco's whole-suite switch in `class` granularity; fails when any test's
# outcome differs from the plain run (a test failing, erring, skipped or missing only under
# barco), or when a run does not end. The selection covers what real suites rely on: relative
# paths from the module directory (src/test/resources/..., src/main/java, LICENSE.txt), resources
# read as files, @TempDir, writes under target/, a small heap from argLine (-Xmx25M), JaCoCo's
# agent in argLine. About a minute plain and two under barco on a 2-core machine, after the
# first run has fetched the dependencies from Maven Central (about 2 minutes more). Left out:
# TailerTest and ThreadMonitorTest, whose outcomes hang on timing, which a busy machine changes
# between two runs whatever runs them.
#
# usage: bench/real-suites/ci-subset.sh        environment: CI_SUITE, CI_TESTS, OUT
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$here/lib.sh"
suite=${CI_SUITE:-commons-io}
tests=${CI_TESTS:-$ci_io_tests}
out=${OUT:-$here/target/ci-subset}
rm -rf "$out"
key=${suite//-/_}
export "TESTS_$key=$tests"
OUT=$out MODES=class "$here/../real-suites.sh" "$suite"
python3 "$here/compare.py" "$out" --fail-on-difference >/dev/null || {
  echo "ci-subset: $suite's tests do not pass under barco (class granularity) as they do plain;" \
       "see $out/table.md and $out/differences.tsv" >&2
  exit 1
}
echo "ci-subset: $suite ($tests): same outcomes under barco's class granularity as plain"

#!/bin/bash
# Real suites under barco's whole-suite switch (issue 9, point 8): each suite of
# bench/real-suites/ (a released open-source project rebuilt with its own tests from what it
# published on Maven Central) is run plain, then with barco put on its test classpath and
# the switch on, in each granularity, and with Surefire's reuseForks=false (a fresh JVM per
# test class, no container: the reference a user would pick for per-class isolation). Prints one
# table (tests, failures, errors, skipped, wall time, ratio to plain, outcome differences,
# containers barco launched) and
# lists every test whose outcome differs from the plain run. Nothing of the suites is edited:
# barco comes in through Surefire's -Dmaven.test.additionalClasspath, the switch through -D
# system properties, which the JUnit Platform reads as configuration parameters.
#
# usage: bench/real-suites.sh [SUITE...]          (default: every JUnit Jupiter suite in bench/real-suites/)
# environment:
#   MODES           modes to run, in order (default "plain run class method reusefalse");
#                   plain always runs first, as the reference of the others
#   METHOD_TESTS_<suite>  Surefire -Dtest selection for `method` granularity (a fork per test
#                   method), e.g. METHOD_TESTS_commons_io='FileUtilsTest,IOUtilsTest'; the
#                   defaults below take a few classes. Empty: the whole suite. With a selection,
#                   the same selection is also run plain (mode plain-subset) as method's reference
#   TESTS_<suite>   a -Dtest selection for every mode (default: the whole suite)
#   MODE_TIMEOUT    a mode's run is stopped after this long (timeout(1) syntax, default 40m)
#   OUT             where reports and results go (default bench/real-suites/target/results)
#   BARCO_OPTS      more -D options for the barco modes (e.g. -Dbarco.startAhead=false)
#   MVN             the Maven command (default mvn)
# exit status: 0 when every mode ran; the differences are data, not a failure (see ci-subset.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
suites_dir=$root/bench/real-suites
# shellcheck source=real-suites/lib.sh source-path=SCRIPTDIR
. "$suites_dir/lib.sh"
out=${OUT:-$suites_dir/target/results}
mvn_cmd=${MVN:-mvn}
modes=${MODES:-plain run class method reusefalse}
mode_timeout=${MODE_TIMEOUT:-40m}
read -r -a barco_opts <<< "${BARCO_OPTS:-}"

# a few classes per suite for a fork per test method (a JVM per test: the whole suites would
# take hours); chosen for what they exercise: relative paths, resources as files, @TempDir,
# @BeforeAll state, locale/time zone/system property extensions
: "${METHOD_TESTS_commons_io=FileUtilsTest,DirectoryWalkerTest}"
# (not LocaleUtilsTest: 2,051 parameterized invocations, a fork each, over 30 minutes here)
: "${METHOD_TESTS_commons_lang3=SystemUtilsTest,FastDateFormatTest,ArchUtilsTest}"
: "${METHOD_TESTS_commons_text=StringSubstitutorWithInterpolatorStringLookupTest,FileStringLookupTest,PropertiesStringLookupTest,XmlStringLookupTest}"

if [ $# -gt 0 ]; then
  suites=("$@")
else
  suites=()
  for d in "$suites_dir"/*/pom.xml; do
    # the switch runs on the JUnit Platform: not commons-codec's JUnit 4 (barco-mvn-ci.sh runs it)
    grep -q '<artifactId>junit-jupiter</artifactId>' "$d" || continue
    suites+=("$(basename "$(dirname "$d")")")
  done
fi

# barco's jars, built here without install (the shared ~/.m2 snapshot is left alone), and their
# runtime dependencies minus JUnit's own jars: the suite brings its JUnit version, as a user's
# project would, and two versions of the platform on one classpath would clash
log "building barco's jars"
(cd "$root" && "$mvn_cmd" -q -DskipTests -pl barco-junit -am package dependency:build-classpath \
  -Dmdep.outputFile=target/barco.classpath -DincludeScope=runtime >/dev/null)
barco_cp=$(ls "$root"/barco-junit/target/barco-junit-*[0-9T].jar)
IFS=: read -r -a deps < "$root/barco-junit/target/barco.classpath" || true   # no final newline
for jar in "${deps[@]}"; do
  case $jar in
    */org/junit/* | */opentest4j/* | */apiguardian/*) ;;
    *) barco_cp+=,$jar ;;
  esac
done

mkdir -p "$out"
results=$out/results.tsv
: > "$results"

# containers barco launched: barco prints one summary per test JVM ("[barco] N containers for
# tests: ...", each test's usage in target/barco/usage-*.csv), no longer a line per container
count_containers() {
  sed -n 's/^\[barco\] \([0-9][0-9]*\) containers\{0,1\} for tests:.*/\1/p' "$1" | awk '{ n += $1 } END { print n + 0 }'
}

# run_tests SUITE MODE [MAVEN ARG...]: one Surefire run of the suite's tests (run_mode); also keeps
# its target/barco and its jacoco.exec, to compare what each mode covered
run_tests() {
  local suite=$1 mode=$2
  shift 2
  local dir=$suites_dir/$suite dest=$out/$suite/$mode
  run_mode "$suite" "$mode" "$mvn_cmd" -o test -Dmaven.test.failure.ignore=true "$@"
  [ -d "$dir/target/barco" ] && cp -r "$dir/target/barco" "$dest/barco"
  [ -f "$dir/target/jacoco.exec" ] && cp "$dir/target/jacoco.exec" "$dest/jacoco.exec"
  return 0
}

for suite in "${suites[@]}"; do
  dir=$suites_dir/$suite
  [ -f "$dir/pom.xml" ] || { log "no suite $suite in $suites_dir"; exit 2; }
  key=${suite//-/_}
  sel_var=TESTS_$key
  method_var=METHOD_TESTS_$key
  selection=()
  [ -n "${!sel_var:-}" ] && selection=("-Dtest=${!sel_var}")
  # unpack and compile once, outside the timed runs (also fetches what is missing from Central)
  log "$suite: preparing"
  (cd "$dir" && "$mvn_cmd" -q test-compile >/dev/null)
  # Surefire resolves its JUnit Platform provider only when it forks for a test, so one test
  # class runs here, online, once: the timed runs below are offline
  warmup=$(cd "$dir/target/test-classes" && find . -name '*Test.class' ! -name '*$*' | sort | sed -n 1p)
  warmup=${warmup##*/}
  (cd "$dir" && "$mvn_cmd" -q test -Dmaven.test.failure.ignore=true "-Dtest=${warmup%.class}" >/dev/null)
  switch=("-Dmaven.test.additionalClasspath=$barco_cp"
          -Djunit.jupiter.extensions.autodetection.enabled=true -Dbarco.all=true
          ${barco_opts[@]+"${barco_opts[@]}"})
  run_tests "$suite" plain ${selection[@]+"${selection[@]}"}
  for mode in $modes; do
    case $mode in
      plain) ;;
      reusefalse) run_tests "$suite" reusefalse -DreuseForks=false ${selection[@]+"${selection[@]}"} ;;
      run | class) run_tests "$suite" "$mode" "${switch[@]}" "-Dbarco.granularity=$mode" \
                     ${selection[@]+"${selection[@]}"} ;;
      method)
        if [ -n "${!method_var:-}" ]; then
          run_tests "$suite" plain-subset "-Dtest=${!method_var}"
          run_tests "$suite" method "${switch[@]}" -Dbarco.granularity=method "-Dtest=${!method_var}"
        else
          run_tests "$suite" method "${switch[@]}" -Dbarco.granularity=method \
            ${selection[@]+"${selection[@]}"}
        fi ;;
      *) log "unknown mode $mode"; exit 2 ;;
    esac
  done
done

python3 "$suites_dir/compare.py" "$out"

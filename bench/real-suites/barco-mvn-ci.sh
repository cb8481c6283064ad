#!/bin/bash
# CI gate of issue 17: real suites run plain, then under ./barco-mvn (each JVM that Surefire forks
# is the build's java in a barco container of its own, bin/barco-java) with the same Maven
# arguments; fails when any test's outcome differs from the plain run (a test failing, erring,
# skipped or missing only under barco), or when a run does not end. Nothing of the suites is edited
# and nothing of barco is on their classpath. The suites, rebuilt from what they published on Maven
# Central (see pom.xml here):
#   commons-io 2.15.1: JUnit Jupiter, JaCoCo's agent in argLine (its jacoco.exec must be written
#     through the container), -Xmx25M, reuseForks=false: a container per test class; the classes
#     of ci-subset.sh
#   commons-codec 1.15: JUnit 4 (Surefire's junit4 provider), resources from the classpath and as
#     files; Surefire's default forks (one JVM, reused: one container for the run); 58 of its 62
#     test classes, all but the four slowest (Base64Test, MurmurHash3Test, MessageDigestAlgorithmsTest,
#     XXHash32OverflowTest: 50 of its 65 s on a busy 2-core machine, and nothing the others lack)
# Each barco run passes --stats to the CLI, so each container prints its usage on the fork's
# stderr, which Surefire shows: the table's "barco containers" counts them.
# About 2 + 2 minutes on a 2-core machine after the first run has fetched what they need.
#
# usage: bench/real-suites/barco-mvn-ci.sh
# environment: OUT, MVN, SUITES (default "commons-io commons-codec"; commons-lang3 and commons-text
#   run whole), CI_IO_TESTS, CI_CODEC_TESTS,
#   MODES: the runs after plain, in order (default barco-mvn: the project's own forks under
#   barco-mvn); also plain-reusefalse, plain-fork2 (forkCount=2 reuseForks=false), barco-reusefalse
#   and barco-fork2, which -D sets, so on a suite whose POM sets forkCount or reuseForks (commons-io)
#   they change nothing. Issue 17's measurement (docs/whole-suite.md):
#   SUITES=commons-codec MODES="plain-reusefalse plain-fork2 barco-reusefalse barco-fork2 barco-mvn"
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$here/lib.sh"
root=$(cd "$here/../.." && pwd)
suites_dir=$here
out=${OUT:-$here/target/barco-mvn-ci}
mode_timeout=${MODE_TIMEOUT:-20m}
mvn_cmd=${MVN:-mvn}
io_tests=${CI_IO_TESTS:-$ci_io_tests}
codec_tests=${CI_CODEC_TESTS:-CharEncodingTest,CharsetsTest,DecoderExceptionTest,EncoderExceptionTest,StringEncoderComparatorTest,AllocateDirectHexTest,Base16InputStreamTest,Base16OutputStreamTest,Base16Test,Base32InputStreamTest,Base32OutputStreamTest,Base32Test,Base64Codec13Test,Base64InputStreamTest,Base64OutputStreamTest,BaseNCodecTest,BinaryCodecTest,CharSequenceUtilsTest,HexTest,StringUtilsTest,Apr1CryptTest,B64Test,CryptTest,DigestUtilsTest,HmacAlgorithmsTest,HmacUtilsTest,Md5CryptTest,MurmurHash2Test,PureJavaCrc32CTest,PureJavaCrc32Test,Sha256CryptTest,Sha2CryptTest,Sha512CryptTest,UnixCryptTest,XXHash32Test,Caverphone1Test,Caverphone2Test,ColognePhoneticTest,DaitchMokotoffSoundexTest,DoubleMetaphone2Test,DoubleMetaphoneTest,MatchRatingApproachEncoderTest,MetaphoneTest,NysiisTest,RefinedSoundexTest,SoundexTest,BeiderMorseEncoderTest,LanguageGuessingTest,PhoneticEngineRegressionTest,PhoneticEngineTest,RuleTest,BCodecTest,PercentCodecTest,QCodecTest,QuotedPrintableCodecTest,RFC1522CodecTest,URLCodecTest,UtilsTest}
rm -rf "$out"
mkdir -p "$out"
results=$out/results.tsv
: > "$results"

# the containers of a run: each prints its usage (--stats), "barco: wall time" first
count_containers() { grep -c '^barco: wall time' "$1" || true; }

for suite in ${SUITES:-commons-io commons-codec}; do
  case $suite in
    commons-io) tests=$io_tests ;;
    commons-codec) tests=$codec_tests ;;
    *) tests= ;; # every other suite of this directory whole (commons-lang3, commons-text)
  esac
  [ -f "$here/$suite/pom.xml" ] || { log "barco-mvn-ci: no suite $suite in $here"; exit 2; }
  dir=$here/$suite
  # unpack and compile once, outside the timed runs, and run one class (of a whole suite, none) so
  # that Surefire fetches its provider: the runs below are offline
  log "$suite: preparing"
  if [ -n "$tests" ]; then first=("-Dtest=${tests%%,*}"); else first=(-Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false); fi
  (cd "$dir" && "$mvn_cmd" -B -q test -Dmaven.test.failure.ignore=true "${first[@]}" >/dev/null)
  args=(-B -o test -Dmaven.test.failure.ignore=true ${tests:+"-Dtest=$tests"})
  run_mode "$suite" plain "$mvn_cmd" "${args[@]}"
  for mode in ${MODES:-barco-mvn}; do
    case $mode in
      plain-reusefalse) run_mode "$suite" "$mode" "$mvn_cmd" "${args[@]}" -DreuseForks=false ;;
      plain-fork2) run_mode "$suite" "$mode" "$mvn_cmd" "${args[@]}" -DforkCount=2 -DreuseForks=false ;;
      barco-mvn) BARCO_JAVA_OPTS=--stats MVN=$mvn_cmd run_mode "$suite" "$mode" "$root/barco-mvn" . "${args[@]}" ;;
      barco-reusefalse) BARCO_JAVA_OPTS=--stats MVN=$mvn_cmd run_mode "$suite" "$mode" "$root/barco-mvn" . "${args[@]}" \
                          -DreuseForks=false ;;
      barco-fork2) BARCO_JAVA_OPTS=--stats MVN=$mvn_cmd run_mode "$suite" "$mode" "$root/barco-mvn" . "${args[@]}" \
                     -DforkCount=2 -DreuseForks=false ;;
      *) log "barco-mvn-ci: unknown mode $mode (plain-reusefalse plain-fork2 barco-mvn barco-reusefalse barco-fork2)"; exit 2 ;;
    esac
  done
done

# the table, and the first of any differences (all of them in differences.tsv)
python3 "$here/compare.py" "$out" --fail-on-difference > "$out/compare.txt" || status=$?
head -n 40 "$out/compare.txt"
[ "$(wc -l < "$out/compare.txt")" -le 40 ] || echo "... ($out/compare.txt has the rest)"
if [ "${status:-0}" != 0 ]; then
  echo "barco-mvn-ci: the suites' tests do not pass under barco-mvn as they do plain (or a run did not end);" \
       "see $out/table.md and $out/differences.tsv" >&2
  exit 1
fi
echo "barco-mvn-ci: ${SUITES:-commons-io commons-codec}: same outcomes under barco-mvn as plain"

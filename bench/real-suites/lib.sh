# Sourced by bench/real-suites.sh, ci-subset.sh and barco-mvn-ci.sh: what they share.
# shellcheck shell=bash

# commons-io's test classes in the CI gates, ci-subset.sh (which says why these) and barco-mvn-ci.sh
# shellcheck disable=SC2034 # used by the scripts that source this file
ci_io_tests=FileUtilsTest,IOUtilsTest,DirectoryWalkerTest,FilenameUtilsTest,PathUtilsTest,FileFilterTest,NameFileFilterTest,FileSystemUtilsTest,CopyUtilsTest,ReversedLinesFileReaderTestParamFile,XmlStreamReaderTest,FileCleaningTrackerTest,LineIteratorTest,DeletingPathVisitorTest,CleaningPathVisitorTest,CopyDirectoryVisitorTest,FileUtilsListFilesTest,FileUtilsDirectoryContainsTest,DirectoryFileComparatorTest

log() { printf '%s\n' "$*" >&2; }

# run_mode SUITE MODE COMMAND...: one build of the suite's tests: COMMAND runs in
# $suites_dir/SUITE, stopped after $mode_timeout, its output in $out/SUITE/MODE/mvn.log; copies
# its Surefire reports to $out/SUITE/MODE/reports and appends "suite mode wall exit jacoco-bytes
# barco-containers" to $out/results.tsv, the containers as the caller's count_containers LOG
# counts them in the log
# shellcheck disable=SC2154 # suites_dir, out and mode_timeout: set by the sourcing script
run_mode() {
  local suite=$1 mode=$2
  shift 2
  local dir=$suites_dir/$suite dest=$out/$suite/$mode status=0 start end jacoco=-
  rm -rf "$dir/target/surefire-reports" "$dir/target/jacoco.exec" "$dir/target/barco" "$dest"
  mkdir -p "$dest"
  log "$suite: $mode"
  start=$(date +%s.%N)
  (cd "$dir" && timeout --kill-after=60s "$mode_timeout" "$@") > "$dest/mvn.log" 2>&1 || status=$?
  end=$(date +%s.%N)
  [ -d "$dir/target/surefire-reports" ] && cp -r "$dir/target/surefire-reports" "$dest/reports"
  [ -f "$dir/target/jacoco.exec" ] && jacoco=$(stat -c %s "$dir/target/jacoco.exec")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$suite" "$mode" "$(awk "BEGIN { printf \"%.1f\", $end - $start }")" \
    "$status" "$jacoco" "$(count_containers "$dest/mvn.log")" >> "$out/results.tsv"
}

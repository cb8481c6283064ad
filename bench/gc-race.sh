#!/bin/sh
# Collector race: ROUNDS rounds (default 100) of "SIGKILL 4 CLI launchers whose containers run
# `sleep 1000`, then start 6 `barco -c /bin/true` at once". Each of the 6 JVMs collects the dead
# launchers' groups at its first launch, so they race on the same groups. Prints the failed
# launches and what the killed launchers left (containers still running, their cgroups); exits 1
# on any. The CLI jar is copied first, so a build during the run does not change what runs;
# BARCO_JAR=path runs another build's CLI jar instead (e.g. an older commit's, to compare).
#   bench/gc-race.sh [ROUNDS]
set -eu
rounds=${1:-100}
cd "$(dirname "$0")/.."
jar=${BARCO_JAR:-}
if [ -z "$jar" ]; then
  mvn -o -q -pl barco-runtime -am -DskipTests package
  jar=barco-runtime/target/barco-runtime-0.1.0-SNAPSHOT-cli.jar
fi
work=$(mktemp -d /tmp/barco-gc-race.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp "$jar" "$work/barco.jar"

# run in the background only: exec, so that $! is the JVM itself (the pid to SIGKILL and to find
# the container under), not a subshell around it
barco() {
  exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -jar "$work/barco.jar" "$@"
}

# running, as opposed to gone or a zombie its new parent has yet to reap
running() {
  [ -r "/proc/$1/stat" ] && ! sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | grep -q '^Z'
}

failed=0
launches=0
leftover_containers=0
leftover_groups=0
start=$(date +%s)
round=1
while [ "$round" -le "$rounds" ]; do
  launchers=""
  for _ in 1 2 3 4; do
    barco -c /bin/sleep -- 1000 </dev/null >/dev/null 2>&1 &
    launchers="$launchers $!"
  done
  # the container's first process is the launcher's child (CLONE_PARENT): wait for each one's sleep
  containers=""
  for launcher in $launchers; do
    container=""
    tries=0
    while [ -z "$container" ] && [ "$tries" -lt 300 ]; do
      container=$(pgrep -P "$launcher" -x sleep || true)
      [ -n "$container" ] || sleep 0.05
      tries=$((tries + 1))
    done
    containers="$containers $container"
  done
  for launcher in $launchers; do kill -9 "$launcher"; done
  for launcher in $launchers; do wait "$launcher" 2>/dev/null || true; done  # no "Killed" from the shell

  starters=""
  for i in 1 2 3 4 5 6; do
    barco -c /bin/true </dev/null >"$work/out.$i" 2>&1 &
    starters="$starters $!"
  done
  i=0
  for starter in $starters; do
    i=$((i + 1))
    launches=$((launches + 1))
    if ! wait "$starter"; then
      failed=$((failed + 1))
      echo "round $round: launch $i failed: $(head -c 300 "$work/out.$i")"
    fi
  done

  # what the killed launchers left: the 6 launches above must have collected it all. A launch leaves
  # a group another JVM is collecting to that JVM, which may still be at it: allow it 10 s.
  for container in $containers; do
    n=0
    while running "$container" && [ "$n" -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
    if running "$container"; then
      leftover_containers=$((leftover_containers + 1))
      echo "round $round: container $container of a killed launcher still runs"
    fi
  done
  for launcher in $launchers; do
    groups=$(find /sys/fs/cgroup -maxdepth 5 -type d -name "barco-$launcher-*" 2>/dev/null | wc -l)
    if [ "$groups" -gt 0 ]; then
      leftover_groups=$((leftover_groups + groups))
      echo "round $round: $groups cgroups of killed launcher $launcher left"
    fi
  done
  if [ $((round % 10)) -eq 0 ]; then
    echo "... $round rounds, $launches launches, $failed failed"
  fi
  round=$((round + 1))
done
elapsed=$(($(date +%s) - start))
echo "gc-race: $rounds rounds in ${elapsed}s: $failed of $launches launches failed;" \
  "leftovers: $leftover_containers containers, $leftover_groups cgroups of killed launchers"
[ "$failed" -eq 0 ] && [ "$leftover_containers" -eq 0 ] && [ "$leftover_groups" -eq 0 ]

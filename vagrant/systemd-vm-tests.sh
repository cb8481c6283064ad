#!/usr/bin/env bash
# The README's laptop commands in the Debian 13 VM (debian-vm.sh: systemd as PID 1, kernel 6.12,
# unified cgroup v2), in one boot, as the user vagrant through sudo, as a laptop user would:
#   1. the demo: `sudo ./barco -u 0 -m / -c /bin/sh -a .` on a pty (script(1)), which builds the CLI
#      on first use; the shell is given `echo "i am a container on $(hostname)"` and `exit`, and
#      must print `i am a container on barcontainer` and exit 0;
#   2. the README's OOM example, its command line read from README.md and run as it is written (with
#      sudo): exit status 137 and one OOM kill reported, as the README shows;
#   3. where systemd may put the launching JVM (a login session, a scope, a service, a delegated
#      subtree), a container's limit, across a daemon-reload, and nothing left changed;
#   4. the samples module's integration tests with `sudo mvn verify`;
#   5. the cgroup and running-container integration tests (CgroupIT, RunningContainerIT,
#      SharedPropagationIT) with `sudo mvn verify`.
# Every step runs, even after one failed; each one's wall time is printed. The Maven steps run with
# BARCO_REQUIRE_PRIVILEGED=1, so that a test that cannot start containers fails instead of skipping.
# The exit status is 0 only if every step passed (1 otherwise; debian-vm.sh's own for a VM that
# could not be built, booted or provisioned).
#
#   vagrant/systemd-vm-tests.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 0 ] || { echo "systemd-vm-tests: no arguments expected (usage: vagrant/systemd-vm-tests.sh)" >&2; exit 64; }

oom=$(grep -m 1 -E '^\$ \./barco .*--memory .*' README.md | sed 's/^\$ //' || true)
[ -n "$oom" ] || { echo "systemd-vm-tests: README.md has no OOM example (\$ ./barco ... --memory ...)" >&2; exit 1; }
# the status the README shows for it: the line after its `$ echo $?`
oom_status=$(CMD="\$ $oom" awk '$0 == ENVIRON["CMD"] {found = 1} found && prev == "$ echo $?" {print; exit} {prev = $0}' README.md)
[[ $oom_status =~ ^[0-9]+$ ]] || { echo "systemd-vm-tests: README.md's OOM example has no '\$ echo \$?' after it" >&2; exit 1; }

# The guest's script: bash, as vagrant, in /vagrant.
# shellcheck disable=SC2016 # expanded in the guest
guest_script='
set -u
cd /vagrant
failed=()
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" "BEGIN { printf \"%.1f s\", b - a }"; }
step() {
  local name=$1 t0 status
  shift
  t0=$(date +%s.%N)
  echo "=== step: $name"
  "$@"
  status=$?
  if [ "$status" = 0 ]; then
    echo "=== step: $name: passed in $(elapsed "$t0")"
  else
    echo "=== step: $name: FAILED (status $status) in $(elapsed "$t0")"
    failed+=("$name")
  fi
  times+=("$(printf "%-28s %s" "$name" "$(elapsed "$t0")")")
}
times=()

demo() {
  local typescript=/tmp/demo.typescript deadline=$((SECONDS + 1800)) status
  rm -f "$typescript"
  # input only once the container shell prompts: what is typed earlier could be lost
  script -qefc "sudo ./barco -u 0 -m / -c /bin/sh -a ." "$typescript" < <(
    until tr -d "\r" 2>/dev/null < "$typescript" | tail -c 2 | grep -q "# "; do
      [ "$SECONDS" -lt "$deadline" ] || { echo "demo: no shell prompt within 1800 s" >&2; exit 1; }
      sleep 1
    done
    echo "echo \"i am a container on \$(hostname)\""
    until tr -d "\r" < "$typescript" | grep -qx "i am a container on barcontainer"; do
      [ "$SECONDS" -lt "$deadline" ] || { echo "demo: no answer within 1800 s" >&2; exit 1; }
      sleep 1
    done
    echo exit
    sleep 10   # script(1) may end the session at the end of its input
  ) >/dev/null
  status=$?
  tr -d "\r" < "$typescript" | grep -v "^Script \(started\|done\)"
  [ "$status" = 0 ] || { echo "demo: exit status $status"; return 1; }
  tr -d "\r" < "$typescript" | grep -qx "i am a container on barcontainer" ||
    { echo "demo: no line \"i am a container on barcontainer\""; return 1; }
}

oom() {
  local out status
  echo "\$ sudo $OOM"
  out=$(eval "sudo $OOM" 2>&1)
  status=$?
  printf "%s\n" "$out"
  echo "exit status $status (README: $OOM_STATUS)"
  [ "$status" = "$OOM_STATUS" ] || return 1
  # what barco says of an OOM kill: the line the README shows, or the count of --stats
  printf "%s\n" "$out" | grep -Eq "^barco: (the OOM killer killed a process of the container|oom kills +1$)" ||
    { echo "oom: barco did not report the OOM kill"; return 1; }
}

# What kind of host this is, as the README and docs/limits.md say: systemd as PID 1, / shared,
# cgroup v2 alone, AppArmor enabled with profiles loaded.
host() {
  local status=0 profiles
  echo "kernel $(uname -r); PID 1 $(ps -o comm= -p 1); $(systemctl --version | sed -n 1p)"
  echo "/ propagation: $(findmnt -no PROPAGATION /); /sys/fs/cgroup: $(findmnt -no FSTYPE /sys/fs/cgroup)"
  profiles=$(sudo cat /sys/kernel/security/apparmor/profiles 2>/dev/null | wc -l)
  echo "AppArmor enabled: $(cat /sys/module/apparmor/parameters/enabled 2>/dev/null), $profiles profiles loaded"
  [ "$(ps -o comm= -p 1)" = systemd ] || status=1
  [ "$(findmnt -no PROPAGATION /)" = shared ] || status=1
  [ "$(findmnt -no FSTYPE /sys/fs/cgroup)" = cgroup2 ] || status=1
  [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] && [ "$profiles" -gt 0 ] || status=1
  return "$status"
}

# Where systemd runs the launching JVM: a login session (ssh, then sudo), a transient scope, a
# service, and a scope with a delegated subtree whose own group holds the groups of barco
# (BARCO_CGROUP_PARENT). (In a transient service with Delegate=yes, moving the shell into a child
# group failed here with EIO, so that variant is not checked.)
# In each, a container with a 64M memory limit must see that limit; then one container runs across a
# systemctl daemon-reload, which must not move it; and the root group of the host and the subtree of
# barco end as they began (docs/cgroups.md, "On systemd hosts").
placements() {
  local status=0 probe=(/vagrant/barco --memory 64M -c /bin/cat -- /sys/fs/cgroup/memory.max)
  local root_before groups_before pid before after left s
  root_before=$(cat /sys/fs/cgroup/cgroup.subtree_control)
  groups_before=$(sudo find /sys/fs/cgroup/barco -mindepth 1 -type d 2>/dev/null | sort)
  placed() {
    local name=$1 out s
    shift
    out=$("$@" 2>&1)
    s=$?
    echo "$name: exit $s, the container sees memory.max $out"
    [ "$s" = 0 ] && [ "$out" = 67108864 ] || status=1
  }
  placed "login session ($(cut -d: -f3 /proc/self/cgroup))" sudo "${probe[@]}"
  placed "systemd-run --scope" sudo systemd-run --quiet --scope "${probe[@]}"
  placed "systemd-run service" sudo systemd-run --quiet --wait --pipe -p WorkingDirectory=/vagrant "${probe[@]}"
  # the container outlives any reload: an earlier `sleep 23.5` had ended by itself once, when the
  # reload took longer than that under emulation. It is killed once checked (KILL: it is the PID 1 of
  # its namespace, which takes no TERM it has no handler for), and barco reports 137.
  sudo /vagrant/barco -c /bin/sleep -- 600.5 &
  local barco=$! t0 reload
  for _ in $(seq 1 600); do pid=$(pgrep -xf "/bin/sleep 600.5") && break; sleep 0.1; done
  if [ -n "${pid:-}" ]; then
    before=$(cat "/proc/$pid/cgroup")
    t0=$(date +%s.%N)
    sudo systemctl daemon-reload
    reload=$(elapsed "$t0")
    sleep 2
    after=$(cat "/proc/$pid/cgroup" 2>/dev/null)
    echo "across systemctl daemon-reload ($reload): the container was in ${before#0::}, after: ${after:+${after#0::}}${after:-gone}"
    [ -n "$after" ] && [ "$after" = "$before" ] || status=1
    sudo kill -KILL "$pid"
  else
    echo "across systemctl daemon-reload: the container did not start"; status=1
  fi
  wait "$barco"; s=$?
  echo "the container killed: barco exit $s"
  [ "$s" = 137 ] || status=1
  [ "$(cat /sys/fs/cgroup/cgroup.subtree_control)" = "$root_before" ] &&
    echo "the root group'"'"'s subtree_control is as it was: $root_before" ||
    { echo "the root group'"'"'s subtree_control changed: $root_before -> $(cat /sys/fs/cgroup/cgroup.subtree_control)"; status=1; }
  # only what this step made: a group that existed before may go meanwhile, none may be added
  left=$(comm -13 <(echo "$groups_before") <(sudo find /sys/fs/cgroup/barco -mindepth 1 -type d 2>/dev/null | sort))
  [ -z "$left" ] && echo "no group of barco left" || { echo "groups of barco left: $left"; status=1; }
  # last: starting a unit with Delegate=yes makes systemd itself enable every controller down to it
  placed "a delegated scope, BARCO_CGROUP_PARENT in its subtree" sudo systemd-run --quiet --scope -p Delegate=yes \
    sh -c '"'"'
      cg=$(cut -d: -f3 /proc/self/cgroup)
      mkdir "/sys/fs/cgroup$cg/main" && echo $$ > "/sys/fs/cgroup$cg/main/cgroup.procs" &&
      echo "+cpu +io +memory +pids" > "/sys/fs/cgroup$cg/cgroup.subtree_control" &&
      BARCO_CGROUP_PARENT=${cg#/}/barco exec "$0" "$@"'"'"' "${probe[@]}"
  return "$status"
}

# integration tests only: no unit test matches -Dtest
maven() {
  sudo BARCO_REQUIRE_PRIVILEGED=1 mvn -B -ntp "$@" verify \
    -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false
}
# a pattern that matched nothing must not pass: the module ran ITs, and says how many
ran() {
  local summary=$1/target/failsafe-reports/failsafe-summary.xml n skipped
  n=$(sed -n "s:.*<completed>\([0-9]*\)</completed>.*:\1:p" "$summary" 2>/dev/null)
  skipped=$(sed -n "s:.*<skipped>\([0-9]*\)</skipped>.*:\1:p" "$summary" 2>/dev/null)
  echo "$1: ${n:-no} integration tests ran, ${skipped:-0} skipped"
  [ "${n:-0}" -gt 0 ]
}
# the samples (the README quick start among them), and of barco-junit the build fidelity (a forked
# test writes in /vagrant, which vagrant owns) and InBarcoIT (the usage of command mode, peak tasks
# included, on the cgroup v2 of systemd)
samples_its() {
  local status
  maven -pl samples -am "-Dit.test=*SampleIT,QuickStartIT,BuildFidelityIT,InBarcoIT"
  status=$?
  ran samples || status=1
  ran barco-junit || status=1
  return "$status"
}
runtime_its() {
  local status
  maven -pl barco-runtime -am -Dit.test=CgroupIT,RunningContainerIT,SharedPropagationIT,IsolationIT
  status=$?
  ran barco-runtime || status=1
  return "$status"
}

# the ITs of barco-runtime first: their build makes the jar of the CLI, so the demo does not build it again
# under emulation (13 minutes); the failsafe summary of a module that runs none is not read again
# (the build removes it before each integration-test phase)
step "host" host
step "CgroupIT, RunningContainerIT, SharedPropagationIT, IsolationIT" runtime_its
step "demo (/bin/sh on a pty)" demo
step "README OOM example" oom
step "systemd placements" placements
step "samples ITs, BuildFidelityIT, InBarcoIT" samples_its

echo "=== wall times in the VM"
printf "%s\n" "${times[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "=== FAILED: ${failed[*]}"
  exit 1
fi
echo "=== all steps passed"
'
# a syntax error in the guest's script shows here, not after the image is built and booted
bash -n -c "$guest_script" || { echo "systemd-vm-tests: the guest script does not parse" >&2; exit 1; }
start=$(date +%s)
set +e
vagrant/debian-vm.sh -- "OOM=$(printf %q "$oom") OOM_STATUS=$oom_status bash -c $(printf %q "$guest_script")"
status=$?
set -e
echo "systemd-vm-tests: exit status $status after $(($(date +%s) - start)) s in all" >&2
exit "$status"

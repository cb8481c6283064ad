#!/bin/sh
# Provisions the barco VM: the build tools, then checks the kernel barco's tests need.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq openjdk-21-jdk-headless maven gcc libc6-dev libseccomp2 perl python3 util-linux bsdutils

kernel=$(uname -r)
major=${kernel%%.*}
if [ "$major" -lt 6 ]; then
  echo "provision: kernel $kernel is older than 6.0" >&2
  exit 1
fi
if [ "$(stat -fc %T /sys/fs/cgroup)" != "cgroup2fs" ]; then
  echo "provision: /sys/fs/cgroup is not the unified cgroup v2 hierarchy" >&2
  exit 1
fi
for controller in memory cpu pids; do
  if ! grep -qw "$controller" /sys/fs/cgroup/cgroup.controllers; then
    echo "provision: cgroup v2 controller '$controller' is not available" >&2
    exit 1
  fi
done
echo "provision: kernel $kernel, cgroup v2 with $(cat /sys/fs/cgroup/cgroup.controllers)"

#!/bin/sh
# Provisions the barco VM: the build tools, then checks the kernel barco's tests need.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq openjdk-21-jdk-headless maven gcc libc6-dev libseccomp2 perl python3 util-linux bsdutils
# the image samples: the images they build (a static busybox; redis-server and its libraries), and
# the registry they push them to, which they start themselves on localhost:5000: the package's own
# service, which would hold that port (with its htpasswd auth), is stopped
apt-get install -y -qq busybox-static redis-server docker-registry
systemctl disable --now docker-registry >/dev/null 2>&1 || true

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

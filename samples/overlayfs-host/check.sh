#!/usr/bin/env bash
# The samples' JVM-mode and command-mode tests where a Docker container's build has its files: the
# project and the local Maven repository on overlayfs, on which Linux makes no idmapped mounts.
# Made in a mount namespace of this script's own (root; after `mvn install` of barco): overlays of a
# copy of the samples and of ~/.m2, whose writes go to a scratch directory removed at the end. Passes
# if the standalone sample project's Failsafe run passes there.
#   samples/overlayfs-host/check.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=${MAVEN_REPO:-$HOME/.m2/repository}
[ -d "$repo/io/barco/barco-junit" ] || { echo "overlayfs-host: barco is not installed in $repo: run mvn install first" >&2; exit 2; }
scratch=$(mktemp -d /var/tmp/barco-overlayfs-host.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch"/{project,upper,work,merged,m2upper,m2work} "$scratch/project/standalone"
cp -r samples/src "$scratch/project/"
cp samples/standalone/pom.xml "$scratch/project/standalone/"
# shellcheck disable=SC2016 # expanded by the inner shell
unshare --mount --propagation private bash -euo pipefail -c '
  scratch=$1 repo=$2
  mount -t overlay barco-m2 -o "lowerdir=$repo,upperdir=$scratch/m2upper,workdir=$scratch/m2work" "$repo"
  mount -t overlay barco-project -o "lowerdir=$scratch/project,upperdir=$scratch/upper,workdir=$scratch/work" "$scratch/merged"
  cd "$scratch/merged/standalone"
  echo "overlayfs-host: project on $(findmnt -T . -no FSTYPE), Maven repository on $(findmnt -T "$repo" -no FSTYPE)"
  BARCO_REQUIRE_PRIVILEGED=1 mvn -B -ntp -o verify -Dit.test=JvmModeSampleIT,CommandModeSampleIT
' overlayfs-host "$scratch" "$repo"

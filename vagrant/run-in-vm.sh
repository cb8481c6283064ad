#!/usr/bin/env bash
# Runs a command as root in a throwaway VM with unified cgroup v2, for hosts whose own cgroups are
# not v2 (such as this project's CI machine, whose controllers sit in cgroup v1 hierarchies).
#
#   vagrant/run-in-vm.sh [--cpus N] [--memory MB] -- COMMAND [ARG...]
#
# The VM boots Debian's stock kernel (package linux-image-amd64, 6.1 on Debian 12) under qemu, with
# a busybox initramfs. Its root is the host's own root filesystem, shared read-only over 9p, with
# fresh tmpfs on /tmp and /run and cgroup2 (every controller) on /sys/fs/cgroup; the project
# directory is shared writable at the same path. The command runs in the project directory, and its
# exit status is this script's. Needs qemu-system-x86, busybox-static and cpio (Debian packages).
set -euo pipefail

cpus=2
memory_mb=3072
while [ $# -gt 0 ]; do
  case "$1" in
    --cpus) cpus=$2; shift 2 ;;
    --memory) memory_mb=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "run-in-vm: unknown option $1 (usage: run-in-vm.sh [--cpus N] [--memory MB] -- COMMAND...)" >&2; exit 2 ;;
  esac
done
[ $# -gt 0 ] || { echo "run-in-vm: no command given (usage: run-in-vm.sh -- COMMAND...)" >&2; exit 2; }

project=$(cd "$(dirname "$0")/.." && pwd)
for tool in qemu-system-x86_64 cpio; do
  command -v "$tool" >/dev/null || { echo "run-in-vm: $tool is missing: apt-get install qemu-system-x86 busybox-static cpio" >&2; exit 2; }
done
busybox=/bin/busybox
if ! [ -x "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; then
  echo "run-in-vm: a static busybox is missing: apt-get install busybox-static" >&2
  exit 2
fi

# Debian's kernel, unpacked (not installed) into a cache directory.
cache=${XDG_CACHE_HOME:-$HOME/.cache}/barco/vm
mkdir -p "$cache"
package=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
if [ -z "$package" ]; then
  echo "run-in-vm: cannot find Debian's kernel package (apt-get update first?)" >&2
  exit 2
fi
release=${package#linux-image-}
kernel_dir=$cache/$package
if [ ! -f "$kernel_dir/boot/vmlinuz-$release" ]; then
  echo "run-in-vm: fetching $package" >&2
  download=$(mktemp -d)
  (cd "$download" && chmod 777 . && apt-get download -q "$package" >/dev/null)
  rm -rf "$kernel_dir.part"
  dpkg-deb -x "$download"/*.deb "$kernel_dir.part"
  rm -rf "$download"
  mv "$kernel_dir.part" "$kernel_dir"
fi

# The initramfs: busybox, the modules 9p needs (in load order), those of overlayfs and of an ext4
# disk image on a loop device (a writable root: vagrant/writable-root-v2.sh), and an init that builds
# the root.
work=$(mktemp -d /tmp/barco-vm.XXXXXX)
trap 'rm -rf "$work"' EXIT
initrd=$work/initrd
mkdir -p "$initrd"/{bin,proc,sys,dev,newroot,modules}
cp "$busybox" "$initrd/bin/busybox"
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci netfs fscache 9pnet 9pnet_virtio 9p \
    overlay loop crc16 mbcache jbd2 crc32c_generic ext4; do
  ko=$(find "$kernel_dir/lib/modules/$release" -name "$m.ko*" -print -quit)
  [ -n "$ko" ] || { echo "run-in-vm: module $m not found in $package" >&2; exit 2; }
  case "$ko" in
    *.xz) xz -dc "$ko" > "$initrd/modules/$m.ko" ;;
    *.zst) zstd -qdc "$ko" > "$initrd/modules/$m.ko" ;;
    *) cp "$ko" "$initrd/modules/$m.ko" ;;
  esac
  echo "$m" >> "$initrd/modules/order"
done
# The command, quoted for the guest's shell.
printf '%q ' "$@" > "$initrd/command"
printf '%s' "$project" > "$initrd/project-path"
cat > "$initrd/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /modules/order); do insmod /modules/$m.ko || echo "vm: insmod $m failed"; done
project=$(cat /project-path)
mount -t 9p -o trans=virtio,version=9p2000.L,ro hostroot /newroot
mount -t tmpfs -o mode=1777 tmpfs /newroot/tmp
mount -t tmpfs -o mode=0755 tmpfs /newroot/run
mount -t proc proc /newroot/proc
mount -t sysfs sys /newroot/sys
mount -t devtmpfs dev /newroot/dev
mkdir -p /newroot/dev/pts /newroot/dev/shm
mount -t devpts devpts /newroot/dev/pts
mount -t tmpfs tmpfs /newroot/dev/shm
mount -t cgroup2 cgroup2 /newroot/sys/fs/cgroup
# the project may lie under /tmp, which is a fresh tmpfs here: make its mount point
mkdir -p /newroot$project 2>/dev/null
if ! mount -t 9p -o trans=virtio,version=9p2000.L,rw,cache=none projectfs /newroot$project; then
  echo "vm: cannot mount the project at $project"
  echo "BARCO-VM-EXIT=125"
  poweroff -f
fi
# a booted system's loopback is up (the VM has no other network): tests on the "host" talk to it
ip link set lo up
echo "vm: kernel $(uname -r), cgroup v2 controllers: $(cat /newroot/sys/fs/cgroup/cgroup.controllers)"
# switch_root, not chroot: the kernel refuses new user namespaces to a chrooted process.
cp /bin/busybox /newroot/run/busybox
cat > /newroot/run/vm-init <<EOF2
#!/run/busybox sh
cd $project
# the user's cache as a booted system has it: private to its owner (barco distrusts a cache others can
# write, and then makes a private one per JVM, which the tests' leftover checks would rightly count)
/run/busybox mkdir -p -m 0700 /tmp/cache
export HOME=/root XDG_CACHE_HOME=/tmp/cache BARCO_REQUIRE_PRIVILEGED=1 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
$(cat /command)
echo "BARCO-VM-EXIT=\$?"
sync
/run/busybox poweroff -f
EOF2
chmod +x /newroot/run/vm-init
exec switch_root /newroot /run/vm-init
INIT
chmod +x "$initrd/init"
(cd "$initrd" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initrd.gz"

# TCG: on this project's CI machine a KVM guest hangs; BARCO_VM_ACCEL=kvm where KVM works. TCG runs
# its vCPUs on one host thread: with one thread per vCPU, a JVM in the guest crashed once at the entry
# of freshly compiled code (stale translated code across vCPUs).
accel=${BARCO_VM_ACCEL:-tcg,thread=single}
log=$work/console.log
set +e
qemu-system-x86_64 -accel "$accel" -m "$memory_mb" -smp "$cpus" -nographic -no-reboot -net none \
  -kernel "$kernel_dir/boot/vmlinuz-$release" -initrd "$work/initrd.gz" \
  -append "console=ttyS0 quiet panic=-1 rdinit=/init" \
  -virtfs local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap \
  -virtfs "local,path=$project,mount_tag=projectfs,security_model=passthrough,multidevs=remap" \
  -serial mon:stdio </dev/null 2>&1 | tr -d '\r' | tee "$log"
set -e
status=$(sed -n 's/^BARCO-VM-EXIT=\([0-9]*\)$/\1/p' "$log" | tail -1)
if [ -z "$status" ]; then
  echo "run-in-vm: the VM ended without the command's exit status" >&2
  exit 125
fi
exit "$status"

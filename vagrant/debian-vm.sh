#!/usr/bin/env bash
# The laptop VM of the README (vagrant/Vagrantfile: Debian 13, systemd, kernel 6.12, unified cgroup
# v2), built from Debian's packages instead of a downloaded Vagrant box, and booted under qemu:
#
#   vagrant/debian-vm.sh [OPTIONS] -- 'COMMAND'   boot, copy the repository in, provision, run COMMAND
#   vagrant/debian-vm.sh --build                   only build (or find) the cached image
#   vagrant/debian-vm.sh --box OUT.box             package the image as a vagrant-libvirt box
#
# As `vagrant up` and `vagrant ssh -c COMMAND` would: the repository is copied to /vagrant with
# rsync (without .git/ and target/, owned by vagrant), vagrant/provision.sh runs as root
# (`sudo sh /vagrant/vagrant/provision.sh`), then COMMAND runs in bash as the user vagrant, who has
# passwordless sudo. The script's exit status is COMMAND's (ssh's 255 if the connection broke);
# 125 if the VM could not be built or booted, or provisioning failed; 64 for a usage error.
#
#   vagrant/debian-vm.sh -- 'cd /vagrant && sudo ./barco -c /bin/echo -- hi'
#   vagrant/debian-vm.sh -- 'cd /vagrant && sudo ./barco -u 0 -m / -c /bin/sh -a .'   (a terminal: a pty)
#
# The image (a qcow2 disk with GRUB, ifupdown DHCP on eth0, openssh-server, sudo, rsync, the user
# vagrant with a key generated for it) is built once with mmdebstrap, which needs root, and kept in
# ${XDG_CACHE_HOME:-$HOME/.cache}/barco/debian-vm/KEY/, KEY a hash of the package set and of this
# script's build recipe: changing either builds a new one. A build goes to a .part directory that
# is renamed only once the image has booted from its own disk; a half-built image is never used.
# The host's extra CA certificates (/usr/local/share/ca-certificates) are copied into the image,
# for machines whose outgoing TLS is re-signed by a proxy. The Debian mirror is the host's (from
# its apt sources) or BARCO_VM_MIRROR; without either, mmdebstrap's default.
#
# Each run boots a copy-on-write overlay over the cached image, so it starts clean, under
# qemu-system-x86_64 (single-threaded TCG unless BARCO_VM_ACCEL says otherwise: on this project's CI
# machine a KVM guest hangs) with 2 vCPUs and 4 GB (BARCO_VM_CPUS, BARCO_VM_MEMORY_MB), ssh forwarded from a free
# loopback port. The VM is stopped and the overlay removed on every exit. Needs (Debian packages)
# qemu-system-x86, qemu-utils, openssh-client, rsync; to build, also mmdebstrap, fdisk, e2fsprogs.
set -euo pipefail

prog=debian-vm
usage_line='usage: debian-vm.sh [--no-provision] [--boot-timeout SECONDS] -- COMMAND | --build | --box OUT.box'
usage_error() { echo "$prog: $1 ($usage_line)" >&2; exit 64; }
fail() { echo "$prog: $*" >&2; exit 125; }
say() { echo "$prog: $*" >&2; }

mode=run
provision=1
boot_timeout=${BARCO_VM_BOOT_TIMEOUT:-600}
box_out=
command=
while [ $# -gt 0 ]; do
  case "$1" in
    --build) mode=build; shift ;;
    --box) if [ $# -lt 2 ] || [ -z "$2" ]; then usage_error "--box needs a file name"; fi
      mode=box; box_out=$2; shift 2 ;;
    --no-provision) provision=0; shift ;;
    --boot-timeout) if [ $# -lt 2 ] || ! [[ $2 =~ ^[0-9]+$ ]]; then usage_error "--boot-timeout needs a number of seconds"; fi
      boot_timeout=$2; shift 2 ;;
    --) shift
      [ $# -eq 1 ] || usage_error "give the command as one argument after --"
      command=$1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) usage_error "unknown argument '$1'" ;;
  esac
done
if [ "$mode" = run ] && [ -z "$command" ]; then usage_error "no command given"; fi
if [ "$mode" != run ] && [ -n "$command" ]; then usage_error "--build and --box take no command"; fi

project=$(cd "$(dirname "$0")/.." && pwd)
cpus=${BARCO_VM_CPUS:-2}
memory_mb=${BARCO_VM_MEMORY_MB:-4096}
# TCG on one host thread: with one thread per vCPU (qemu 7.2), JVMs in this guest crashed with SIGSEGV
# at the entry of code C1 had just compiled (stale translated code across vCPUs), as in run-in-vm.sh
accel=${BARCO_VM_ACCEL:-tcg,thread=single}
cache_root=${XDG_CACHE_HOME:-$HOME/.cache}/barco/debian-vm

# What the image holds. Changing this list, the suite or the recipe below gives a new cache key.
suite=trixie
variant=important
# apparmor: an installed Debian 13 has it (linux-image recommends it), its profiles loaded at boot
packages=systemd-sysv,dbus,libpam-systemd,linux-image-amd64,grub-pc,openssh-server,sudo,rsync,ifupdown,isc-dhcp-client,ca-certificates,apparmor
disk_size_mb=20480

for tool in qemu-system-x86_64 qemu-img ssh ssh-keygen rsync flock sha256sum; do
  command -v "$tool" >/dev/null || fail "$tool is missing: apt-get install qemu-system-x86 qemu-utils openssh-client rsync"
done

mirror=${BARCO_VM_MIRROR:-}
if [ -z "$mirror" ]; then
  # the first Debian archive in the host's apt sources (one-line or deb822 format)
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    sed -n -E '/^[[:space:]]*#/d; s,^.*[[:space:]](https?://[^[:space:]]+/debian)/?([[:space:]].*)?$,\1,p' | head -n 1 || true)
fi
ca_dir=/usr/local/share/ca-certificates
ca_files=()
if [ -d "$ca_dir" ]; then
  while IFS= read -r -d '' f; do ca_files+=("$f"); done < <(find "$ca_dir" -name '*.crt' -type f -print0 | sort -z)
fi

# --- the build recipe (its text is part of the cache key) -------------------------------------

# The root file system, into directory $1.
recipe_rootfs() {
  local root=$1 pubkey=$2
  local args=(--variant="$variant" --include="$packages" --components=main)
  mmdebstrap "${args[@]}" "$suite" "$root" ${mirror:+"$mirror"}
  echo barco > "$root/etc/hostname"
  printf '127.0.0.1\tlocalhost\n127.0.1.1\tbarco\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$root/etc/hosts"
  # the qemu user network's NIC (and libvirt's), named eth0 by net.ifnames=0, by DHCP
  printf 'auto lo\niface lo inet loopback\n\nauto eth0\niface eth0 inet dhcp\n' > "$root/etc/network/interfaces"
  mkdir -p "$root/etc/default/grub.d"
  cat > "$root/etc/default/grub.d/barco.cfg" <<'EOF'
GRUB_TIMEOUT=1
GRUB_CMDLINE_LINUX="net.ifnames=0 console=tty0 console=ttyS0,115200n8"
GRUB_TERMINAL="console serial"
GRUB_SERIAL_COMMAND="serial --speed=115200"
EOF
  chroot "$root" useradd --create-home --shell /bin/bash --user-group vagrant
  chroot "$root" usermod --password '*' vagrant   # no password, not locked: ssh keys only
  printf 'vagrant ALL=(ALL) NOPASSWD: ALL\n' > "$root/etc/sudoers.d/vagrant"
  chmod 0440 "$root/etc/sudoers.d/vagrant"
  install -d -m 0700 "$root/home/vagrant/.ssh"
  install -m 0600 "$pubkey" "$root/home/vagrant/.ssh/authorized_keys"
  chroot "$root" chown -R vagrant:vagrant /home/vagrant/.ssh
  if [ ${#ca_files[@]} -gt 0 ]; then
    cp "${ca_files[@]}" "$root/usr/local/share/ca-certificates/"
    chroot "$root" update-ca-certificates >/dev/null
  fi
  # the image's machine-id is made at its first boot, each run's own
  : > "$root/etc/machine-id"
}

# A disk image $1 (raw, one bootable MBR partition at 1 MiB) holding directory $2 as ext4 $3 (UUID).
recipe_disk() {
  local disk=$1 root=$2 uuid=$3
  rm -f "$disk"
  truncate -s "${disk_size_mb}M" "$disk"
  printf 'label: dos\nstart=2048, type=83, bootable\n' | sfdisk -q "$disk"
  printf 'UUID=%s / ext4 errors=remount-ro 0 1\n' "$uuid" > "$root/etc/fstab"
  mke2fs -q -F -t ext4 -L barco-root -U "$uuid" -E offset=1048576 -d "$root" "$disk" "$((disk_size_mb - 1))M"
}

# Run in the first boot (direct kernel boot), as root: GRUB on the disk, from then on it boots alone.
recipe_first_boot='set -e
echo "grub-pc grub-pc/install_devices multiselect /dev/vda" | debconf-set-selections
grub-install /dev/vda
update-grub
apt-get clean
rm -rf /var/log/journal/* /var/lib/dhcp/*.leases
fstrim -a || true'

# ------------------------------------------------------------------------------------------------

key=$( {
  printf '%s\n' "$suite" "$variant" "$packages" "$disk_size_mb" "$mirror" "$recipe_first_boot"
  declare -f recipe_rootfs recipe_disk
  [ ${#ca_files[@]} -eq 0 ] || cat "${ca_files[@]}"
} | sha256sum | cut -c1-16)
image_dir=$cache_root/$key

work=
qemu_pid=
port=
build_part=
# shellcheck disable=SC2317 # the EXIT trap's
cleanup() {
  local status=$?
  stop_vm
  [ -z "$work" ] || rm -rf "$work"
  [ -z "$build_part" ] || rm -rf "$build_part"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

ssh_opts() {
  printf '%s\n' -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
    -o IdentitiesOnly=yes -o BatchMode=yes -o ServerAliveInterval=15 -o ServerAliveCountMax=8 \
    -i "$ssh_key" -p "$port"
}
# Runs a command as a waited-for background job: bash runs a trap only once its foreground child has
# ended, so a TERM during a long guest command (an ssh) would leave the VM running until it ended;
# `wait` is interrupted at once instead. stdin stays the script's (an async job would get /dev/null).
waited() {
  "$@" <&0 &
  wait "$!"
}
guest() {
  local opts
  mapfile -t opts < <(ssh_opts)
  # shellcheck disable=SC2029 # the command is the guest's, quoted for it by the caller
  ssh "${opts[@]}" vagrant@127.0.0.1 "$@"
}

# boot_vm DISK [KERNEL INITRD APPEND]: starts qemu in the background on DISK, ssh on a free port.
boot_vm() {
  local disk=$1 attempt
  local args=(-accel "$accel" -smp "$cpus" -m "$memory_mb" -nodefaults -display none -no-reboot
    -serial "file:$work/console.log" -device virtio-rng-pci
    -drive "file=$disk,if=virtio,format=qcow2,discard=unmap${drive_cache:+,cache=$drive_cache}")
  if [ $# -gt 1 ]; then args+=(-kernel "$2" -initrd "$3" -append "$4"); fi
  for attempt in 1 2 3 4 5; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
      echo $((20000 + RANDOM % 40000)))
    qemu-system-x86_64 "${args[@]}" \
      -netdev "user,id=net0,hostfwd=tcp:127.0.0.1:$port-:22" -device virtio-net-pci,netdev=net0 \
      </dev/null >"$work/qemu.log" 2>&1 &
    qemu_pid=$!
    sleep 1
    if kill -0 "$qemu_pid" 2>/dev/null; then return 0; fi
    wait "$qemu_pid" || true
    qemu_pid=
    grep -q 'hostfwd' "$work/qemu.log" || break   # not a port taken meanwhile: no use retrying
    say "port $port was taken, another (attempt $attempt)"
  done
  cat "$work/qemu.log" >&2
  fail "qemu did not start"
}

wait_ssh() {
  local deadline=$((SECONDS + boot_timeout))
  while ! guest -o ConnectTimeout=5 true 2>/dev/null; do
    if ! kill -0 "$qemu_pid" 2>/dev/null; then
      tail -n 40 "$work/console.log" >&2 || true
      fail "the VM stopped before ssh answered"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 40 "$work/console.log" >&2 || true
      fail "no ssh within ${boot_timeout}s (console above)"
    fi
    sleep 2
  done
}

# stop_vm [SECONDS]: with SECONDS, waits that long for the guest's own poweroff first.
stop_vm() {
  [ -n "$qemu_pid" ] || return 0
  local wait_s=${1:-0} i
  for ((i = 0; i < wait_s * 2; i++)); do
    kill -0 "$qemu_pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$qemu_pid" 2>/dev/null; then
    [ "$wait_s" -eq 0 ] || say "the VM did not power off within ${wait_s}s: stopping it"
    kill "$qemu_pid" 2>/dev/null || true
    for ((i = 0; i < 20; i++)); do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$qemu_pid" 2>/dev/null || true
  fi
  wait "$qemu_pid" 2>/dev/null || true
  qemu_pid=
}

# poweroff_vm: a clean shutdown (the disk is kept), within 120 s.
poweroff_vm() {
  guest 'sudo systemctl poweroff' >/dev/null 2>&1 || true
  stop_vm 120
}

build_image() {
  [ "$(id -u)" = 0 ] || fail "building the image needs root (mmdebstrap, a root file system's owners): run once with sudo"
  for tool in mmdebstrap sfdisk mke2fs; do
    command -v "$tool" >/dev/null || fail "$tool is missing: apt-get install mmdebstrap fdisk e2fsprogs"
  done
  local start part uuid kernel initrd
  start=$(now)
  say "building the Debian $suite image $key (mirror ${mirror:-the default of mmdebstrap})"
  part=$(mktemp -d "$cache_root/$key.part.XXXXXX")
  build_part=$part
  ssh-keygen -q -t ed25519 -N '' -C barco-debian-vm -f "$part/id_ed25519"
  recipe_rootfs "$part/root" "$part/id_ed25519.pub" > "$part/build.log" 2>&1 ||
    { tail -n 30 "$part/build.log" >&2; fail "mmdebstrap failed (above)"; }
  say "root file system: $(since "$start")"
  kernel=$(find "$part/root/boot" -name 'vmlinuz-*' | sort -V | tail -n 1)
  initrd=$(find "$part/root/boot" -name 'initrd.img-*' | sort -V | tail -n 1)
  if [ -z "$kernel" ] || [ -z "$initrd" ]; then fail "no kernel or initrd in the image's /boot"; fi
  cp "$kernel" "$part/vmlinuz"
  cp "$initrd" "$part/initrd.img"
  uuid=$(cat /proc/sys/kernel/random/uuid)
  recipe_disk "$part/disk.raw" "$part/root" "$uuid"
  rm -rf "$part/root"
  qemu-img convert -O qcow2 "$part/disk.raw" "$part/base.qcow2"
  rm -f "$part/disk.raw"
  say "disk: $(since "$start")"

  # First boot, the kernel given by qemu: install GRUB. Second boot, from the disk alone: it works.
  ssh_key=$part/id_ed25519
  work=$part
  drive_cache=writeback boot_vm "$part/base.qcow2" "$part/vmlinuz" "$part/initrd.img" \
    "root=UUID=$uuid ro net.ifnames=0 console=ttyS0,115200n8"
  wait_ssh
  say "first boot: ssh after $(since "$start")"
  guest "sudo sh -c $(printf %q "$recipe_first_boot")" > "$part/first-boot.log" 2>&1 ||
    { cat "$part/first-boot.log" >&2; fail "installing GRUB in the image failed (above)"; }
  poweroff_vm
  drive_cache=writeback boot_vm "$part/base.qcow2"
  wait_ssh
  guest 'systemctl is-system-running --wait; uname -r' > "$part/second-boot.log" 2>&1 || true
  say "booted from its own disk: $(tr '\n' ' ' < "$part/second-boot.log")"
  poweroff_vm
  rm -f "$part/vmlinuz" "$part/initrd.img" "$part"/*.log "$part/console.log" "$part/qemu.log"
  work=
  mv "$part" "$image_dir"
  build_part=
  say "image built in $(since "$start"): $image_dir ($(du -sh "$image_dir/base.qcow2" | cut -f1) on disk)"
}

mkdir -p "$cache_root"
# Runs of a built image share the lock and boot side by side; one build at a time holds it alone,
# and removes meanwhile the images of other keys and what dead runs left. (flock waits in the
# background: a TERM meanwhile ends the script at once.)
exec {lock_fd}>"$cache_root/.lock"
waited flock -s "$lock_fd"
for d in "$cache_root"/run.*; do
  pid=${d##*/run.}; pid=${pid%%.*}
  [ ! -e "$d" ] || kill -0 "$pid" 2>/dev/null || rm -rf "$d"   # a dead run's overlay
done
if [ ! -f "$image_dir/base.qcow2" ]; then
  waited flock "$lock_fd"
  for d in "$cache_root"/*; do
    [ -e "$d" ] || continue
    case "$(basename "$d")" in
      "$key" | run.*) ;;
      *) say "removing the outdated image $(basename "$d")"; rm -rf "$d" ;;
    esac
  done
  [ -f "$image_dir/base.qcow2" ] || build_image
  # shared from here on: runs may boot overlays of the same image side by side
  waited flock -s "$lock_fd"
fi
ssh_key=$image_dir/id_ed25519

[ "$mode" != build ] || exit 0

work=$(mktemp -d "$cache_root/run.$$.XXXXXX")
qemu-img create -q -f qcow2 -F qcow2 -b "$image_dir/base.qcow2" "$work/overlay.qcow2"

if [ "$mode" = box ]; then
  # vagrant-libvirt's box format; the disk also accepts Vagrant's well-known insecure key, which
  # `vagrant up` replaces with a key of its own (config.ssh.insert_key)
  insecure=$(find /usr/share/rubygems-integration /usr/lib/ruby /opt/vagrant/embedded/gems /usr/share/vagrant \
    -path '*/keys/vagrant.pub*' -type f 2>/dev/null | sort | head -n 1 || true)
  [ -n "$insecure" ] || fail "Vagrant's insecure public key (keys/vagrant.pub of vagrant) not found: install vagrant"
  start=$(now)
  drive_cache=unsafe boot_vm "$work/overlay.qcow2"
  wait_ssh
  guest 'cat >> ~/.ssh/authorized_keys' < "$insecure"
  poweroff_vm
  mkdir "$work/box"
  qemu-img convert -O qcow2 "$work/overlay.qcow2" "$work/box/box.img"
  size_gb=$(( (disk_size_mb + 1023) / 1024 ))
  printf '{"provider":"libvirt","format":"qcow2","virtual_size":%s}\n' "$size_gb" > "$work/box/metadata.json"
  cat > "$work/box/Vagrantfile" <<'EOF'
Vagrant.configure("2") do |config|
  config.vm.provider :libvirt do |libvirt|
    libvirt.disk_bus = "virtio"
  end
end
EOF
  tar -C "$work/box" -czf "$work/out.box" metadata.json Vagrantfile box.img
  mv "$work/out.box" "$box_out"
  say "box written in $(since "$start"): $box_out (add it with: vagrant box add --name debian/trixie64 $box_out)"
  exit 0
fi

start=$(now)
drive_cache=unsafe boot_vm "$work/overlay.qcow2"
wait_ssh
say "booted: ssh after $(since "$start") ($(guest 'uname -r'))"

step=$(now)
guest 'sudo install -d -o vagrant -g vagrant /vagrant'
mapfile -t opts < <(ssh_opts)
rsync -a --delete --copy-links --no-owner --no-group \
  --exclude .vagrant/ --exclude .git/ --exclude target/ \
  -e "ssh $(printf '%q ' "${opts[@]}")" "$project/" vagrant@127.0.0.1:/vagrant/ ||
  fail "copying the repository into the VM failed"
say "repository copied to /vagrant: $(since "$step")"

if [ "$provision" = 1 ]; then
  step=$(now)
  say "provisioning: sudo sh /vagrant/vagrant/provision.sh"
  if ! waited guest 'sudo sh /vagrant/vagrant/provision.sh' > "$work/provision.log" 2>&1; then
    tail -n 60 "$work/provision.log" >&2
    fail "vagrant/provision.sh failed in the VM (its output's end above)"
  fi
  say "provisioned: $(since "$step") ($(tail -n 1 "$work/provision.log"))"
fi

step=$(now)
tty=()
[ ! -t 0 ] || tty=(-t)
set +e
if [ ${#tty[@]} -eq 0 ]; then
  waited guest "$command"
else
  guest "${tty[@]}" "$command" # on a terminal, in the foreground: the user's ^C reaches ssh
fi
status=$?
set -e
say "command ended with status $status after $(since "$step")"
exit "$status"

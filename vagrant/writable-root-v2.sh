#!/usr/bin/env bash
# What a throwaway writable root (`barco --rw`) can do on Debian 12's Linux 6.1, in the cgroup v2 VM
# (run-in-vm.sh), whose own root is 9p and cannot be a writable root's lower layer: the rootfs is a
# small busybox tree on an ext4 disk image, as a user's rootfs on disk would be. Its overlay's upper
# layer is a tmpfs, which has the user.* xattrs overlayfs records removed directories in only from
# Linux 6.6: barco says so in one line, before the container runs, and this checks that it does,
# that files still behave, and prints what each change does there.
#   vagrant/writable-root-v2.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x barco ] || { echo "writable-root-v2: run from a checkout of barco" >&2; exit 2; }
# shellcheck disable=SC2016 # expanded in the VM
exec vagrant/run-in-vm.sh -- sh -c '
  set -e
  truncate -s 64M /tmp/disk.img
  /sbin/mke2fs -q -t ext4 /tmp/disk.img  # e2fsprogs, not the applet the VM shell prefers
  mkdir /tmp/mnt
  mount -o loop /tmp/disk.img /tmp/mnt
  r=/tmp/mnt/root
  mkdir -p "$r"/bin "$r"/usr "$r"/etc/full "$r"/etc/empty "$r"/etc/moved "$r"/tmp "$r"/proc "$r"/dev "$r"/sys "$r"/run
  echo lower > "$r"/etc/full/file
  echo lower > "$r"/etc/moved/file
  echo lower > "$r"/etc/plain
  cp /bin/busybox "$r"/bin/busybox
  for a in sh cat rm rmdir mkdir mv; do ln -s busybox "$r/bin/$a"; done
  set +e
  ./barco --rw -m "$r" -c /bin/sh -- -c "
    t() { if \"\$@\" 2>/tmp/e; then echo \"  ok      \$*\"; else echo \"  FAILED  \$* (\$(cat /tmp/e))\"; fi; }
    t sh -c \"echo new > /usr/new && cat /usr/new >/dev/null\"
    t sh -c \"echo more >> /etc/plain\"
    t rm /etc/plain
    t mkdir /usr/dir
    t rmdir /usr/dir
    t rmdir /etc/empty
    t rm /etc/full/file
    t rmdir /etc/full
    t mv /etc/moved /etc/renamed
  " 2>/tmp/stderr >/tmp/stdout
  status=$?
  echo "kernel $(uname -r); barco --rw exited $status; stderr:"
  sed "s/^/  /" /tmp/stderr
  echo "what each change did:"
  cat /tmp/stdout
  [ "$status" = 0 ] || exit 1
  grep -q "^barco: on Linux .* cannot remove or rename a directory that was there before it" /tmp/stderr ||
    { echo "writable-root-v2: barco did not say what its overlay cannot do on this kernel"; exit 1; }
  ! grep "^  FAILED" /tmp/stdout | grep -v -e "rmdir /etc/full" -e "mv /etc/moved" ||
    { echo "writable-root-v2: more failed than the removal and rename of directories of the rootfs"; exit 1; }
  [ "$(grep -c "^barco:" /tmp/stderr)" = 1 ] || { echo "writable-root-v2: barco said it more than once"; exit 1; }
  echo "writable-root-v2: passed"'

#!/bin/sh
# Builds the native launch helper with the system C compiler; called by Maven.
# usage: build-helper.sh SOURCE INCLUDE_DIR OUTPUT
# INCLUDE_DIR holds barco-wire.h, which the build generates from Java (io.barco.launch.WireHeader).
set -eu
src=$1 include=$2 out=$3
cc=${CC:-cc}
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "barco: no C compiler ('$cc') found; the launch helper is built from source. Install one: apt-get install gcc (Debian/Ubuntu), dnf install gcc (Fedora)" >&2
  exit 1
fi
if [ ! -f "$include/barco-wire.h" ]; then
  echo "barco: $include/barco-wire.h is missing: Maven generates it from Java before it builds the helper (mvn -pl barco-runtime process-classes)" >&2
  exit 1
fi
mkdir -p "$(dirname "$out")"
flags="-O2 -std=gnu11 -Wall -Wextra -Werror -D_FORTIFY_SOURCE=2 -fstack-protector-strong -I$include"
# Static when the C library allows it: no dynamic loader on every launch.
if ! "$cc" $flags -static -o "$out" "$src" 2>/dev/null; then
  "$cc" $flags -o "$out" "$src"
fi

#!/bin/sh
# Builds the native launch helper with the system C compiler; called by Maven.
# usage: build-helper.sh SOURCE OUTPUT
set -eu
src=$1 out=$2
cc=${CC:-cc}
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "barco: no C compiler ('$cc') found; the launch helper is built from source. Install one: apt-get install gcc (Debian/Ubuntu), dnf install gcc (Fedora)" >&2
  exit 1
fi
mkdir -p "$(dirname "$out")"
flags="-O2 -std=gnu11 -Wall -Wextra -Werror -D_FORTIFY_SOURCE=2 -fstack-protector-strong"
# Static when the C library allows it: no dynamic loader on every launch.
if ! "$cc" $flags -static -o "$out" "$src" 2>/dev/null; then
  "$cc" $flags -o "$out" "$src"
fi

#!/usr/bin/env bash
# make plugins-under-limit (issue 29): how many plugins one process holds, created one after the other
# (all kept alive) and each called once, under an address-space limit (`ulimit -v`, KiB) or, on the
# 32-bit hosts, the process's own 4 GiB. Prints one table row per measurement: the platform, the
# plugin, the limit and what tools/plugins-under-limit.c printed.
#   tools/plugins-under-limit.sh <x86-64 libextism.a> <i686 libextism.a> <armv7 libextism.a> <plugin dir> [upstream .so]
set -euo pipefail
lib64=$1 lib686=$2 libarm=$3 plugins=$4 ref=${5:-}
out=target/plugins-under-limit
mkdir -p "$out"
src=tools/plugins-under-limit.c
libs="-lpthread -ldl -lm"
cc -O2 -I. -o "$out/x86-64" "$src" "$lib64" $libs
i686-linux-gnu-gcc -O2 -I. -o "$out/i686" "$src" "$lib686" $libs
arm-linux-gnueabihf-gcc -O2 -I. -o "$out/armv7" "$src" "$libarm" $libs
run_i686="/usr/i686-linux-gnu/lib/ld-linux.so.2 --library-path /usr/i686-linux-gnu/lib"
run_armv7="qemu-arm -L /usr/arm-linux-gnueabihf"
code="$plugins/up_code.wasm count_vowels Hello"
echo_="$plugins/echo.wasm echo hi"

row() { # platform, plugin label, limit (KiB or -), command...
  local platform=$1 label=$2 limit=$3
  shift 3
  local said
  if [ "$limit" = - ]; then said=$("$@"); else said=$(ulimit -v "$limit"; "$@"); fi
  printf '| %s | %s | %s | %s |\n' "$platform" "$label" "$limit" "$said"
}

echo "| platform | plugin | ulimit -v (KiB) | result |"
echo "|---|---|---|---|"
row x86-64 up_code.wasm 3000000 "$out/x86-64" $code
row x86-64 up_code.wasm 8000000 "$out/x86-64" $code
row x86-64 echo.wasm 1048576 "$out/x86-64" $echo_ 100000
row i686 up_code.wasm 3000000 $run_i686 "$out/i686" $code
row i686 up_code.wasm - $run_i686 "$out/i686" $code
row i686 echo.wasm - $run_i686 "$out/i686" $echo_ 100000
row "armv7 (qemu-arm)" up_code.wasm - $run_armv7 "$out/armv7" $code
row "armv7 (qemu-arm)" echo.wasm - $run_armv7 "$out/armv7" $echo_ 100000
if [ -n "$ref" ]; then
  cc -O2 -Ictests/ref-include -o "$out/upstream" "$src" "$ref" -Wl,-rpath,"$(dirname "$ref")"
  row "x86-64, upstream 1.41" up_code.wasm 3000000 "$out/upstream" $code
  row "x86-64, upstream 1.41" up_code.wasm 8000000 "$out/upstream" $code
fi

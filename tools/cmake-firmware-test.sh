#!/usr/bin/env bash
# make firmware-cmake-test: the Cortex-M4F image of make firmware-test-arm built with CMake instead
# (firmware/cmake: the template a firmware team copies, and its toolchain file arm-none-eabi.cmake),
# from the same sources, linker script, no_std library and plugins that make built, then:
#  1. its sections are the size of make's image (firmware/build/arm/firmware.elf): the same flags, the
#     same objects in the same order, the same library;
#  2. it runs under QEMU as make firmware-test-arm runs its image, held to the same lines and exit
#     status (firmware/qemu-check.sh, firmware/expected-lines.txt);
#  3. a configure pointed at a missing library stops with an error naming the variable.
# The commands run from the repository's root, as docs/firmware.md ("Building with CMake") shows them.
# From the Makefile: FW_QEMU (the QEMU command of the arm board, before -kernel), FW_TIMEOUT, FW_SIZE.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${FW_QEMU:?FW_QEMU: the QEMU command line, from firmware/firmware.mk}"
FW_SIZE=${FW_SIZE:-arm-none-eabi-size}
build=firmware/build/cmake
make_elf=firmware/build/arm/firmware.elf

fail() { echo "firmware-cmake-test: FAIL: $*" >&2; exit 1; }
run() { echo "+ $*"; "$@"; }
command -v cmake >/dev/null || fail "cmake not found (tools/setup.sh installs it)"
[ -f "$make_elf" ] || fail "no $make_elf to compare with (make firmware builds it)"

# A fresh configure each time: what a team gets from a clean checkout.
rm -rf "$build"
run cmake -S firmware/cmake -B "$build" -DCMAKE_TOOLCHAIN_FILE="$PWD/firmware/cmake/arm-none-eabi.cmake" \
  -DEXTISM_STATIC_LIBRARY=target/nostd/thumbv7em-none-eabihf/firmware/libextism.a \
  -DEXTISM_INCLUDE_DIR=. -DEXTISM_FW_PLUGIN_DIR=firmware/build
run cmake --build "$build"
elf=$build/firmware.elf
[ -f "$elf" ] || fail "the build made no $elf"

# 1. The sections that go to flash and RAM, byte for byte as large as make's.
sections() { "$FW_SIZE" -A "$1" | awk '$1 ~ /^\.(text|ARM\.exidx|data|bss|heap|stack)/ { print $1, $2 }'; }
make_sections=$(sections "$make_elf")
cmake_sections=$(sections "$elf")
[ -n "$make_sections" ] || fail "no sections read from $make_elf"
if [ "$make_sections" != "$cmake_sections" ]; then
  diff <(echo "$make_sections") <(echo "$cmake_sections") | sed 's/^/  /' >&2 || true
  fail "the CMake image's sections differ from make's (< make, > CMake): the flags or objects drifted from firmware/firmware.mk"
fi
echo "firmware-cmake-test: sections as make's image:" $make_sections

# 2. The run, checked as make firmware-test-arm checks its own.
echo "+ $FW_QEMU -kernel $elf"
# shellcheck disable=SC2086 # FW_QEMU is a command line
FW_TIMEOUT=${FW_TIMEOUT:-120} firmware/qemu-check.sh cmake firmware-cmake-test "$build/run.log" \
  firmware/expected-lines.txt $FW_QEMU -kernel "$elf" || fail "the CMake image's run failed its checks"

# 3. A wrong library path is a configure error that says which variable to fix.
bad=$build/bad-config
if cmake -S firmware/cmake -B "$bad" -DCMAKE_TOOLCHAIN_FILE="$PWD/firmware/cmake/arm-none-eabi.cmake" \
  -DEXTISM_STATIC_LIBRARY=target/no-such/libextism.a -DEXTISM_INCLUDE_DIR=. \
  -DEXTISM_FW_PLUGIN_DIR=firmware/build >"$bad.log" 2>&1; then
  fail "a configure with a missing library succeeded"
fi
grep -q "EXTISM_STATIC_LIBRARY='.*/target/no-such/libextism.a' is not" "$bad.log" \
  || { cat "$bad.log" >&2; fail "the missing library's error does not name EXTISM_STATIC_LIBRARY"; }
echo "firmware-cmake-test: a missing library stops the configure: EXTISM_STATIC_LIBRARY named"
echo "firmware-cmake-test: passed"

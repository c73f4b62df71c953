#!/usr/bin/env bash
# Installs what building and testing need on a fresh Debian/Ubuntu machine (idempotent).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  clang lld wabt valgrind pkg-config make gcc libc6-dev python3-venv \
  wasi-libc libclang-rt-14-dev-wasm32 libclang-rt-14-dev cmake dpkg-dev lintian >/dev/null
# npm builds the AssemblyScript test plugins (ctests/plugins/as); python3 (+ venv, pip from PyPI) runs
# make test-python and fetches upstream's reference library. Keep a node that is already there.
command -v npm >/dev/null || $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
command -v python3 >/dev/null || $SUDO apt-get install -y -qq --no-install-recommends python3 >/dev/null
rustup target add wasm32-unknown-unknown wasm32-wasip1
# The bare-metal no_std builds of `make nostd` (tools/check-baremetal.sh skips a target it cannot get).
rustup target add thumbv7em-none-eabihf x86_64-unknown-none || echo "setup: bare-metal Rust targets unavailable; make nostd will skip them"
# make firmware-test (firmware/): bare-metal images for a Cortex-M4F and a RV32IMAC board, run under QEMU.
$SUDO apt-get install -y -qq --no-install-recommends gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm \
  gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf qemu-system-misc >/dev/null
rustup target add thumbv7em-none-eabihf riscv32imac-unknown-none-elf
command -v cbindgen >/dev/null || cargo install --locked cbindgen --version 0.29.4
# make fuzz (not part of make test) installs its own tools on first use: tools/fuzz.sh.
# make test-linux32 (tools/linux32.mk): the std library for 32-bit Linux, i686 run natively through the
# cross sysroot's loader, armv7 under qemu-arm.
$SUDO apt-get install -y -qq --no-install-recommends gcc-i686-linux-gnu libc6-dev-i386-cross \
  gcc-arm-linux-gnueabihf libc6-dev-armhf-cross qemu-user >/dev/null
rustup target add i686-unknown-linux-gnu armv7-unknown-linux-gnueabihf

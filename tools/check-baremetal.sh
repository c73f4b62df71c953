#!/usr/bin/env bash
# The no_std proof on machines without an OS: builds the core (release, --no-default-features) for
# bare-metal targets, which have no Rust std at all, and checks each archive's undefined symbols
# against the same short libc allowlist as tools/check-nostd.sh (plus compiler builtins).
# Features: NOSTD_FEATURES (default "toml wasi simd", every no_std feature) for each target, except the
# Cortex-M one, which is the firmware's own archive and takes FW_FEATURES (the Cortex-M4 image's set,
# FW_FEATURES_arm in firmware/firmware.mk; default none)
# and the firmware's build variables FW_BUILD_VARS ("NAME=value ...", from firmware/firmware.mk; the
# Makefile passes both, so that this archive is exactly the one `make firmware-test` links).
#
#   usage: tools/check-baremetal.sh [TARGET...]   (default: thumbv7em-none-eabihf x86_64-unknown-none)
#
# A target whose Rust standard library cannot be installed (`rustup target add` fails, e.g.
# offline) is reported as SKIPPED and the others still run; a build or symbol failure fails the
# script. Archives go to target/nostd/<target>/release/libextism.a (cargo rebuilds only what changed).
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here" || exit 2
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(thumbv7em-none-eabihf x86_64-unknown-none)
CARGO=${CARGO:-cargo}
NOSTD_FEATURES=${NOSTD_FEATURES-toml wasi simd}
FW_FEATURES=${FW_FEATURES-}
FW_BUILD_VARS=${FW_BUILD_VARS-}

allow='^(malloc|calloc|realloc|free|posix_memalign|aligned_alloc|abort|memcpy|memmove|memset|memcmp|bcmp|strlen|__.*)$'
failed=0
installed=$(rustup target list --installed 2>/dev/null || true)

for t in "${targets[@]}"; do
  if ! grep -qx "$t" <<<"$installed"; then
    if ! out=$(rustup target add "$t" 2>&1); then
      echo "bare-metal $t: SKIPPED: 'rustup target add $t' failed (no download?):"
      sed 's/^/    /' <<<"$out" | tail -3
      continue
    fi
  fi
  # sha2's assembly/intrinsics backends do not build for a kernel-style x86_64 target (LLVM aborts).
  var="CARGO_TARGET_$(tr 'a-z-' 'A-Z_' <<<"$t")_RUSTFLAGS"
  flags=""
  case "$t" in x86_64-unknown-none) flags='--cfg sha2_backend="soft"' ;; esac
  # The Cortex-M build is the firmware's own (make firmware-test links exactly this archive), so it
  # is built once: size-optimised, with the firmware's build variables.
  profile=release build_vars="" features=$NOSTD_FEATURES
  case "$t" in thumbv7em-none-eabihf) profile=firmware build_vars=$FW_BUILD_VARS features=$FW_FEATURES ;; esac
  features=$(echo $features | tr ' ' ',')
  # staticlib only: Cargo skips LTO when the crate types include rlib (see the Makefile's nostd rule).
  # shellcheck disable=SC2086 # build_vars: one word per NAME=value
  out=$(env "$var=${flags}" $build_vars "$CARGO" rustc --profile "$profile" -q \
        -p extism-runtime-c --lib --crate-type staticlib --no-default-features ${features:+--features "$features"} --target "$t" \
        --target-dir target/nostd 2>&1)
  status=$?
  lib=target/nostd/$t/$profile/libextism.a
  if [ $status != 0 ] || [ ! -f "$lib" ]; then
    echo "bare-metal $t: FAIL: the no_std build does not compile for this target:"
    grep -v "dropping unsupported crate type" <<<"$out" | sed 's/^/    /' | tail -30
    failed=1
    continue
  fi
  defined=$(nm --defined-only "$lib" 2>/dev/null | awk 'NF==3 {print $3}' | sort -u)
  undefined=$(nm -u "$lib" 2>/dev/null | awk '$1=="U" {print $2}' | sort -u)
  needed=$(comm -23 <(echo "$undefined") <(echo "$defined"))
  bad=$(echo "$needed" | grep -Ev "$allow" | grep -v '^$' || true)
  text=$(size -t "$lib" 2>/dev/null | awk '/TOTALS/ {print $1}')
  libc=$(echo "$needed" | grep -Ev '^(__|$)' | tr '\n' ' ')
  if [ -n "$bad" ]; then
    echo "bare-metal $t: FAIL: symbols outside the allowlist:" $bad
    failed=1
    continue
  fi
  echo "bare-metal $t: OK (features: ${features:-none}; libc symbols needed: ${libc% }; archive text ${text:-?} bytes before the final link)"
done
exit $failed

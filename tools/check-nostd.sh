#!/usr/bin/env bash
# Proves the no_std build has no Rust std and needs almost nothing from libc.
#   1. It was built with our own #[panic_handler]: std anywhere in the graph would have failed the
#      build with a duplicate `panic_impl` lang item (the Makefile builds it just before this runs).
#   2. `nm -u` of the archive, minus what the archive defines itself, is inside a short allowlist.
#   3. No crate in the no-default-features graph (with NOSTD_FEATURES, default "toml wasi simd": every
#      feature that works without std) has a feature named `std` switched on.
# usage: check-nostd.sh path/to/libextism.a
set -euo pipefail
lib=${1:?usage: check-nostd.sh libextism.a}
here=$(cd "$(dirname "$0")/.." && pwd)
cargo_features=$(echo ${NOSTD_FEATURES-toml wasi simd} | tr ' ' ',')

allow='^(malloc|calloc|realloc|free|posix_memalign|aligned_alloc|abort|memcpy|memmove|memset|memcmp|bcmp|strlen|_Unwind_Resume|__.*)$'
defined=$(nm --defined-only "$lib" 2>/dev/null | awk 'NF==3 {print $3}' | sort -u)
undefined=$(nm -u "$lib" 2>/dev/null | awk '$1=="U" {print $2}' | sort -u)
needed=$(comm -23 <(echo "$undefined") <(echo "$defined"))
bad=$(echo "$needed" | grep -Ev "$allow" | grep -v '^$' || true)
echo "no_std: libc symbols needed: $(echo "$needed" | grep -Ev '^__' | tr '\n' ' ')"
if [ -n "$bad" ]; then
  echo "no_std: FAIL: symbols outside the allowlist:" $bad
  exit 1
fi

features=$(cd "$here" && cargo tree -p extism-runtime-c --no-default-features ${cargo_features:+--features "$cargo_features"} -e normal --prefix none \
  --format '{p} [{f}]' 2>/dev/null | sort -u)
std_crates=$(echo "$features" | grep -E '\[([^]]*,)?std(,[^]]*)?\]' || true)
if [ -n "$std_crates" ]; then
  echo "no_std: FAIL: crates with the std feature on:"
  echo "$std_crates"
  exit 1
fi
echo "no_std: OK ($(echo "$features" | wc -l) crates, none with std; libc allowlist respected)"

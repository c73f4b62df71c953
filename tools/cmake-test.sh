#!/usr/bin/env bash
# The CMake package and subproject as a CMake user meets them (make cmake-test, part of make test):
#  1. `make install` into a temporary prefix; examples/cmake configured with find_package(extism CONFIG)
#     through CMAKE_PREFIX_PATH: each target (extism-shared, extism-static, extism) links a host that
#     runs a plugin; the shared one records the soname and loads the installed library; a request for
#     version 2 is refused, and the prefix moved elsewhere still works (paths are relative).
#  2. examples/cmake with add_subdirectory of this tree (the top-level CMakeLists.txt): the same hosts.
# Needs cmake; MAKE, CC, VERSION and SONAME come from the Makefile.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
MAKE=${MAKE:-make}
: "${VERSION:?}" "${SONAME:?}"
command -v cmake >/dev/null || { echo "cmake-test: FAIL: cmake not found (tools/setup.sh installs it)" >&2; exit 1; }
plugin=$here/ctests/build/plugins/c1.wasm
expect='{"count":3,"total":3,"vowels":"aeiouAEIOU"}'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "cmake-test: FAIL: $*" >&2; exit 1; }
ok() { echo "cmake-test: $*"; }

# Builds examples/cmake into $1 with the extra configure arguments, runs its three hosts.
build_and_run() {
  local build=$1; shift
  cmake -S examples/cmake -B "$build" -DCMAKE_BUILD_TYPE=Release "$@" >"$build.configure.log" 2>&1 \
    || { cat "$build.configure.log"; fail "configure failed: $*"; }
  cmake --build "$build" >"$build.build.log" 2>&1 || { cat "$build.build.log"; fail "build failed: $*"; }
  for host in host-shared host-static host; do
    out=$(env -u LD_LIBRARY_PATH "$build/$host" "$plugin" count_vowels "Hello, World!") \
      || fail "$host did not run ($*)"
    [ "$out" = "$expect" ] || fail "$host printed: $out"
  done
  readelf -d "$build/host-shared" | grep -q "(NEEDED) *Shared library: \[$SONAME\]" \
    || fail "host-shared does not record $SONAME"
  if readelf -d "$build/host-static" | grep -q 'Shared library: \[libextism'; then
    fail "host-static depends on a shared libextism"
  fi
}

# --- 1. installed package ----------------------------------------------------------------------
prefix=$tmp/prefix
$MAKE -s install PREFIX="$prefix" >/dev/null
build_and_run "$tmp/installed" -DCMAKE_PREFIX_PATH="$prefix"
env -u LD_LIBRARY_PATH ldd "$tmp/installed/host-shared" | grep -q "$SONAME => $prefix/lib/$SONAME" \
  || fail "host-shared does not load $prefix/lib/$SONAME"
grep -q "extism_DIR:PATH=$prefix/lib/cmake/extism" "$tmp/installed/CMakeCache.txt" \
  || fail "find_package did not take $prefix/lib/cmake/extism"
ok "find_package(extism CONFIG): extism-shared, extism-static, extism link and run ($expect)"

# A version this package cannot meet is refused with CMake's own message.
mkdir -p "$tmp/v2"
printf 'cmake_minimum_required(VERSION 3.18)\nproject(v LANGUAGES C)\nfind_package(extism 2 CONFIG REQUIRED)\n' \
  >"$tmp/v2/CMakeLists.txt"
if cmake -S "$tmp/v2" -B "$tmp/v2/build" -DCMAKE_PREFIX_PATH="$prefix" >"$tmp/v2.log" 2>&1; then
  fail "find_package(extism 2) was accepted"
fi
grep -q "$VERSION" "$tmp/v2.log" || { cat "$tmp/v2.log"; fail "the refusal does not name version $VERSION"; }
ok "find_package(extism 2) refused (the package is $VERSION)"

# The installed tree moved elsewhere: the package finds its files from its own place.
mv "$prefix" "$tmp/moved"
build_and_run "$tmp/relocated" -DCMAKE_PREFIX_PATH="$tmp/moved"
ok "a moved prefix still works"

# --- 2. add_subdirectory of this tree ------------------------------------------------------------
build_and_run "$tmp/subproject" -DEXTISM_SOURCE_DIR="$here"
ok "add_subdirectory: extism-shared, extism-static, extism link and run"

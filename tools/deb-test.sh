#!/usr/bin/env bash
# make deb-test (part of make test): builds the Debian packages (tools/deb.sh), checks them with lintian
# (no errors), installs them with dpkg, builds a C host against the system paths with pkg-config (shared
# and static) and with CMake (find_package(extism CONFIG), no prefix given), runs each, then purges the
# packages and checks that every file they installed is gone. Installing needs root (or sudo).
# MAKE, VERSION, SONAME come from the Makefile.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
: "${VERSION:?}" "${SONAME:?}"
SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "deb-test: FAIL: installing packages needs root or sudo" >&2; exit 1; }
  SUDO=sudo
fi
for tool in lintian cmake pkg-config; do
  command -v $tool >/dev/null || { echo "deb-test: FAIL: $tool not found (tools/setup.sh installs it)" >&2; exit 1; }
done
plugin=$here/ctests/build/plugins/c1.wasm
expect='{"count":3,"total":3,"vowels":"aeiouAEIOU"}'
tmp=$(mktemp -d)
fail() { echo "deb-test: FAIL: $*" >&2; exit 1; }
ok() { echo "deb-test: $*"; }

mapfile -t debs < <(OUT=$tmp/debs tools/deb.sh)
[ "${#debs[@]}" = 2 ] || fail "tools/deb.sh made ${#debs[@]} packages, not 2"
for deb in "${debs[@]}"; do ok "built $(basename "$deb")"; done

# lintian: errors fail the test (warnings and notes are printed only).
lintian --fail-on error --suppress-tags no-manual-page "${debs[@]}" >"$tmp/lintian.log" 2>&1 \
  || { cat "$tmp/lintian.log"; fail "lintian reports errors"; }
ok "lintian: no errors ($(grep -c '^W:' "$tmp/lintian.log" || true) warnings)"

dpkg -s libextism1 >/dev/null 2>&1 && fail "libextism1 is already installed on this machine; not touching it"
purge() { $SUDO dpkg --purge libextism-dev libextism1 >/dev/null 2>&1 || true; }
trap 'purge; rm -rf "$tmp"' EXIT
$SUDO dpkg -i "${debs[@]}" >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; fail "dpkg -i failed"; }
dpkg -L libextism1 libextism-dev | sort -u >"$tmp/files"
grep -q "/$SONAME\$" "$tmp/files" || fail "libextism1 does not install $SONAME"
ok "installed: $(grep -c . "$tmp/files") paths (dpkg -L)"

# pkg-config and the loader find the system copy with no help.
cp examples/host.c "$tmp/"
[ "$(pkg-config --modversion extism)" = "$VERSION" ] || fail "pkg-config --modversion extism"
# shellcheck disable=SC2046
cc -std=c99 -Wall -Wextra -Werror -o "$tmp/shared" "$tmp/host.c" $(pkg-config --cflags --libs extism)
# shellcheck disable=SC2046
cc -std=c99 -Wall -Wextra -Werror -o "$tmp/static" "$tmp/host.c" $(pkg-config --static --cflags --libs extism-static)
ldd "$tmp/shared" | grep -Eq "$SONAME => (/usr)?/lib/" || fail "the shared host does not load the system $SONAME"
for host in shared static; do
  out=$(env -u LD_LIBRARY_PATH "$tmp/$host" "$plugin" count_vowels "Hello, World!") || fail "$host host failed"
  [ "$out" = "$expect" ] || fail "$host host printed: $out"
done
ok "pkg-config extism / extism-static: hosts build against /usr and run"

mkdir -p "$tmp/examples" && cp -r examples/cmake "$tmp/examples/cmake"
cp examples/host.c "$tmp/examples/host.c"
cmake -S "$tmp/examples/cmake" -B "$tmp/cmake-build" >"$tmp/cmake.log" 2>&1 || { cat "$tmp/cmake.log"; fail "cmake configure"; }
cmake --build "$tmp/cmake-build" >>"$tmp/cmake.log" 2>&1 || { cat "$tmp/cmake.log"; fail "cmake build"; }
grep -q 'extism_DIR:PATH=/usr/lib/.*/cmake/extism' "$tmp/cmake-build/CMakeCache.txt" \
  || fail "CMake did not find the system package"
for host in host-shared host-static host; do
  out=$(env -u LD_LIBRARY_PATH "$tmp/cmake-build/$host" "$plugin" count_vowels "Hello, World!") || fail "$host failed"
  [ "$out" = "$expect" ] || fail "$host printed: $out"
done
ok "CMake find_package(extism CONFIG) from /usr: extism-shared, extism-static, extism run"

purge
while IFS= read -r f; do
  [ -d "$f" ] && continue
  [ -e "$f" ] || [ -L "$f" ] && fail "left behind after purge: $f"
done <"$tmp/files"
dpkg -s libextism1 >/dev/null 2>&1 && fail "libextism1 still installed"
ok "purged: nothing left behind"

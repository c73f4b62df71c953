#!/usr/bin/env bash
# `make install` as a C project meets it: install into a temporary prefix, check the files, the
# soname and the version links, build a C host there with pkg-config (package `extism`, shared; and
# `extism-static` with --static), run both, then `make uninstall` and check nothing of ours is left.
# Also installs once with DESTDIR (a staging root) and checks the .pc files name the real prefix.
# Run by `make install-test` (part of `make test`), which passes MAKE, CC, VERSION and SONAME.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
MAKE=${MAKE:-make}
CC=${CC:-cc}
: "${VERSION:?}" "${SONAME:?}"
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
plugin=$here/ctests/build/plugins/cf.wasm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
work=$tmp/work
mkdir -p "$work"

fail() { echo "install-test: FAIL: $*" >&2; exit 1; }
ok() { echo "install-test: $*"; }

# --- install into the prefix -----------------------------------------------------------------
$MAKE -s install PREFIX="$prefix" >/dev/null
lib=$prefix/lib
for f in include/extism.h lib/libextism.a "lib/libextism.so.$VERSION" lib/pkgconfig/extism.pc \
  lib/pkgconfig/extism-static.pc; do
  [ -f "$prefix/$f" ] && [ ! -L "$prefix/$f" ] || fail "missing file $f"
done
[ "$(readlink "$lib/$SONAME")" = "libextism.so.$VERSION" ] || fail "$SONAME is not a link to libextism.so.$VERSION"
[ "$(readlink "$lib/libextism.so")" = "libextism.so.$VERSION" ] || fail "libextism.so is not a link to libextism.so.$VERSION"
cmp -s extism.h "$prefix/include/extism.h" || fail "installed extism.h differs"
readelf -d "$lib/libextism.so.$VERSION" | grep "(SONAME) *Library soname: \[$SONAME\]" >/dev/null \
  || fail "libextism.so.$VERSION has no soname $SONAME"
ok "installed: include/extism.h, lib/libextism.{a,so.$VERSION}, $SONAME and libextism.so links, soname $SONAME"

# --- pkg-config: only our prefix is searched --------------------------------------------------
export PKG_CONFIG_LIBDIR=$lib/pkgconfig PKG_CONFIG_PATH=
[ "$($PKG_CONFIG --modversion extism)" = "$VERSION" ] || fail "pkg-config --modversion extism"
[ "$($PKG_CONFIG --modversion extism-static)" = "$VERSION" ] || fail "pkg-config --modversion extism-static"
[ "$($PKG_CONFIG --variable=libdir extism)" = "$lib" ] || fail "extism.pc libdir"
shared_flags=$($PKG_CONFIG --cflags --libs extism)
static_flags=$($PKG_CONFIG --static --cflags --libs extism-static)
ok "pkg-config --cflags --libs extism: $shared_flags"
ok "pkg-config --static --cflags --libs extism-static: $static_flags"

# The host is compiled from a copy outside the source tree, so only the installed header is seen.
cp examples/dropin.c "$work/"
expect='{"count": 3}'

# shared: found through LD_LIBRARY_PATH, and through an rpath to pkg-config's libdir
# shellcheck disable=SC2086
$CC -std=c99 -Wall -Wextra -Werror -o "$work/shared" "$work/dropin.c" $shared_flags
readelf -d "$work/shared" | grep "(NEEDED) *Shared library: \[$SONAME\]" >/dev/null \
  || fail "the shared build does not record $SONAME"
LD_LIBRARY_PATH=$lib ldd "$work/shared" | grep "$SONAME => $lib/$SONAME" >/dev/null \
  || fail "the shared build does not load $lib/$SONAME"
out=$(LD_LIBRARY_PATH=$lib "$work/shared" "$plugin" "Hello, World!" 2>/dev/null) || fail "shared build failed"
grep -qxF "$expect" <<<"$out" || fail "shared build printed: $out"
# shellcheck disable=SC2086
$CC -std=c99 -Wall -Wextra -Werror -o "$work/shared-rpath" "$work/dropin.c" $shared_flags \
  "-Wl,-rpath,$($PKG_CONFIG --variable=libdir extism)"
out=$(env -u LD_LIBRARY_PATH "$work/shared-rpath" "$plugin" "Hello, World!" 2>/dev/null) || fail "rpath build failed"
grep -qxF "$expect" <<<"$out" || fail "rpath build printed: $out"
ok "shared build (NEEDED $SONAME; LD_LIBRARY_PATH and rpath) runs: $expect"

# static: nothing of libextism is needed at run time
# shellcheck disable=SC2086
$CC -std=c99 -Wall -Wextra -Werror -o "$work/static" "$work/dropin.c" $static_flags
if readelf -d "$work/static" | grep 'Shared library: \[libextism' >/dev/null; then
  fail "the static build depends on a shared libextism"
fi
out=$(env -u LD_LIBRARY_PATH "$work/static" "$plugin" "Hello, World!" 2>/dev/null) || fail "static build failed"
grep -qxF "$expect" <<<"$out" || fail "static build printed: $out"
ok "static build (no libextism.so needed) runs: $expect"

# --- uninstall: the prefix keeps directories only ---------------------------------------------
$MAKE -s uninstall PREFIX="$prefix" >/dev/null
left=$(find "$prefix" ! -type d)
[ -z "$left" ] || fail "left after uninstall: $left"
ok "uninstall removed every installed file"

# --- DESTDIR: staged under a root, .pc files name the final prefix ---------------------------
stage=$tmp/stage
$MAKE -s install DESTDIR="$stage" PREFIX=/opt/extism >/dev/null
[ -f "$stage/opt/extism/lib/libextism.so.$VERSION" ] || fail "DESTDIR install misplaced"
grep -qx 'prefix=/opt/extism' "$stage/opt/extism/lib/pkgconfig/extism.pc" || fail "DESTDIR leaked into extism.pc"
[ "$(PKG_CONFIG_LIBDIR=$stage/opt/extism/lib/pkgconfig $PKG_CONFIG --variable=libdir extism-static)" = /opt/extism/lib ] \
  || fail "DESTDIR leaked into extism-static.pc"
$MAKE -s uninstall DESTDIR="$stage" PREFIX=/opt/extism >/dev/null
left=$(find "$stage" ! -type d)
[ -z "$left" ] || fail "left after DESTDIR uninstall: $left"
ok "DESTDIR install and uninstall OK"
echo "install-test: all passed"

#!/usr/bin/env bash
# make deb: the Debian packages libextism1 (the shared library, soname libextism.so.1) and libextism-dev
# (header, static library, libextism.so link, pkg-config and CMake files), built with dpkg-deb from a
# `make install DESTDIR=...` stage into the distribution's paths (/usr, multiarch libdir). Control files:
# debian/*.control.in; the library's dependencies come from dpkg-shlibdeps. Prints the two .deb paths.
# MAKE, VERSION, SONAME come from the Makefile; OUT (default target/deb) is where the packages go.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
MAKE=${MAKE:-make}
: "${VERSION:?}" "${SONAME:?}"
OUT=${OUT:-$here/target/deb}
# Who a site's packages name as maintainer (the control files and the changelog entry).
DEB_MAINTAINER=${DEB_MAINTAINER:-libextism-on-wasmi developers <libextism-wasmi@example.org>}
for tool in dpkg-deb dpkg-architecture dpkg-shlibdeps; do
  command -v $tool >/dev/null || { echo "deb: $tool not found (Debian's dpkg-dev; tools/setup.sh installs it)" >&2; exit 1; }
done
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
release=$(sed -n 's/^pub const RELEASE_CSTR: &\[u8\] = b"\([0-9.]*\)\\0";/\1/p' src/config.rs)
[ -n "$release" ] || { echo "deb: no RELEASE_CSTR in src/config.rs" >&2; exit 1; }
# The upstream API level first (what extism_version says), then our own release.
debversion="$VERSION+wasmi$release-1"
libdir=usr/lib/$multiarch

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage=$work/stage
$MAKE -s install DESTDIR="$stage" PREFIX=/usr INSTALL_LIBDIR="/$libdir" >/dev/null

# Each package's tree: the files it owns, moved out of the stage, and its doc directory.
lib=$work/libextism1
dev=$work/libextism-dev
mkdir -p "$lib/$libdir" "$dev/$libdir" "$dev/usr"
mv "$stage/$libdir/libextism.so.$VERSION" "$stage/$libdir/$SONAME" "$lib/$libdir/"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$lib/$libdir/libextism.so.$VERSION"
chmod 644 "$lib/$libdir/libextism.so.$VERSION"
mv "$stage/usr/include" "$dev/usr/"
mv "$stage/$libdir/libextism.a" "$stage/$libdir/libextism.so" "$stage/$libdir/pkgconfig" "$stage/$libdir/cmake" \
  "$dev/$libdir/"
left=$(find "$stage" ! -type d)
[ -z "$left" ] || { echo "deb: files in no package: $left" >&2; exit 1; }
for pkg in libextism1 libextism-dev; do
  doc=$work/$pkg/usr/share/doc/$pkg
  mkdir -p "$doc"
  install -m 644 debian/copyright "$doc/copyright"
  printf 'libextism-wasmi (%s) unstable; urgency=medium\n\n  * Built from the source tree by make deb.\n\n -- %s  %s\n' \
    "$debversion" "$DEB_MAINTAINER" "$(date -R -d @"${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")" \
    | gzip -9n >"$doc/changelog.Debian.gz"
done

# The shared library's dependencies (libc, libgcc), as dpkg-shlibdeps finds them.
mkdir -p "$work/shlibs/debian"
printf 'Source: libextism-wasmi\n\nPackage: libextism1\nArchitecture: any\n' >"$work/shlibs/debian/control"
depends=$(cd "$work/shlibs" && dpkg-shlibdeps -O -e"$lib/$libdir/libextism.so.$VERSION" 2>/dev/null \
  | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

mkdir -p "$OUT"
for pkg in libextism1 libextism-dev; do
  root=$work/$pkg
  mkdir -p "$root/DEBIAN"
  size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
  sed -e "s|@DEBVERSION@|$debversion|" -e "s|@ARCH@|$arch|" -e "s|@SIZE@|$size|" -e "s|@DEPENDS@|$depends|" \
    -e "s|@MAINTAINER@|$DEB_MAINTAINER|" \
    "debian/$pkg.control.in" >"$root/DEBIAN/control"
  (cd "$root" && find usr -type f -exec md5sum {} + | sort -k2) >"$root/DEBIAN/md5sums"
  chmod 644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
done
# The shared library's package: its shlibs entry (what packages built against it depend on) and the
# ldconfig trigger.
printf 'libextism %s libextism1 (>= %s)\n' "${SONAME##*.so.}" "$debversion" >"$lib/DEBIAN/shlibs"
printf 'activate-noawait ldconfig\n' >"$lib/DEBIAN/triggers"
chmod 644 "$lib/DEBIAN/shlibs" "$lib/DEBIAN/triggers"
find "$work/libextism1" "$work/libextism-dev" -type d -exec chmod 755 {} +

for pkg in libextism1 libextism-dev; do
  deb=$OUT/${pkg}_${debversion}_$arch.deb
  dpkg-deb --root-owner-group -Zxz --build "$work/$pkg" "$deb" >/dev/null
  echo "$deb"
done

#!/usr/bin/env bash
# Header drift check: the hand-written extism.h against the Rust exports (and optionally a built library).
#
#   usage: tools/check-header.sh [LIBRARY]
#
# 1. extism.h must compile on its own as C99 and as C++11 (-Wall -Wextra -Wpedantic -Werror).
# 2. cbindgen (config tools/cbindgen.toml) renders the crate's `#[no_mangle] pub extern "C"` functions as C
#    prototypes. Items the crate imports (`extern "C" { fn malloc(..); }`) and every name not starting with
#    `extism_` are dropped, and so are all generated type definitions. The remaining prototypes are compiled
#    after `#include "extism.h"` with `-std=c99 -fsyntax-only -Werror`: a Rust signature that differs from
#    the header (a missing const, another integer width, ...) is a "conflicting types" error.
# 3. The function names must agree both ways: every function declared in extism.h must be exported by the
#    crate, and every extism_* export must be declared in extism.h.
# 4. With LIBRARY (a libextism.a or libextism.so), every function of extism.h must be a defined symbol of it
#    (`nm -g --defined-only`), and it must define no extism_* symbol the header lacks.
#
# Environment: EXTISM_CRATE_DIR (crate to check; default: the repository root), CBINDGEN (default: cbindgen
# on PATH, else ~/.cargo/bin/cbindgen), CC (default gcc), CXX (default g++; the C++ check is skipped when it
# is missing), KEEP_TMP=1 (keep the work directory and print its path).
#
# Exit status: 0 all checks passed, 1 drift found, 2 the check could not run (missing tool or file).
set -uo pipefail
export LC_ALL=C   # plain ASCII compiler messages, so that they can be parsed below

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
crate_dir=${EXTISM_CRATE_DIR:-$root}
header=$root/extism.h
config=$root/tools/cbindgen.toml
library=${1:-}
CC=${CC:-gcc}
CXX=${CXX:-g++}

say() { printf 'check-header: %s\n' "$*"; }
die() { say "ERROR: $*" >&2; exit 2; }
indent() { sed 's/^/    /'; }

# ---- tools and inputs -------------------------------------------------------------------------------------
if [ -n "${CBINDGEN:-}" ]; then
  cbindgen=$CBINDGEN
elif command -v cbindgen >/dev/null 2>&1; then
  cbindgen=$(command -v cbindgen)
elif [ -x "$HOME/.cargo/bin/cbindgen" ]; then
  cbindgen=$HOME/.cargo/bin/cbindgen
else
  die "cbindgen not found (install it with 'cargo install cbindgen' or set CBINDGEN)"
fi
command -v "$CC" >/dev/null 2>&1 || die "C compiler '$CC' not found (set CC)"
[ -f "$header" ] || die "no header at $header"
[ -f "$config" ] || die "no cbindgen config at $config"
[ -f "$crate_dir/Cargo.toml" ] || die "no crate at $crate_dir (Cargo.toml missing)"
if [ -n "$library" ]; then
  [ -f "$library" ] || die "library '$library' does not exist"
  command -v nm >/dev/null 2>&1 || die "nm not found (binutils), needed to check '$library'"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/check-header.XXXXXX") || die "mktemp failed"
if [ "${KEEP_TMP:-0}" = 1 ]; then
  say "work files kept in $work"
else
  trap 'rm -rf "$work"' EXIT
fi

failed=0
fail() { say "FAIL: $*" >&2; failed=1; }

# ---- 1. the header compiles on its own, as C99 and C++11 ------------------------------------------------
printf '#include "extism.h"\n' >"$work/include_only.c"
if ! "$CC" -std=c99 -Wall -Wextra -Wpedantic -Werror -fsyntax-only -I"$root" \
      -aux-info "$work/header.aux" "$work/include_only.c" >"$work/cc.log" 2>&1; then
  say "FAIL: extism.h does not compile as C99 ($CC -std=c99 -Wall -Wextra -Wpedantic -Werror):" >&2
  indent <"$work/cc.log" >&2
  exit 1
fi
if command -v "$CXX" >/dev/null 2>&1; then
  cp "$work/include_only.c" "$work/include_only.cpp"
  if ! "$CXX" -std=c++11 -Wall -Wextra -Wpedantic -Werror -fsyntax-only -I"$root" \
        "$work/include_only.cpp" >"$work/cxx.log" 2>&1; then
    fail "extism.h does not compile as C++11 ($CXX -std=c++11 -Wall -Wextra -Wpedantic -Werror):"
    indent <"$work/cxx.log" >&2
  fi
else
  say "note: C++ compiler '$CXX' not found, C++11 check skipped"
fi

# Functions declared by the header: gcc's -aux-info lists every declared function, one per line
# (`/* file:line:NC */ extern const char *extism_version (void);`), whatever the formatting of the header.
awk 'match($0, /[ *]extism_[A-Za-z0-9_]+ \(/) { s = substr($0, RSTART + 1, RLENGTH - 1); sub(/ \($/, "", s); print s }' \
  "$work/header.aux" | sort -u >"$work/header.names"
n_header=$(wc -l <"$work/header.names")
[ "$n_header" -gt 0 ] || die "found no extism_* function in $header (gcc -aux-info gave nothing)"

# ---- 2. the Rust exports, rendered by cbindgen, against the header -----------------------------------------
if ! "$cbindgen" --quiet --config "$config" --lang c --output "$work/generated.h" "$crate_dir" \
      >"$work/cbindgen.log" 2>&1; then
  say "ERROR: cbindgen failed on $crate_dir:" >&2
  indent <"$work/cbindgen.log" >&2
  exit 2
fi

# One prototype per line (tools/cbindgen.toml asks for that). Keep `extism_*` functions only; drop imported
# items (cbindgen prints them with `extern`), typedefs and preprocessor lines.
grep -E '^[A-Za-z_].*[ *]extism_[A-Za-z0-9_]+\(.*\);[[:space:]]*$' "$work/generated.h" \
  | grep -Ev '^(extern|typedef|static)[[:space:]]' >"$work/prototypes.h" || true
awk 'match($0, /[ *]extism_[A-Za-z0-9_]+\(/) { s = substr($0, RSTART + 1, RLENGTH - 2); print s }' \
  "$work/prototypes.h" | sort -u >"$work/rust.names"
n_rust=$(wc -l <"$work/rust.names")

if [ "$n_rust" -eq 0 ]; then
  fail "cbindgen found no extism_* export in $crate_dir (functions must be '#[no_mangle] pub extern \"C\"' or '#[unsafe(no_mangle)]')"
else
  {
    printf '/* tools/check-header.sh: extism.h, then the prototypes cbindgen generated from the Rust exports. */\n'
    printf '#include "extism.h"\n\n'
    cat "$work/prototypes.h"
  } >"$work/check.c"
  if ! "$CC" -std=c99 -fsyntax-only -Werror -I"$root" "$work/check.c" >"$work/check.log" 2>&1; then
    conflicts=$(grep -oE "conflicting types for '[A-Za-z0-9_]+'" "$work/check.log" | sed -E "s/.*'(.*)'/\1/" | sort -u)
    if [ -n "$conflicts" ]; then
      fail "Rust signatures differ from extism.h for:"
      printf '%s\n' "$conflicts" | indent >&2
    fi
    if grep -v "conflicting types for" "$work/check.log" | grep -q "error:"; then
      fail "the Rust prototypes do not compile after extism.h (e.g. a type the header does not define; see below)"
    fi
    say "compiler output (left: the prototype cbindgen made from Rust; 'previous declaration': extism.h):" >&2
    indent <"$work/check.log" >&2
  fi
fi

# A C caller may pass any byte where the header says `bool` (a binding declaring it uint8_t, JNA's 0xFF);
# a Rust `bool` holding another byte is undefined behaviour. So every flag C passes in is a `CBool`: render
# the exports again without the CBool -> bool rename and fail on `bool` in an extism_* function's
# parameters or as the result of a callback type (which the host's function returns to us).
grep -v '^"CBool" = "bool"$' "$config" >"$work/no-cbool.toml"
if "$cbindgen" --quiet --config "$work/no-cbool.toml" --lang c --output "$work/no-cbool.h" "$crate_dir" \
    >>"$work/cbindgen.log" 2>&1; then
  bool_args=$(grep -E '[ *]extism_[A-Za-z0-9_]+\(.*\bbool\b.*\);' "$work/no-cbool.h" \
    | grep -Ev '^(extern|typedef|static)[[:space:]]' | sed -E 's/.*[ *](extism_[A-Za-z0-9_]+)\(.*/\1/')
  bool_callbacks=$(grep -E '^typedef bool \(\*' "$work/no-cbool.h" || true)
  if [ -n "$bool_args" ] || [ -n "$bool_callbacks" ]; then
    fail "a Rust bool taken from C (use capi::types::CBool, nonzero = true):"
    printf '%s\n' $bool_args "$bool_callbacks" | grep -v '^$' | indent >&2
  fi
  grep -q 'CBool' "$work/no-cbool.h" || fail "the CBool check found no CBool: tools/cbindgen.toml's rename line changed?"
else
  fail "cbindgen failed rendering the exports without the CBool rename"
fi

missing=$(comm -23 "$work/header.names" "$work/rust.names")
if [ -n "$missing" ]; then
  fail "declared in extism.h but not exported by the crate ($(printf '%s\n' "$missing" | wc -l)):"
  printf '%s\n' "$missing" | indent >&2
fi
undeclared=$(comm -13 "$work/header.names" "$work/rust.names")
if [ -n "$undeclared" ]; then
  fail "exported by the crate but not declared in extism.h ($(printf '%s\n' "$undeclared" | wc -l)):"
  printf '%s\n' "$undeclared" | indent >&2
fi

# ---- 3. the built library ---------------------------------------------------------------------------------
if [ -n "$library" ]; then
  { nm -g --defined-only "$library" 2>/dev/null; nm -D --defined-only "$library" 2>/dev/null; } \
    | awk 'NF >= 2 && $(NF - 1) ~ /^[A-Za-z]$/ { print $NF }' \
    | sed -E 's/^_(extism_)/\1/; s/@.*$//' | grep -E '^extism_' | sort -u >"$work/library.names" || true
  lib_missing=$(comm -23 "$work/header.names" "$work/library.names")
  if [ -n "$lib_missing" ]; then
    fail "declared in extism.h but not defined in $library ($(printf '%s\n' "$lib_missing" | wc -l)):"
    printf '%s\n' "$lib_missing" | indent >&2
  fi
  lib_extra=$(comm -13 "$work/header.names" "$work/library.names")
  if [ -n "$lib_extra" ]; then
    fail "defined in $library but not declared in extism.h ($(printf '%s\n' "$lib_extra" | wc -l)):"
    printf '%s\n' "$lib_extra" | indent >&2
  fi
fi

if [ "$failed" -ne 0 ]; then
  say "header drift found: fix extism.h or the Rust exports" >&2
  exit 1
fi
say "OK: extism.h declares $n_header functions; $n_rust Rust exports match them${library:+; $library defines them all}"
exit 0

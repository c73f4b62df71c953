#!/usr/bin/env bash
# Upstream Extism's own runtime, for the differential runs (make test-reference, make examples-reference,
# the Python suite's reference run): the libextism inside PyPI's `extism-sys` wheel, installed into a
# private virtualenv. Prints the absolute path of that shared library, which exports the whole
# extism_* C API.
#   usage: tools/reference-libextism.sh [VENV_DIR]
#   VENV_DIR defaults to $EXTISM_REFERENCE_VENV, else ~/.cache/extism-reference-<version>;
#   EXTISM_SYS_VERSION overrides the version (default 1.41.0, the one the suite is checked against).
set -euo pipefail
version=${EXTISM_SYS_VERSION:-1.41.0}
venv=${1:-${EXTISM_REFERENCE_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/extism-reference-$version}}
py=${PYTHON:-python3}
if [ ! -x "$venv/bin/python" ]; then
  "$py" -m venv "$venv" >&2
fi
# Reinstall when the venv holds another version (or none).
if ! "$venv/bin/python" - "$version" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
sys.exit(0 if version("extism-sys") == sys.argv[1] else 1)
PY
then
  "$venv/bin/pip" install -q --disable-pip-version-check "extism-sys==$version" >&2
fi
"$venv/bin/python" - <<'PY'
import os, extism_sys
d = os.path.dirname(extism_sys.__file__)
libs = sorted(f for f in os.listdir(d) if f.endswith(".so"))
if not libs:
    raise SystemExit("no shared library found in " + d)
print(os.path.join(d, libs[0]))
PY

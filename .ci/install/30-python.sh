#!/usr/bin/env bash
# The Python suite (mk/python.mk) installs its own tools into a venv from PyPI; all it needs from
# the machine is a CPython 3.9+ with venv and pip, which the CI image has. Check, don't install.
set -euo pipefail
PYTHON=${PYTHON:-python3}
"$PYTHON" - <<'PY'
import sys, venv, ensurepip  # noqa: F401  (venv needs ensurepip to bootstrap pip)
assert sys.version_info >= (3, 9), f"Python 3.9+ needed, found {sys.version}"
print(f"python {sys.version.split()[0]} with venv and pip: ok")
PY

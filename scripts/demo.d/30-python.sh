#!/usr/bin/env bash
# make demo: the Python example (examples/python/main.py, module blooio_native) against the
# running emulator, with the venv that `make python-install` sets up (mk/python.mk).
set -euo pipefail
TARGET_DIR=${CARGO_TARGET_DIR:-$(dirname "${BIN_DIR:-target/debug}")}
PY=$TARGET_DIR/venv/bin/python
[ -x "$PY" ] || { echo "demo: $PY is missing (make python-install)" >&2; exit 1; }
echo "\$ python examples/python/main.py ${CHAT:-+15551234567} ${IMAGE:-examples/assets/sample.png}"
"$PY" examples/python/main.py "${CHAT:-+15551234567}" "${IMAGE:-examples/assets/sample.png}"

#!/usr/bin/env bash
# make demo: the C example (examples/c, built by `make examples-c`) against the running emulator.
set -euo pipefail
TARGET_DIR=${CARGO_TARGET_DIR:-$(dirname "${BIN_DIR:-target/debug}")}
EXAMPLE=$TARGET_DIR/ffi/examples/blooio-example-c
[ -x "$EXAMPLE" ] || { echo "demo: $EXAMPLE is not built (make examples-c)" >&2; exit 1; }
echo "\$ blooio-example-c ${CHAT:-+15551234567} ${IMAGE:-examples/assets/sample.png}"
"$EXAMPLE" "${CHAT:-+15551234567}" "${IMAGE:-examples/assets/sample.png}"

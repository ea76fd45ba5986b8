#!/usr/bin/env bash
# make demo: the Node example (examples/node/main.js: koffi loading libblooio) against the
# running emulator.
set -euo pipefail
TARGET_DIR=${CARGO_TARGET_DIR:-$(dirname "${BIN_DIR:-target/debug}")}
export BLOOIO_LIB=${BLOOIO_LIB:-$TARGET_DIR/ffi/lib/libblooio.so}
[ -d bindings/node/node_modules/koffi ] || { echo "demo: koffi is not installed (make node-deps)" >&2; exit 1; }
echo "\$ node examples/node/main.js ${CHAT:-+15551234567} ${IMAGE:-examples/assets/sample.png}"
node examples/node/main.js "${CHAT:-+15551234567}" "${IMAGE:-examples/assets/sample.png}"

#!/usr/bin/env bash
# make demo: the Go example (examples/go: cgo linking libblooio, built by `make examples-go`)
# against the running emulator.
set -euo pipefail
EXAMPLE=${BIN_DIR:-target/debug}/blooio-example-go
[ -x "$EXAMPLE" ] || { echo "demo: $EXAMPLE is not built (make examples-go)" >&2; exit 1; }
echo "\$ blooio-example-go ${CHAT:-+15551234567} ${IMAGE:-examples/assets/sample.png}"
"$EXAMPLE" "${CHAT:-+15551234567}" "${IMAGE:-examples/assets/sample.png}"

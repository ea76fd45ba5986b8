#!/usr/bin/env bash
# The main job: start the bundled emulator on a free loopback port, set a background from the
# sample image, read it back, print both, stop the emulator. No account, no network.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN_DIR=${BIN_DIR:-${CARGO_TARGET_DIR:-target}/debug}
IMAGE=${IMAGE:-examples/assets/sample.png}
CHAT=${CHAT:-+15551234567}
export BLOOIO_API_KEY=bl_demo_key

# The emulator exits when its stdin closes, so it cannot outlive this script.
exec 3> >("$BIN_DIR/blooio-emulator" --listen 127.0.0.1:0 --api-key "$BLOOIO_API_KEY" \
    --exit-on-stdin-eof > "${TMPDIR:-/tmp}/blooio-demo-url.$$" 2>/dev/null)
for _ in $(seq 100); do
    [ -s "${TMPDIR:-/tmp}/blooio-demo-url.$$" ] && break
    sleep 0.05
done
BLOOIO_BASE_URL=$(head -n1 "${TMPDIR:-/tmp}/blooio-demo-url.$$")
rm -f "${TMPDIR:-/tmp}/blooio-demo-url.$$"
[ -n "$BLOOIO_BASE_URL" ] || { echo "demo: the emulator did not start" >&2; exit 1; }
export BLOOIO_BASE_URL
echo "== emulator listening at $BLOOIO_BASE_URL"

echo "== cli: blooio background set $CHAT $IMAGE"
"$BIN_DIR/blooio" background set "$CHAT" "$IMAGE"
echo "== cli: blooio background get $CHAT"
"$BIN_DIR/blooio" background get "$CHAT"

for step in scripts/demo.d/*.sh; do
    [ -e "$step" ] || continue
    echo "== $(basename "$step" .sh)"
    bash "$step"
done
exec 3>&-
echo "== demo done"

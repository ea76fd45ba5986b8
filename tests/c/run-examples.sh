#!/usr/bin/env bash
# Runs the C and C++ examples once against the emulator (run through run-with-emulator.sh):
# each must set a background, read it back, and print both as JSON.
set -euo pipefail
dir=${1:?usage: run-examples.sh EXAMPLES_DIR}
image=$(mktemp "${TMPDIR:-/tmp}/blooio-example.XXXXXX")
trap 'rm -f "$image"' EXIT
printf '\x89PNG\r\n\x1a\n%s' "example image bytes" >"$image"

export BLOOIO_API_KEY="$BLOOIO_TEST_API_KEY" BLOOIO_BASE_URL="$BLOOIO_TEST_BASE_URL"
for example in blooio-example-c blooio-example-cpp; do
    out=$("$dir/$example" "+15557654321" "$image")
    echo "$example: $out"
    grep -q '^set: {.*"changed":' <<<"$out" || { echo "$example: no set line" >&2; exit 1; }
    grep -q '^get: {.*"has_background":true' <<<"$out" || { echo "$example: no get line" >&2; exit 1; }
done
# A usage error and a failed call give their documented exit codes.
set +e
"$dir/blooio-example-c" >/dev/null 2>&1; [ $? -eq 2 ] || { echo "usage exit code" >&2; exit 1; }
"$dir/blooio-example-c" "+1 bad" "$image" >/dev/null 2>&1; [ $? -eq 1 ] || { echo "error exit code" >&2; exit 1; }
echo "examples: 2 passed, 0 failed"

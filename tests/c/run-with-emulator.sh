#!/usr/bin/env bash
# Runs a command against a fresh blooio-emulator, and always stops the emulator afterwards.
#
#   tests/c/run-with-emulator.sh EMULATOR_BINARY COMMAND [ARG...]
#
# The emulator listens on a free loopback port with a test key (tests/lib/emulator.sh starts
# and stops it, and it cannot outlive this script). The command sees BLOOIO_TEST_BASE_URL and BLOOIO_TEST_API_KEY.
set -euo pipefail

emulator=${1:?usage: run-with-emulator.sh EMULATOR COMMAND...}
shift
[ -x "$emulator" ] || { echo "run-with-emulator.sh: no emulator at $emulator" >&2; exit 2; }

key="bl_test_c_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
log=$(mktemp "${TMPDIR:-/tmp}/blooio-emulator.XXXXXX")
# shellcheck source=../lib/emulator.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/emulator.sh"

stop() {
    emulator_stop
    rm -f "$log"
}
trap stop EXIT

emulator_start run-with-emulator.sh "$log" "$emulator" --api-key "$key"
url=$emulator_url

case "$url" in
    http://127.0.0.1:*/v2/api) ;;
    *) echo "run-with-emulator.sh: unexpected first line from the emulator: $url" >&2; exit 2 ;;
esac

export BLOOIO_TEST_BASE_URL="$url" BLOOIO_TEST_API_KEY="$key"
status=0
"$@" || status=$?
if [ "$status" -ne 0 ] && [ -s "$log" ]; then
    echo "--- emulator log (last 20 lines) ---" >&2
    tail -n 20 "$log" >&2
fi
exit "$status"

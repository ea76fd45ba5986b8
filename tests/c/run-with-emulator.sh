#!/usr/bin/env bash
# Runs a command against a fresh blooio-emulator, and always stops the emulator afterwards.
#
#   tests/c/run-with-emulator.sh EMULATOR_BINARY COMMAND [ARG...]
#
# The emulator listens on a free loopback port with a test key, and exits when its standard
# input closes (--exit-on-stdin-eof), so it cannot outlive this script even if the script is
# killed. The command sees BLOOIO_TEST_BASE_URL and BLOOIO_TEST_API_KEY.
set -euo pipefail

emulator=${1:?usage: run-with-emulator.sh EMULATOR COMMAND...}
shift
[ -x "$emulator" ] || { echo "run-with-emulator.sh: no emulator at $emulator" >&2; exit 2; }

key="bl_test_c_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
log=$(mktemp "${TMPDIR:-/tmp}/blooio-emulator.XXXXXX")

# The coprocess's stdin is a pipe held by this shell: closing it (or this shell dying) ends it.
coproc EMU { exec "$emulator" --listen 127.0.0.1:0 --api-key "$key" --exit-on-stdin-eof 2>"$log"; }
emu_pid=$EMU_PID
emu_in=${EMU[1]}

stop() {
    exec {emu_in}>&- 2>/dev/null || true
    for _ in $(seq 50); do
        kill -0 "$emu_pid" 2>/dev/null || break
        sleep 0.1
    done
    kill "$emu_pid" 2>/dev/null || true
    wait "$emu_pid" 2>/dev/null || true
    rm -f "$log"
}
trap stop EXIT

if ! IFS= read -r -t 30 -u "${EMU[0]}" url; then
    echo "run-with-emulator.sh: the emulator printed no URL; its log:" >&2
    cat "$log" >&2
    exit 2
fi
# Keep reading its stdout so that it never blocks on a full pipe (bash does not hand coprocess
# descriptors to children, so give the reader a copy).
exec {emu_out}<&"${EMU[0]}"
cat <&"$emu_out" >/dev/null &
exec {emu_out}<&-

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

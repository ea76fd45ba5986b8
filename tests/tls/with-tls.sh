#!/usr/bin/env bash
# Runs a command with an HTTPS emulator and a tinyproxy in front of it, and stops both after.
#
#   tests/tls/with-tls.sh EMULATOR_BINARY COMMAND [ARG...]
#
# The emulator serves HTTPS with a fresh CA (--tls --tls-ca-out) and accepts
# $BLOOIO_TEST_API_KEY (made up when unset, e.g. outside run-with-emulator.sh); it exits when
# its stdin closes. tinyproxy (Debian's; .ci/install/60-tls.sh) listens on a free loopback port
# with a config of its own, allows CONNECT to the emulator's port only, and logs to a file.
# The command sees:
#   BLOOIO_TEST_TLS_BASE_URL     https://127.0.0.1:PORT/v2/api
#   BLOOIO_TEST_TLS_CONTROL_URL  http://127.0.0.1:PORT (the same port answers plain HTTP)
#   BLOOIO_TEST_CA_FILE          the emulator's CA (PEM)
#   BLOOIO_TEST_PROXY            http://127.0.0.1:PROXY_PORT
#   BLOOIO_TEST_PROXY_LOG        tinyproxy's log (a test checks it saw CONNECT, never the key)
# Afterwards the proxy log must not contain the key, or this script fails.
set -euo pipefail

emulator=${1:?usage: with-tls.sh EMULATOR COMMAND...}
shift
[ -x "$emulator" ] || { echo "with-tls.sh: no emulator at $emulator" >&2; exit 2; }
tinyproxy=$(command -v tinyproxy || echo /usr/sbin/tinyproxy)
[ -x "$tinyproxy" ] || { echo "with-tls.sh: tinyproxy is not installed (bash .ci/install/60-tls.sh)" >&2; exit 2; }

export BLOOIO_TEST_API_KEY="${BLOOIO_TEST_API_KEY:-bl_test_tls_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')}"
dir=$(mktemp -d "${TMPDIR:-/tmp}/blooio-tls.XXXXXX")
chmod 755 "$dir"
proxy_pid=

# shellcheck source=../lib/emulator.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/emulator.sh"

stop() {
    [ -z "$proxy_pid" ] || process_reap "$proxy_pid"
    emulator_stop
    rm -rf "$dir"
}
trap stop EXIT

emulator_start with-tls.sh "$dir/emulator.log" "$emulator" --api-key "$BLOOIO_TEST_API_KEY" --tls \
    --tls-ca-out "$dir/ca.pem" --quiet
url=$emulator_url
case "$url" in
    https://127.0.0.1:*/v2/api) ;;
    *) echo "with-tls.sh: unexpected first line from the emulator: $url" >&2; exit 2 ;;
esac
port=${url#https://127.0.0.1:}
port=${port%%/*}

proxy_listens() {
    (exec 3<>"/dev/tcp/127.0.0.1/$proxy_port") 2>/dev/null
}
proxy_listens_or_died() {
    proxy_listens || process_gone "$proxy_pid"
}

# A free loopback port for the proxy (tried again if another process takes it first).
for attempt in 1 2 3 4 5; do
    proxy_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    cat >"$dir/tinyproxy.conf" <<CONF
Port $proxy_port
Listen 127.0.0.1
Timeout 30
MaxClients 50
LogFile "$dir/proxy.log"
LogLevel Info
PidFile "$dir/tinyproxy.pid"
Allow 127.0.0.1
ConnectPort $port
DisableViaHeader Yes
CONF
    if [ "$(id -u)" = 0 ]; then
        printf 'User nobody\nGroup nogroup\n' >>"$dir/tinyproxy.conf"
    fi
    : >"$dir/proxy.log"
    chmod 666 "$dir/proxy.log"
    "$tinyproxy" -d -c "$dir/tinyproxy.conf" >"$dir/tinyproxy.out" 2>&1 &
    proxy_pid=$!
    poll proxy_listens_or_died || true
    proxy_listens && break
    process_reap "$proxy_pid"
    proxy_pid=
done
if [ -z "$proxy_pid" ]; then
    echo "with-tls.sh: tinyproxy did not start:" >&2
    cat "$dir/tinyproxy.out" "$dir/proxy.log" >&2
    exit 2
fi

export BLOOIO_TEST_TLS_BASE_URL="$url" BLOOIO_TEST_TLS_CONTROL_URL="http://127.0.0.1:$port" \
    BLOOIO_TEST_CA_FILE="$dir/ca.pem" BLOOIO_TEST_PROXY="http://127.0.0.1:$proxy_port" \
    BLOOIO_TEST_PROXY_LOG="$dir/proxy.log"
status=0
"$@" || status=$?
if grep -qF -- "$BLOOIO_TEST_API_KEY" "$dir/proxy.log"; then
    echo "with-tls.sh: the API key appears in the proxy's log" >&2
    status=1
fi
exit "$status"

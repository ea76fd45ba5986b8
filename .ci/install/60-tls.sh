#!/usr/bin/env bash
# The HTTPS suites' proxy: Debian's tinyproxy (a real HTTP proxy nobody here wrote), started by
# tests/tls/with-tls.sh on a loopback port with a config of its own. Installed only when missing;
# the package's own service is not used.
set -euo pipefail

if ! command -v tinyproxy >/dev/null && [ ! -x /usr/bin/tinyproxy ] && [ ! -x /usr/sbin/tinyproxy ]; then
    echo "installing: tinyproxy"
    apt-get update
    apt-get install -y --no-install-recommends tinyproxy
fi

#!/usr/bin/env bash
# `make bench-smoke` (mk/bench.mk) installs its Python peers into a venv itself; from the machine
# it needs curl (a peer), strip (sizes) and a C compiler (the C library's bench program).
# Each is installed only when missing.
set -euo pipefail
missing=()
command -v curl >/dev/null || missing+=(curl)
command -v strip >/dev/null || missing+=(binutils)
command -v cc >/dev/null || missing+=(gcc)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing: ${missing[*]}"
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
fi
curl --version | head -n 1

#!/usr/bin/env bash
# What building and linking libblooio needs, `make demo` included: a C and a C++ compiler, make,
# and pkg-config (the Go binding takes its cgo flags from blooio.pc). Each Debian package is
# installed only when missing. The test-only tools are in 25-ffi-test.sh.
set -euo pipefail

missing=()
command -v cc >/dev/null || missing+=(gcc)
command -v c++ >/dev/null || missing+=(g++)
command -v make >/dev/null || missing+=(make)
command -v pkg-config >/dev/null || missing+=(pkg-config)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing: ${missing[*]}"
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
fi
cc --version | head -n 1

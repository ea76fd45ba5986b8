#!/usr/bin/env bash
# The C ABI's test tools: cbindgen at the pinned version (`make check-header` compares its output
# byte for byte, so the version matters; mk/ffi.mk reads CBINDGEN_VERSION from here), and the
# Debian packages the C and C++ suites use, each installed only when missing.
set -euo pipefail
export PATH="$HOME/.cargo/bin:$PATH"

CBINDGEN_VERSION=0.29.4
if [ "$(cbindgen --version 2>/dev/null || true)" != "cbindgen $CBINDGEN_VERSION" ]; then
    cargo install --locked cbindgen --version "=$CBINDGEN_VERSION"
fi
cbindgen --version

missing=()
command -v cmake >/dev/null || missing+=(cmake)
command -v valgrind >/dev/null || missing+=(valgrind)
command -v readelf >/dev/null || missing+=(binutils)
[ -e /usr/include/gtest/gtest.h ] || missing+=(libgtest-dev)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing: ${missing[*]}"
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
fi

#!/usr/bin/env bash
# The Rust toolchain is on the machine; make sure its lint components are too.
set -euo pipefail
rustup component add rustfmt clippy >/dev/null 2>&1 || true
cargo --version

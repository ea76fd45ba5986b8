#!/usr/bin/env bash
# `make fuzz-smoke` (mk/fuzz.mk) needs cargo-fuzz and the nightly toolchain, which is used for
# fuzzing only. The machine provides nightly (no toolchain can be downloaded here), so it is
# checked, not installed; cargo-fuzz comes from crates.io, and only when it is missing.
set -euo pipefail
if ! rustup run nightly rustc --version; then
    echo "the nightly Rust toolchain is missing; make fuzz-smoke needs it (rustup toolchain list)" >&2
    exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi
cargo fuzz --version

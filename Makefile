# blooio-native: `make demo` runs the main job, `make test` runs every test.
# Each part of the project adds its own targets in mk/<part>.mk and appends its test
# target to TEST_TARGETS, so this file stays the index.

SHELL := /bin/bash
CARGO ?= cargo
PYTHON ?= python3
export CARGO_TARGET_DIR ?= $(CURDIR)/target
# `cargo install` puts tools (cbindgen) there; a fresh shell may not have it on PATH yet.
export PATH := $(HOME)/.cargo/bin:$(PATH)
BIN_DIR := $(CARGO_TARGET_DIR)/debug
EMULATOR := $(BIN_DIR)/blooio-emulator
BLOOIO := $(BIN_DIR)/blooio

TEST_TARGETS := test-rust
DEMO_DEPS :=
# The .ci/install steps `make demo` needs (parts append theirs); `make test` runs all of them.
DEMO_SETUP := .ci/install/10-rust.sh .ci/install/20-ffi.sh .ci/install/30-python.sh \
	.ci/install/40-runtimes.sh .ci/install/60-java.sh
TEST_SETUP = $(sort $(wildcard .ci/install/*.sh))

.PHONY: all build test test-suites demo demo-run demo-bins bench lint test-rust \
	install-tools setup-demo
all: build

build:
	$(CARGO) build --workspace --bins

# Set-up: each .ci/install step checks what is there and installs only what is missing, so
# running them on every `make test` / `make demo` costs about a second once all is present.
# $(call setup,STEPS)
define setup
	@set -e; for step in $(1); do echo "== setup: $$step"; bash "$$step"; done
endef

install-tools:
	$(call setup,$(TEST_SETUP))

setup-demo:
	$(call setup,$(DEMO_SETUP))

include $(sort $(wildcard mk/*.mk))

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test-rust: lint
	$(CARGO) test --workspace

# The main job: set and get a background against the bundled emulator (no account needed).
# Other parts add their own examples to it through DEMO_DEPS and scripts/demo.d/.
# The set-up runs first, in its own make, so that no build starts before its tools are there.
demo: setup-demo
	@$(MAKE) --no-print-directory demo-run

# Only what the demo runs: the CLI and the emulator (the parts' DEMO_DEPS build the rest).
demo-bins:
	$(CARGO) build -p blooio-cli -p blooio-emulator

demo-run: demo-bins $(DEMO_DEPS)
	BIN_DIR=$(BIN_DIR) bash scripts/demo.sh

test: install-tools
	@$(MAKE) --no-print-directory test-suites

test-suites: $(TEST_TARGETS)
	@echo "make test: all suites passed ($(TEST_TARGETS))"

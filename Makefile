# blooio-native: `make demo` runs the main job, `make test` runs every test.
# Each part of the project adds its own targets in mk/<part>.mk and appends its test
# target to TEST_TARGETS, so this file stays the index.

SHELL := /bin/bash
CARGO ?= cargo
PYTHON ?= python3
export CARGO_TARGET_DIR ?= $(CURDIR)/target
BIN_DIR := $(CARGO_TARGET_DIR)/debug
EMULATOR := $(BIN_DIR)/blooio-emulator
BLOOIO := $(BIN_DIR)/blooio

TEST_TARGETS := test-rust
DEMO_DEPS :=

.PHONY: all build test demo bench lint test-rust
all: build

build:
	$(CARGO) build --workspace --bins

include $(sort $(wildcard mk/*.mk))

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test-rust: lint
	$(CARGO) test --workspace

# The main job: set and get a background against the bundled emulator (no account needed).
# Other parts add their own examples to it through DEMO_DEPS and scripts/demo.d/.
demo: build $(DEMO_DEPS)
	BIN_DIR=$(BIN_DIR) bash scripts/demo.sh

test: $(TEST_TARGETS)
	@echo "make test: all suites passed ($(TEST_TARGETS))"

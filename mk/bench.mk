# Benchmarks against the peers (issue 6): bench/run.py drives everything.
#
#   make bench        the full run (~5 min once built): prints the table, writes
#                     bench/RESULTS.md and bench/results.svg (commit them)
#   make bench-only ONLY=burst,forkcheck   those sections measured again on their own into
#                     bench/results.json (the rest kept), RESULTS.md rewritten and saying so
#   make bench-smoke  a few iterations of every measurement, checking each produced a number
#                     (no speed assertions); part of `make test`, so the harness cannot rot
#
# Everything measured is a release build: bench/rust (its own cargo project with its own
# Cargo.lock, so the community `blooio` crate never enters the workspace's lockfile),
# libblooio.so, and the blooio_native wheel. The Python peers (bench/requirements.txt) live in
# $(CARGO_TARGET_DIR)/bench-venv together with that wheel.

BENCH_VENV := $(CARGO_TARGET_DIR)/bench-venv
BENCH_PY := $(BENCH_VENV)/bin/python
BENCH_OUT := $(abspath $(CARGO_TARGET_DIR))/bench
BENCH_BIN := $(abspath $(CARGO_TARGET_DIR))/release/blooio-bench
BENCH_LIB := $(abspath $(CARGO_TARGET_DIR))/release/libblooio.so
BENCH_LIBDIR := $(BENCH_OUT)/lib
BENCH_C := $(BENCH_OUT)/blooio-bench-c
BENCH_WHEELS := $(BENCH_OUT)/wheel
BENCH_GO := $(BENCH_OUT)/blooio-bench-go
BENCH_ARGS = --bench-bin $(BENCH_BIN) --bench-c $(BENCH_C) --lib $(BENCH_LIB) \
	--wheel $$(ls $(BENCH_WHEELS)/blooio_native-*.whl) --go-burst $(BENCH_GO) \
	--java-classpath $(abspath $(JAVA_JAR)):$$(ls $(HOME)/.m2/repository/net/java/dev/jna/jna/*/jna-*.jar | grep -v -e sources -e javadoc | tail -n 1)

TEST_TARGETS += bench-smoke

.PHONY: bench bench-only bench-smoke bench-build bench-venv bench-rust bench-c bench-wheel bench-go

# Re-created when the pins change.
$(BENCH_VENV)/.requirements: bench/requirements.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_PY) -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	touch $@

bench-venv: $(BENCH_VENV)/.requirements

# Not --locked: blooio-core and the emulator are path dependencies whose own dependencies may
# move; the committed Cargo.lock still pins everything else, the peer crate included.
bench-rust:
	$(CARGO) fmt --manifest-path bench/rust/Cargo.toml -- --check
	$(CARGO) build --release --manifest-path bench/rust/Cargo.toml

# The C program links to the release libblooio under its SONAME, found through an rpath.
bench-c:
	$(CARGO) build --release -p blooio-ffi
	@mkdir -p $(BENCH_LIBDIR)
	@soname=$$(readelf -d $(BENCH_LIB) | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p'); \
		ln -sf $(BENCH_LIB) $(BENCH_LIBDIR)/libblooio.so; \
		if [ -n "$$soname" ]; then ln -sf $(BENCH_LIB) $(BENCH_LIBDIR)/$$soname; fi
	$(CC) -O2 -std=c11 -Wall -Wextra -Werror -Iinclude -o $(BENCH_C) bench/c/bench_c.c \
		-L$(BENCH_LIBDIR) -Wl,-rpath,$(BENCH_LIBDIR) -lblooio

# The wheel a user would get (maturin, release, abi3; as mk/python.mk's `pip install` builds it,
# so cargo reuses that build), kept for its size, and installed into the bench venv.
bench-wheel: bench-venv
	rm -rf $(BENCH_WHEELS)
	$(BENCH_PY) -m pip wheel --quiet --disable-pip-version-check --no-deps ./crates/python -w $(BENCH_WHEELS)
	$(BENCH_PY) -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps \
		$(BENCH_WHEELS)/blooio_native-*.whl

# The concurrency section's Go program (bench/go), linked to the release libblooio.
# cgo takes its flags from `pkg-config blooio`: a blooio.pc for the release library measured.
bench-go: bench-c
	$(call source-tree-pc,$(BENCH_OUT)/pkgconfig,$(BENCH_LIBDIR))
	cd bench/go && CGO_ENABLED=1 PKG_CONFIG_PATH=$(BENCH_OUT)/pkgconfig CGO_LDFLAGS="-Wl,-rpath,$(BENCH_LIBDIR)" \
		$(GO) build -o $(BENCH_GO) .

bench-build: bench-venv bench-rust bench-c bench-wheel bench-go node-deps java

bench: bench-build
	$(BENCH_PY) bench/run.py $(BENCH_ARGS) --out bench

# Some sections measured again on their own into bench/results.json, e.g. ONLY=burst,forkcheck.
bench-only: bench-build
	$(BENCH_PY) bench/run.py $(BENCH_ARGS) --out bench --only $(ONLY)

bench-smoke: bench-build
	$(BENCH_PY) bench/run.py $(BENCH_ARGS) --out $(BENCH_OUT)/smoke --smoke

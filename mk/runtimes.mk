# Other runtimes loading libblooio through their FFI (issue 5): Node (koffi), Go (cgo) and
# Python's standard-library ctypes. Each suite starts the emulator itself ($(EMULATOR), with
# --exit-on-stdin-eof) and runs the same scenario against it; each also runs under
# tests/tls/with-tls.sh for its HTTPS cases (an HTTPS emulator and tinyproxy).
#
#   make test-node      npm ci in bindings/node, then node --test tests/node
#   make test-go        gofmt, go vet, go test -race in bindings/go, and build examples/go
#   make test-ctypes    python3 -m unittest tests/ctypes (standard library only)
#   make examples-go    build examples/go into $(BIN_DIR)/blooio-example-go
#   make node-deps      npm ci in bindings/node (koffi, pinned in package-lock.json)
#
# The library comes from `make ffi` (mk/ffi.mk), which also names it libblooio.so.MAJOR in
# $(FFI_LIBDIR), the name a program linked against its SONAME looks for.

NODE ?= node
NPM ?= npm
GO ?= go

NODE_DIR := bindings/node
GO_DIR := bindings/go
LIBBLOOIO := $(FFI_LIBDIR)/libblooio.so
RUNTIME_ENV = BLOOIO_EMULATOR=$(abspath $(EMULATOR)) BLOOIO_LIB=$(LIBBLOOIO)
# cgo takes its flags from `pkg-config blooio` (`#cgo pkg-config: blooio`, as against the C SDK);
# here from a blooio.pc for the source tree (include/ and $(FFI_LIBDIR)), with the library's
# directory recorded as the run-time search path.
GO_PC_DIR := $(FFI_OUT)/pkgconfig
GO_ENV = CGO_ENABLED=1 PKG_CONFIG_PATH=$(GO_PC_DIR) CGO_LDFLAGS="-Wl,-rpath,$(FFI_LIBDIR)"
GO_TEST_FLAGS ?= -race -count=1

TEST_TARGETS += test-node test-go test-ctypes
# What scripts/demo.d/{20-c,30-python,40-node,50-go}.sh run: the C example (mk/ffi.mk), the
# Python module in its venv (mk/python.mk), koffi, and the Go example.
DEMO_DEPS += examples-c python-install node-deps examples-go

.PHONY: node-deps test-node test-go test-ctypes examples-go go-pc

# $(call source-tree-pc,PC_DIR,LIB_DIR): a blooio.pc in PC_DIR for this checkout's include/ and
# the libblooio in LIB_DIR, from the same template `make install` uses.
define source-tree-pc
	@mkdir -p $(1)
	@sed -e 's|@PREFIX@|$(CURDIR)|g' -e 's|@LIBDIR@|$(2)|g' -e 's|@INCLUDEDIR@|$(CURDIR)/include|g' \
		-e 's|@VERSION@|$(FFI_VERSION)|g' crates/ffi/packaging/blooio.pc.in > $(1)/blooio.pc.tmp
	@mv $(1)/blooio.pc.tmp $(1)/blooio.pc
endef

go-pc:
	$(call source-tree-pc,$(GO_PC_DIR),$(FFI_LIBDIR))

# Re-run when the lockfile changes; --ignore-scripts: koffi's native code comes prebuilt in
# its per-platform npm package, so its install script (a build-from-source fallback) is not needed.
$(NODE_DIR)/node_modules/.package-lock.json: $(NODE_DIR)/package-lock.json $(NODE_DIR)/package.json
	cd $(NODE_DIR) && $(NPM) ci --ignore-scripts --no-audit --no-fund

node-deps: $(NODE_DIR)/node_modules/.package-lock.json

test-node: ffi node-deps
	$(RUNTIME_ENV) tests/tls/with-tls.sh $(EMULATOR) $(NODE) --expose-gc --test tests/node/

test-go: ffi go-pc examples-go
	@unformatted=$$("$$($(GO) env GOROOT)/bin/gofmt" -l $(GO_DIR) examples/go); \
		[ -z "$$unformatted" ] || { echo "gofmt -w these files: $$unformatted" >&2; exit 1; }
	cd $(GO_DIR) && $(GO_ENV) $(GO) vet ./...
	cd $(GO_DIR) && $(GO_ENV) $(RUNTIME_ENV) $(abspath tests/tls/with-tls.sh) $(abspath $(EMULATOR)) $(GO) test $(GO_TEST_FLAGS) -v ./...

examples-go: ffi go-pc
	cd examples/go && $(GO_ENV) $(GO) vet ./...
	cd examples/go && $(GO_ENV) $(GO) build -o $(abspath $(BIN_DIR))/blooio-example-go .

test-ctypes: ffi
	$(RUNTIME_ENV) tests/tls/with-tls.sh $(EMULATOR) $(PYTHON) -m unittest discover -s tests/ctypes -v

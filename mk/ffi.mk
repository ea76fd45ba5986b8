# The C ABI (crates/ffi): libblooio, include/blooio.h, and the C, C++ and packaging tests.
#
#   make ffi              build libblooio (.so with SONAME, .a) and the emulator (debug)
#   make header           regenerate include/blooio.h with the pinned cbindgen
#   make check-header     fail if include/blooio.h is not what the Rust sources generate
#   make test-c           the C suite against the emulator (+ the examples, run once), with
#                         the shared case table tests/cases/cases.json (test_cases)
#   make test-c-asan      the C suite built with ASan+UBSan (LeakSanitizer on)
#   make test-c-valgrind  the C suite under valgrind: zero errors, zero leaks
#   make soak-c           8 threads x 2,000 calls on one client, with 502s; RSS checked
#   make test-cpp         include/blooio.hpp tested with GoogleTest through CMake/ctest
#   make install PREFIX=  libraries, headers, blooio.pc and the CMake package (release build)
#   make test-install     install into a temporary prefix; build and run a pkg-config C
#                         program and a find_package(blooio) CMake project against it
#   make examples-c       build examples/c and examples/cpp

CBINDGEN ?= cbindgen
# The pinned version lives in the install step; the header check needs exactly that one.
CBINDGEN_VERSION := $(shell sed -n 's/^CBINDGEN_VERSION=//p' .ci/install/25-ffi-test.sh)
CC ?= cc
CXX ?= c++
VALGRIND ?= valgrind

FFI_VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
FFI_MAJOR := $(word 1,$(subst ., ,$(FFI_VERSION)))
FFI_MINOR := $(word 2,$(subst ., ,$(FFI_VERSION)))
FFI_OUT := $(abspath $(CARGO_TARGET_DIR))/ffi
# The cargo output under the names a program linked against the SONAME looks for.
FFI_LIBDIR := $(FFI_OUT)/lib
FFI_LINK := -L$(FFI_LIBDIR) -Wl,-rpath,$(FFI_LIBDIR) -lblooio -lpthread
# Every C/C++ suite also gets an HTTPS emulator and a tinyproxy in front of it (tests/tls).
RUN_EMULATOR := tests/c/run-with-emulator.sh $(abspath $(EMULATOR)) tests/tls/with-tls.sh $(abspath $(EMULATOR))

C_STD_FLAGS := -std=c11 -Wall -Wextra -Werror -pedantic
C_TEST_FLAGS := $(C_STD_FLAGS) -g -O1 -Iinclude -DBLOOIO_EXPECTED_VERSION='"$(FFI_VERSION)"'
C_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
C_TESTS := version misuse api threads fork cases tls async call_options
VALGRIND_FLAGS := --leak-check=full --errors-for-leak-kinds=definite,indirect \
	--show-leak-kinds=definite,indirect --error-exitcode=99 \
	--suppressions=tests/c/valgrind.supp --gen-suppressions=all

TEST_TARGETS += check-header test-c test-c-asan test-c-valgrind soak-c test-cpp test-install
DEMO_DEPS += examples-c

.PHONY: ffi header check-header test-c test-c-asan test-c-valgrind soak-c test-cpp \
	install test-install examples-c

ffi:
	$(CARGO) build -p blooio-ffi -p blooio-emulator
	@mkdir -p $(FFI_LIBDIR)
	@ln -sf $(abspath $(BIN_DIR))/libblooio.so $(FFI_LIBDIR)/libblooio.so
	@ln -sf libblooio.so $(FFI_LIBDIR)/libblooio.so.$(FFI_MAJOR)

# A missing or other cbindgen is reported as such, not as a stale header.
define need-cbindgen
	@found=$$($(CBINDGEN) --version 2>/dev/null) || { \
		echo "cbindgen not found: run 'make install-tools' (installs cbindgen $(CBINDGEN_VERSION))" >&2; exit 1; }; \
	[ "$$found" = "cbindgen $(CBINDGEN_VERSION)" ] || { \
		echo "cbindgen $(CBINDGEN_VERSION) needed, found '$$found': run 'make install-tools'" >&2; exit 1; }
endef

header:
	$(need-cbindgen)
	$(CBINDGEN) --config crates/ffi/cbindgen.toml --crate blooio-ffi --output include/blooio.h

check-header:
	$(need-cbindgen)
	$(CBINDGEN) --config crates/ffi/cbindgen.toml --crate blooio-ffi --output include/blooio.h --verify \
	|| { echo "include/blooio.h is stale: run 'make header' and commit it" >&2; exit 1; }

# $(call c-tests,OUTPUT_DIR,EXTRA_CFLAGS): builds every C test program into OUTPUT_DIR (one
# directory per target, so that `make -j` never has two of them writing the same file).
define c-tests
	@mkdir -p $(1)
	@set -e; for t in $(C_TESTS) soak; do \
		echo "  CC $(1)/test_$$t"; \
		$(CC) $(C_TEST_FLAGS) $(2) -o $(1)/test_$$t tests/c/test_$$t.c tests/c/testlib.c tests/c/caselib.c \
			$(FFI_LINK); \
	done
	@$(CC) $(C_TEST_FLAGS) $(2) -o $(1)/leak_canary tests/c/leak_canary.c $(FFI_LINK)
endef

# $(call leak-canary,OUTPUT_DIR,WRAPPER,EXPECTED_TEXT): the canary leaks on purpose; the leak
# checker must fail it and say EXPECTED_TEXT, or its "no leaks" verdicts prove nothing.
define leak-canary
	@if $(2) $(1)/leak_canary >$(1)/leak_canary.log 2>&1; then failed=0; else failed=1; fi; \
	if [ $$failed -eq 1 ] && grep -q '$(3)' $(1)/leak_canary.log; then \
		echo "leak canary: the deliberate leak was reported, as it must be"; \
	else \
		echo "leak canary: the deliberate leak was NOT reported" >&2; cat $(1)/leak_canary.log >&2; exit 1; \
	fi
endef

# $(call c-run,OUTPUT_DIR,WRAPPER): runs every C test program (but the soak), one emulator for all.
define c-run
	$(RUN_EMULATOR) bash -c 'fail=0; for t in "$$@"; do echo "== $$t"; $(2) "$$t" || fail=1; done; exit $$fail' \
		_ $(addprefix $(1)/test_,$(C_TESTS))
endef

test-c: ffi examples-c
	$(call c-tests,$(FFI_OUT)/c)
	$(call c-run,$(FFI_OUT)/c,)
	$(RUN_EMULATOR) tests/c/run-examples.sh $(FFI_OUT)/examples

test-c-asan: ffi
	$(call c-tests,$(FFI_OUT)/c-asan,$(C_SANITIZE))
	ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 BLOOIO_TEST_SLOW=1 \
	LSAN_OPTIONS=suppressions=$(abspath tests/c/lsan.supp):print_suppressions=0 \
	$(call c-run,$(FFI_OUT)/c-asan,)
	$(call leak-canary,$(FFI_OUT)/c-asan,,detected memory leaks)

test-c-valgrind: ffi
	$(call c-tests,$(FFI_OUT)/c-valgrind)
	BLOOIO_TEST_SLOW=1 $(call c-run,$(FFI_OUT)/c-valgrind,$(VALGRIND) $(VALGRIND_FLAGS))
	$(call leak-canary,$(FFI_OUT)/c-valgrind,$(VALGRIND) $(VALGRIND_FLAGS),definitely lost)

soak-c: ffi
	$(call c-tests,$(FFI_OUT)/c-soak)
	$(RUN_EMULATOR) $(FFI_OUT)/c-soak/test_soak

test-cpp: ffi
	cmake -S tests/cpp -B $(FFI_OUT)/cpp -DCMAKE_BUILD_TYPE=Debug \
		-DBLOOIO_INCLUDE_DIR=$(abspath include) -DBLOOIO_LIBRARY=$(FFI_LIBDIR)/libblooio.so >/dev/null
	cmake --build $(FFI_OUT)/cpp -j 2
	$(RUN_EMULATOR) ctest --test-dir $(FFI_OUT)/cpp --output-on-failure

# --- install ---------------------------------------------------------------------------------
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
# `release` for a real install; test-install uses the debug build it already has.
FFI_PROFILE ?= release
FFI_PROFILE_DIR := $(abspath $(CARGO_TARGET_DIR))/$(if $(filter release,$(FFI_PROFILE)),release,debug)
FFI_SUBST := sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(FFI_VERSION)|g' \
	-e 's|@MAJOR@|$(FFI_MAJOR)|g' -e 's|@MINOR@|$(FFI_MINOR)|g'

install:
	$(CARGO) build -p blooio-ffi $(if $(filter release,$(FFI_PROFILE)),--release)
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(LIBDIR)/cmake/blooio $(DESTDIR)$(INCLUDEDIR)
	install -m 0755 $(FFI_PROFILE_DIR)/libblooio.so $(DESTDIR)$(LIBDIR)/libblooio.so.$(FFI_VERSION)
	ln -sf libblooio.so.$(FFI_VERSION) $(DESTDIR)$(LIBDIR)/libblooio.so.$(FFI_MAJOR)
	ln -sf libblooio.so.$(FFI_MAJOR) $(DESTDIR)$(LIBDIR)/libblooio.so
	install -m 0644 $(FFI_PROFILE_DIR)/libblooio.a $(DESTDIR)$(LIBDIR)/libblooio.a
	install -m 0644 include/blooio.h include/blooio.hpp $(DESTDIR)$(INCLUDEDIR)/
	$(FFI_SUBST) crates/ffi/packaging/blooio.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/blooio.pc
	$(FFI_SUBST) crates/ffi/packaging/blooioConfig.cmake.in > $(DESTDIR)$(LIBDIR)/cmake/blooio/blooioConfig.cmake
	$(FFI_SUBST) crates/ffi/packaging/blooioConfigVersion.cmake.in \
		> $(DESTDIR)$(LIBDIR)/cmake/blooio/blooioConfigVersion.cmake

FFI_PREFIX := $(FFI_OUT)/prefix
test-install: ffi
	rm -rf $(FFI_PREFIX) $(FFI_OUT)/install-test
	$(MAKE) --no-print-directory install PREFIX=$(FFI_PREFIX) FFI_PROFILE=debug
	test "$$(readelf -d $(FFI_PREFIX)/lib/libblooio.so | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')" = libblooio.so.$(FFI_MAJOR)
	@mkdir -p $(FFI_OUT)/install-test
	PKG_CONFIG_PATH=$(FFI_PREFIX)/lib/pkgconfig; export PKG_CONFIG_PATH; \
	test "$$(pkg-config --modversion blooio)" = $(FFI_VERSION) && \
	$(CC) $(C_STD_FLAGS) -o $(FFI_OUT)/install-test/pkg-config-consumer tests/c/install/consumer.c \
		$$(pkg-config --cflags --libs blooio)
	cmake -S tests/cpp/install -B $(FFI_OUT)/install-test/cmake -DCMAKE_PREFIX_PATH=$(FFI_PREFIX) >/dev/null
	cmake --build $(FFI_OUT)/install-test/cmake -j 2
	readelf -d $(FFI_OUT)/install-test/cmake/cmake-consumer | grep -q 'NEEDED.*\[libblooio.so.$(FFI_MAJOR)\]'
	! readelf -d $(FFI_OUT)/install-test/cmake/cmake-consumer-static | grep -q 'NEEDED.*libblooio'
	$(RUN_EMULATOR) bash -c 'set -e; \
		LD_LIBRARY_PATH=$(FFI_PREFIX)/lib $(FFI_OUT)/install-test/pkg-config-consumer; \
		$(FFI_OUT)/install-test/cmake/cmake-consumer; \
		$(FFI_OUT)/install-test/cmake/cmake-consumer-static'

examples-c: ffi
	@mkdir -p $(FFI_OUT)/examples
	$(CC) $(C_STD_FLAGS) -Iinclude -o $(FFI_OUT)/examples/blooio-example-c examples/c/main.c $(FFI_LINK)
	$(CXX) -std=c++17 -Wall -Wextra -Werror -pedantic -Iinclude -o $(FFI_OUT)/examples/blooio-example-cpp \
		examples/cpp/main.cpp $(FFI_LINK)

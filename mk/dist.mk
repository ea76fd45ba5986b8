# Shipping (issue 14): one version everywhere, and what users install.
#
#   make check-versions  every manifest, header macro, template and binding constant says the
#                        workspace version (scripts/check-versions.py), and the check can fail
#                        (tests/versions); part of `make test`
#   make dist            dist/: the manylinux_2_17 abi3 wheel and the sdist (maturin --zig),
#                        the C SDK tarball (cargo zigbuild for glibc 2.17), the npm tarball with
#                        the linux-x64 library inside, whatever DIST_EXTRA adds, and SHA256SUMS
#   make test-dist       each artifact installed as its users install it, in a clean place, and
#                        used against the emulator (tests/dist/test-dist.sh); run by .ci/run
#   make package-crates  `cargo package` of the crates to publish (blooio-core, blooio-cli), with
#                        the compile of the packaged sources; test-dist runs it without that
#
# The release tools (maturin, ziglang, cargo-zigbuild, auditwheel, twine) are pinned in
# packaging/requirements.txt and live in $(DIST_VENV). Release builds go to
# $(CARGO_TARGET_DIR)/x86_64-unknown-linux-gnu/release and are reused from one run to the next.
# Another part adds its artifact with `DIST_EXTRA += <target>`: a target that writes its files
# into $(DIST) (the Java jar, issue 16); they are checked and summed with the rest.

DIST := $(CURDIR)/dist
DIST_VENV := $(CARGO_TARGET_DIR)/dist-venv
DIST_BIN := $(DIST_VENV)/bin
DIST_VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
DIST_TRIPLE := x86_64-unknown-linux-gnu
DIST_GLIBC := 2.17
DIST_BUILD := $(abspath $(CARGO_TARGET_DIR))/$(DIST_TRIPLE)/release
# maturin's zig wrappers are not cargo-zigbuild's, and the C code compiled by build scripts
# (ring) records which one it saw: sharing one target dir, each would rebuild all the other
# built. So the wheel has its own.
DIST_WHEEL_TARGET := $(abspath $(CARGO_TARGET_DIR))/dist-wheel
# The venv's tools first (maturin, cargo-zigbuild and `python -m ziglang`, which both find zig by).
DIST_ENV := PATH=$(abspath $(DIST_BIN)):$$PATH
DIST_NICE ?= nice -n 10
DIST_EXTRA ?=
DIST_WHEEL := $(DIST)/blooio_native-$(DIST_VERSION)-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
DIST_SDIST := $(DIST)/blooio_native-$(DIST_VERSION).tar.gz
DIST_C_SDK := $(DIST)/libblooio-$(DIST_VERSION)-x86_64-linux-gnu.tar.gz
DIST_NPM := $(DIST)/blooio-native-$(DIST_VERSION).tgz

TEST_TARGETS += check-versions

.PHONY: check-versions dist dist-clean dist-all dist-venv dist-wheel dist-sdist dist-lib dist-c dist-npm \
	dist-sums test-dist package-crates

check-versions:
	$(PYTHON) scripts/check-versions.py
	$(PYTHON) -m unittest discover -s tests/versions

# Re-created when the pins change.
$(DIST_VENV)/.requirements: packaging/requirements.txt
	$(PYTHON) -m venv $(DIST_VENV)
	$(DIST_BIN)/python -m pip install --quiet --disable-pip-version-check -r packaging/requirements.txt
	touch $@

dist-venv: $(DIST_VENV)/.requirements

# A clean dist/ each time, so that SHA256SUMS covers exactly this build.
dist:
	rm -rf $(DIST)
	@$(MAKE) --no-print-directory dist-all

# DIST_EXTRA is read in the recipe, not the prerequisites: the parts' mk files that append to
# it are included after this one.
dist-all: dist-wheel dist-sdist dist-c dist-npm
	$(if $(strip $(DIST_EXTRA)),@$(MAKE) --no-print-directory $(DIST_EXTRA))
	@$(MAKE) --no-print-directory dist-sums

# manylinux_2_17 (manylinux2014): zig links against glibc 2.17's symbols, whatever this
# machine's glibc is; auditwheel then confirms the tag from what the .so really needs.
dist-wheel: dist-venv
	cd crates/python && $(DIST_ENV) CARGO_TARGET_DIR=$(DIST_WHEEL_TARGET) $(DIST_NICE) maturin build --release --zig \
		--compatibility manylinux2014 --target $(DIST_TRIPLE) --out $(DIST)
	@# maturin writes the two platform tags the other way round; a wheel's tag set has no order
	@# (PEP 425), so it gets the name pip and auditwheel give it, the one users look for.
	@set -e; built=$$(ls $(DIST)/blooio_native-$(DIST_VERSION)-cp39-abi3-*.whl); \
	case "$$built" in *manylinux2014_x86_64*manylinux_2_17_x86_64*) mv "$$built" $(DIST_WHEEL);; esac
	test -f $(DIST_WHEEL) || { echo "dist: expected $(DIST_WHEEL); dist/ has:" >&2; ls $(DIST) >&2; exit 1; }
	$(DIST_BIN)/auditwheel show $(DIST_WHEEL) | tee $(CARGO_TARGET_DIR)/auditwheel.txt
	tr '\n' ' ' < $(CARGO_TARGET_DIR)/auditwheel.txt | grep -q 'consistent with the following platform tag: "manylinux_2_17_x86_64"'
	$(DIST_BIN)/twine check --strict $(DIST_WHEEL)

# Everything `pip install` needs to build it: blooio-core comes along (maturin packs the path
# dependencies and the lockfile); tests/dist/test-dist.sh builds it in a fresh venv.
dist-sdist: dist-venv
	cd crates/python && $(DIST_ENV) maturin sdist --out $(DIST)
	test -f $(DIST_SDIST)
	$(DIST_BIN)/twine check --strict $(DIST_SDIST)

# The library for the C SDK and the npm package: glibc 2.17 at most, checked in test-dist.
dist-lib: dist-venv
	$(DIST_ENV) $(DIST_NICE) cargo-zigbuild build --release -p blooio-ffi --target $(DIST_TRIPLE).$(DIST_GLIBC)

dist-c: dist-lib
	scripts/dist/c-sdk.sh $(DIST_VERSION) $(DIST_BUILD) $(DIST)

dist-npm: dist-lib
	scripts/dist/npm.sh $(DIST_BUILD)/libblooio.so $(DIST)

# The Java jar (mk/java.mk, issue 16), bundling the glibc 2.17 library of dist-lib instead of
# a host build: java-native copies $(CARGO_TARGET_DIR)/$(JAVA_PROFILE)/libblooio.so, and that
# profile path is where cargo zigbuild put it (no cargo build runs for a profile not "release").
ifneq ($(wildcard mk/java.mk),)
DIST_EXTRA += dist-java
endif
.PHONY: dist-java
dist-java: dist-lib
	$(MAKE) --no-print-directory java JAVA_PROFILE=$(DIST_TRIPLE)/release
	cp $(JAVA_JAR) $(DIST)/

dist-sums:
	cd $(DIST) && rm -f SHA256SUMS && sha256sum $$(ls | LC_ALL=C sort) > SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS
	cat $(DIST)/SHA256SUMS

dist-clean:
	rm -rf $(DIST)

# Builds dist/ first (quick when the release builds are there already). The sdist's build
# shares the workspace's target dir, whose release build of the registry crates (made by
# `pip install ./crates/python` in make test) it reuses; its own crates, at another path, are
# compiled afresh from the sdist.
test-dist: dist ffi
	@# What crates.io will take: metadata, license files, every dependency with a version. The
	@# compile of the packaged sources (make package-crates) is left to a release: it repeats
	@# a debug build of the core that make test has already made.
	$(CARGO) package -p blooio-core -p blooio-cli --no-verify --allow-dirty --quiet
	EMULATOR=$(abspath $(EMULATOR)) DIST=$(DIST) DIST_VERSION=$(DIST_VERSION) CONTROL_LIB=$(LIBBLOOIO) \
		DIST_GLIBC=$(DIST_GLIBC) SDIST_TARGET=$(abspath $(CARGO_TARGET_DIR)) \
		bash tests/dist/test-dist.sh

# The crates to publish, packaged and compiled from the package (about 1.5 min here).
package-crates:
	$(CARGO) package -p blooio-core -p blooio-cli --allow-dirty

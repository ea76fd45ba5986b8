#!/usr/bin/env bash
# make test-dist: every artifact in dist/ installed the way its users install it, in a clean
# place outside the source tree, then used against the emulator.
#
#   EMULATOR=... DIST=... DIST_VERSION=... DIST_GLIBC=2.17 [SDIST_TARGET=...] [CONTROL_LIB=...] \
#       tests/dist/test-dist.sh
#
# - the wheel into a fresh venv, with no Rust on PATH, run from another directory;
# - the sdist into another fresh venv with `pip install` alone (it builds from the crates inside);
# - the C SDK extracted under a temporary prefix, moved (it must be relocatable), then a C
#   program built with pkg-config and a CMake project with find_package(blooio) against it;
# - the npm tarball installed with `npm install ./blooio-native-VERSION.tgz` into a fresh
#   project, loading the library it carries (no BLOOIO_LIB, no libraryPath);
# - the Go example (with the Go binding copied beside it, away from the source tree's headers)
#   built against the extracted C SDK through `#cgo pkg-config: blooio`;
# - the Java jar (when dist/ has one) installed into the local Maven repository, and the Java
#   example built against it and run;
# - the GLIBC_ symbol versions of every libblooio shipped: none above DIST_GLIBC;
# - SHA256SUMS, and every artifact's version (scripts/check-versions.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
: "${EMULATOR:?}" "${DIST:?}" "${DIST_VERSION:?}" "${DIST_GLIBC:?}"
V=$DIST_VERSION
WHEEL=$DIST/blooio_native-$V-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
SDIST=$DIST/blooio_native-$V.tar.gz
SDK_TGZ=$DIST/libblooio-$V-x86_64-linux-gnu.tar.gz
NPM_TGZ=$DIST/blooio-native-$V.tgz
JAR=$DIST/blooio-native-$V.jar
PYTHON=${PYTHON:-python3}
RUN_EMULATOR="$REPO/tests/c/run-with-emulator.sh $EMULATOR"
IMAGE=$REPO/examples/assets/sample.png
CHAT=+15551234567

WORK=$(mktemp -d "${TMPDIR:-/tmp}/blooio-test-dist.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
passed=0
failed=0
failures=()

# $(step NAME FUNCTION): runs one check, timed; a failure is counted and the others still run.
step() {
    local name=$1 start=$SECONDS
    shift
    echo "== test-dist: $name"
    if ( set -euo pipefail; "$@" ); then
        passed=$((passed + 1))
        echo "ok   $name ($((SECONDS - start)) s)"
    else
        failed=$((failed + 1))
        failures+=("$name")
        echo "FAIL $name ($((SECONDS - start)) s)"
    fi
}

# Runs "$@" against a fresh emulator with the examples' variables set from run-with-emulator's.
with_emulator() {
    $RUN_EMULATOR bash -c 'export BLOOIO_BASE_URL=$BLOOIO_TEST_BASE_URL BLOOIO_API_KEY=$BLOOIO_TEST_API_KEY; exec "$@"' _ "$@"
}

# A PATH with no Rust toolchain on it: the machine's directories, less any holding cargo/rustc.
PATH_NO_RUST=$(tr ':' '\n' <<<"$PATH" | while read -r d; do
    [ -n "$d" ] && [ ! -e "$d/cargo" ] && [ ! -e "$d/rustc" ] && printf '%s:' "$d"
done)
PATH_NO_RUST=${PATH_NO_RUST%:}

# The examples print the background they set and read back; both must name the chat.
expect_background() {
    local out=$1
    grep -q 'bg_[0-9a-f]' "$out" || { echo "no background in the output:" >&2; cat "$out" >&2; return 1; }
}

check_sums() {
    (cd "$DIST" && sha256sum --check --strict SHA256SUMS)
    # Every file of dist/ but the sums themselves is listed.
    diff <(cd "$DIST" && ls | grep -vx SHA256SUMS | LC_ALL=C sort) <(awk '{print $2}' "$DIST/SHA256SUMS" | LC_ALL=C sort)
}

check_versions() {
    local artifacts=("$DIST"/*.whl "$DIST"/*.tar.gz "$DIST"/*.tgz)
    shopt -s nullglob
    artifacts+=("$DIST"/*.jar)
    "$PYTHON" scripts/check-versions.py "${artifacts[@]}"
}

# The highest GLIBC_x.y a shared object needs, from its version-needed section.
glibc_needed() {
    readelf --version-info --wide "$1" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -t. -k1,1n -k2,2n -k3,3n -u
}

check_glibc() {
    mkdir -p "$WORK/glibc"
    tar -xzf "$SDK_TGZ" -C "$WORK/glibc"
    (cd "$WORK/glibc" && "$PYTHON" -m zipfile -e "$WHEEL" wheel)
    mkdir -p "$WORK/glibc/npm" && tar -xzf "$NPM_TGZ" -C "$WORK/glibc/npm"
    local libs=("$WORK/glibc/libblooio-$V-x86_64-linux-gnu/lib/libblooio.so.$V"
        "$WORK/glibc/npm/package/prebuilds/linux-x64/libblooio.so")
    libs+=("$WORK"/glibc/wheel/blooio_native/_native*.so)
    if [ -f "$JAR" ]; then
        (cd "$WORK/glibc" && "$PYTHON" -m zipfile -e "$JAR" jar)
        libs+=("$WORK/glibc/jar/linux-x86-64/libblooio.so")
    fi
    local lib versions highest
    # The control: the debug libblooio built on this machine (glibc 2.36 here) must be found to
    # need more than DIST_GLIBC, or the reading below would prove nothing.
    if [ -n "${CONTROL_LIB:-}" ]; then
        highest=$(glibc_needed "$CONTROL_LIB" | tail -n 1)
        echo "control $(basename "$CONTROL_LIB") (built against this machine's glibc): needs up to GLIBC_$highest"
        [ "$(printf '%s\n%s\n' "$highest" "$DIST_GLIBC" | sort -V | tail -n 1)" != "$DIST_GLIBC" ] \
            || { echo "the control needs no more than $DIST_GLIBC: is this machine's glibc that old?" >&2; return 1; }
    fi
    for lib in "${libs[@]}"; do
        [ -f "$lib" ] || { echo "missing: $lib" >&2; return 1; }
        versions=$(glibc_needed "$lib")
        [ -n "$versions" ] || { echo "$lib: no GLIBC_ versions read (readelf found none)" >&2; return 1; }
        highest=$(tail -n 1 <<<"$versions")
        echo "$(basename "$lib"): needs GLIBC_$(tr '\n' ' ' <<<"$versions")-> at most $highest"
        # sort -V puts the larger last: the highest needed must not be above DIST_GLIBC.
        [ "$(printf '%s\n%s\n' "$highest" "$DIST_GLIBC" | sort -V | tail -n 1)" = "$DIST_GLIBC" ] \
            || { echo "$lib needs GLIBC_$highest, above $DIST_GLIBC" >&2; return 1; }
    done
}

test_wheel() {
    "$PYTHON" -m venv "$WORK/wheel-venv"
    "$WORK/wheel-venv/bin/python" -m pip install --quiet --disable-pip-version-check "$WHEEL"
    mkdir -p "$WORK/elsewhere" && cp "$REPO/examples/python/main.py" "$WORK/elsewhere/"
    cd "$WORK/elsewhere"
    # No Rust, and nothing of the source tree on the module path.
    ! PATH=$PATH_NO_RUST command -v cargo >/dev/null
    PATH=$PATH_NO_RUST with_emulator env -u PYTHONPATH "$WORK/wheel-venv/bin/python" - "$V" <<'PY'
import os, sys
import blooio_native
where = os.path.realpath(blooio_native.__file__)
assert where.startswith(os.path.realpath(sys.prefix)), f"imported from {where}, not the venv"
from importlib.metadata import version
assert version("blooio-native") == sys.argv[1], version("blooio-native")
with blooio_native.Client() as client:
    client.set_chat_background("+15551234567", b"\x89PNG\r\n\x1a\nwheel")
    got = client.get_chat_background("+15551234567")
    assert got.has_background and got.background_id, got.to_dict()
print("wheel: imported from", where, "- set and got", got.background_id)
PY
    PATH=$PATH_NO_RUST with_emulator "$WORK/wheel-venv/bin/python" main.py "$CHAT" "$IMAGE" | tee "$WORK/wheel.out"
    expect_background "$WORK/wheel.out"
}

test_sdist() {
    "$PYTHON" -m venv "$WORK/sdist-venv"
    # pip alone: it fetches maturin (the build-system table) and builds the crates in the sdist.
    # CARGO_TARGET_DIR only lets cargo reuse registry crates compiled already (the crates of the
    # sdist are at another path, so they are compiled from it).
    CARGO_TARGET_DIR=${SDIST_TARGET:-$WORK/sdist-target} nice -n 10 \
        "$WORK/sdist-venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-binary blooio-native "$SDIST"
    mkdir -p "$WORK/elsewhere2" && cd "$WORK/elsewhere2"
    with_emulator "$WORK/sdist-venv/bin/python" -c '
import blooio_native, os, sys
assert os.path.realpath(blooio_native.__file__).startswith(os.path.realpath(sys.prefix))
with blooio_native.Client() as c:
    c.set_chat_background("+15551234567", b"\x89PNG\r\n\x1a\nsdist")
    print("sdist: got", c.get_chat_background("+15551234567").to_dict())
'
}

extract_sdk() {
    rm -rf "$WORK/sdk-unpack" "$WORK/prefix"
    mkdir -p "$WORK/sdk-unpack"
    tar -xzf "$SDK_TGZ" -C "$WORK/sdk-unpack"
    # Moved after extraction: nothing in it may remember where it was unpacked.
    mv "$WORK/sdk-unpack/libblooio-$V-x86_64-linux-gnu" "$WORK/prefix"
    SDK=$WORK/prefix
}

test_c_sdk_layout() {
    extract_sdk
    local f
    for f in lib/libblooio.so.$V lib/libblooio.a lib/pkgconfig/blooio.pc lib/cmake/blooio/blooioConfig.cmake \
        lib/cmake/blooio/blooioConfigVersion.cmake include/blooio.h include/blooio.hpp include/module.modulemap \
        LICENSE-MIT LICENSE-APACHE README.md; do
        [ -f "$SDK/$f" ] || { echo "the C SDK has no $f" >&2; return 1; }
    done
    [ "$(readlink "$SDK/lib/libblooio.so.${V%%.*}")" = "libblooio.so.$V" ]
    [ "$(readlink "$SDK/lib/libblooio.so")" = "libblooio.so.${V%%.*}" ]
    [ "$(readelf -d "$SDK/lib/libblooio.so.$V" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')" = "libblooio.so.${V%%.*}" ]
    cmp "$SDK/include/blooio.h" "$REPO/include/blooio.h"
    grep -q '^prefix=${pcfiledir}/../..$' "$SDK/lib/pkgconfig/blooio.pc"
    ! grep -rq "$REPO\|$WORK" "$SDK/lib/pkgconfig" "$SDK/lib/cmake"
}

test_c_pkg_config() {
    extract_sdk
    export PKG_CONFIG_PATH=$SDK/lib/pkgconfig
    [ "$(pkg-config --modversion blooio)" = "$V" ]
    [ "$(realpath "$(pkg-config --variable=libdir blooio)")" = "$SDK/lib" ]
    mkdir -p "$WORK/c"
    # shellcheck disable=SC2046
    cc -std=c11 -Wall -Wextra -Werror -pedantic -o "$WORK/c/consumer" "$REPO/tests/c/install/consumer.c" \
        $(pkg-config --cflags --libs blooio) -Wl,-rpath,"$(pkg-config --variable=libdir blooio)"
    ldd "$WORK/c/consumer" | grep -q "libblooio.so.${V%%.*} => $SDK/lib/"
    $RUN_EMULATOR "$WORK/c/consumer"
}

test_c_cmake() {
    extract_sdk
    cmake -S "$REPO/tests/cpp/install" -B "$WORK/cmake" -DCMAKE_PREFIX_PATH="$SDK" >/dev/null
    cmake --build "$WORK/cmake" -j 2 >/dev/null
    readelf -d "$WORK/cmake/cmake-consumer" | grep -q "NEEDED.*\[libblooio.so.${V%%.*}\]"
    ! readelf -d "$WORK/cmake/cmake-consumer-static" | grep -q 'NEEDED.*libblooio'
    $RUN_EMULATOR bash -c '"$1/cmake-consumer" && "$1/cmake-consumer-static"' _ "$WORK/cmake"
}

test_npm() {
    mkdir -p "$WORK/npm-project" && cd "$WORK/npm-project"
    npm init -y >/dev/null
    cp "$NPM_TGZ" .
    npm install --no-audit --no-fund "./$(basename "$NPM_TGZ")"
    sed "s|require('../../bindings/node')|require('blooio-native')|" "$REPO/examples/node/main.js" > main.js
    ! grep -q bindings/node main.js
    [ -f node_modules/blooio-native/prebuilds/linux-x64/libblooio.so ]
    [ -f node_modules/blooio-native/index.d.ts ]
    local f
    for f in $(node -p 'require(process.argv[1]).files.join("\n")' "$REPO/bindings/node/package.json"); do
        [ -e "node_modules/blooio-native/$f" ] || { echo "the npm package lacks $f" >&2; return 1; }
    done
    with_emulator env -u BLOOIO_LIB node main.js "$CHAT" "$IMAGE" | tee "$WORK/npm.out"
    expect_background "$WORK/npm.out"
    env -u BLOOIO_LIB node -e '
const b = require("blooio-native");
if (b.libraryVersion() !== process.argv[1]) throw new Error(`library ${b.libraryVersion()}`);
console.log("npm: the bundled library is", b.libraryVersion());' "$V"
}

test_go() {
    extract_sdk
    # The binding and the example side by side, as the example's replace directive expects, but
    # away from the source tree: its include/ and target/ are out of reach.
    mkdir -p "$WORK/go/bindings" "$WORK/go/examples"
    cp -r "$REPO/bindings/go" "$WORK/go/bindings/go"
    cp -r "$REPO/examples/go" "$WORK/go/examples/go"
    cd "$WORK/go/examples/go"
    PKG_CONFIG_PATH=$SDK/lib/pkgconfig CGO_ENABLED=1 CGO_LDFLAGS="-Wl,-rpath,$SDK/lib" \
        go build -o "$WORK/go/blooio-example-go" .
    ldd "$WORK/go/blooio-example-go" | grep -q "libblooio.so.${V%%.*} => $SDK/lib/"
    with_emulator "$WORK/go/blooio-example-go" "$CHAT" "$IMAGE" | tee "$WORK/go.out"
    expect_background "$WORK/go.out"
}

# The jar into the local Maven repository (as a download from Maven Central would be), then
# the Java example, copied away from the source tree, built and run against it: the library
# comes from inside the jar.
test_java() {
    mvn -q -B -ntp install:install-file -Dfile="$JAR" -DpomFile="$REPO/bindings/java/pom.xml"
    cp -r "$REPO/examples/java" "$WORK/java-example"
    rm -rf "$WORK/java-example/target"
    cd "$WORK/java-example"
    mvn -q -B -ntp package
    with_emulator env -u BLOOIO_LIB java -jar target/blooio-example.jar "$CHAT" "$IMAGE" | tee "$WORK/java.out"
    expect_background "$WORK/java.out"
}

step "SHA256SUMS" check_sums
step "versions of every artifact" check_versions
step "GLIBC_ versions <= $DIST_GLIBC" check_glibc
step "wheel in a fresh venv, no Rust" test_wheel
step "sdist with pip install alone" test_sdist
step "C SDK layout" test_c_sdk_layout
step "C SDK through pkg-config" test_c_pkg_config
step "C SDK through CMake find_package" test_c_cmake
step "npm install of the tarball" test_npm
step "Go example against the C SDK" test_go
# The jar is in dist/ whenever the Java part is (mk/java.mk): then its test must run.
if [ -f "$REPO/mk/java.mk" ]; then
    step "Java jar from the local Maven repository" test_java
fi

echo
echo "test-dist: $passed passed, $failed failed"
[ "$failed" -eq 0 ] || { printf 'failed: %s\n' "${failures[@]}" >&2; exit 1; }

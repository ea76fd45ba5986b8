#!/usr/bin/env bash
# Lays out the C SDK tarball, libblooio-VERSION-x86_64-linux-gnu.tar.gz, from a release build.
#
#   scripts/dist/c-sdk.sh VERSION BUILD_DIR OUT_DIR
#
# BUILD_DIR holds libblooio.so and libblooio.a (cargo zigbuild, glibc 2.17). The .pc file and
# the CMake package are relocatable: the .pc file's prefix is ${pcfiledir}/../.., and the CMake
# package finds its prefix from its own place. The tarball's one top directory is the prefix.
set -euo pipefail
version=${1:?usage: c-sdk.sh VERSION BUILD_DIR OUT_DIR}
build=${2:?}
out=${3:?}
major=${version%%.*}
rest=${version#*.}
minor=${rest%%.*}
cd "$(dirname "$0")/../.."

name=libblooio-$version-x86_64-linux-gnu
stage=$(mktemp -d "${TMPDIR:-/tmp}/blooio-sdk.XXXXXX")
trap 'rm -rf "$stage"' EXIT
root=$stage/$name
install -d "$root/lib/pkgconfig" "$root/lib/cmake/blooio" "$root/include"

# Symbols are of no use to a C user; the debug sections are stripped, the dynamic symbols stay.
install -m 0755 "$build/libblooio.so" "$root/lib/libblooio.so.$version"
strip --strip-unneeded "$root/lib/libblooio.so.$version"
ln -s "libblooio.so.$version" "$root/lib/libblooio.so.$major"
ln -s "libblooio.so.$major" "$root/lib/libblooio.so"
install -m 0644 "$build/libblooio.a" "$root/lib/libblooio.a"
install -m 0644 include/blooio.h include/blooio.hpp include/module.modulemap "$root/include/"

subst() {
    sed -e "s|@PREFIX@|\${pcfiledir}/../..|g" -e "s|@LIBDIR@|\${prefix}/lib|g" \
        -e "s|@INCLUDEDIR@|\${prefix}/include|g" -e "s|@VERSION@|$version|g" \
        -e "s|@MAJOR@|$major|g" -e "s|@MINOR@|$minor|g" "$@"
}
subst crates/ffi/packaging/blooio.pc.in > "$root/lib/pkgconfig/blooio.pc"
subst crates/ffi/packaging/blooioConfig.cmake.in > "$root/lib/cmake/blooio/blooioConfig.cmake"
subst crates/ffi/packaging/blooioConfigVersion.cmake.in > "$root/lib/cmake/blooio/blooioConfigVersion.cmake"
subst packaging/c-sdk/README.md > "$root/README.md"
install -m 0644 LICENSE-MIT LICENSE-APACHE "$root/"

# Reproducible: fixed owner, order and times (the commit's, when there is one).
mtime=$(git log -1 --format=%ct 2>/dev/null || echo 0)
mkdir -p "$out"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" -C "$stage" -cf - "$name" \
    | gzip -n -9 > "$out/$name.tar.gz"
echo "$out/$name.tar.gz"

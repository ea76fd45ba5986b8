#!/usr/bin/env bash
# Packs the npm package, blooio-native-VERSION.tgz, with the linux-x64 libblooio inside.
#
#   scripts/dist/npm.sh LIBBLOOIO_SO OUT_DIR
#
# bindings/node is copied to a staging directory with the library at
# prebuilds/linux-x64/libblooio.so (where index.js looks by default) and the license files, and
# `npm pack` makes the tarball from it; package.json's `files` decides what goes in.
set -euo pipefail
lib=${1:?usage: npm.sh LIBBLOOIO_SO OUT_DIR}
out=${2:?}
cd "$(dirname "$0")/../.."
out=$(mkdir -p "$out" && cd "$out" && pwd)

stage=$(mktemp -d "${TMPDIR:-/tmp}/blooio-npm.XXXXXX")
trap 'rm -rf "$stage"' EXIT
# package.json's `files`, as they are in bindings/node (the licenses are links there: copied
# from the root; prebuilds/ is made here), so a file added to the binding and to `files` ships.
cp bindings/node/package.json "$stage/"
for f in $(node -p 'require("./bindings/node/package.json").files.join("\n")'); do
    case "$f" in
        prebuilds/ | LICENSE-*) ;;
        *) cp -L "bindings/node/$f" "$stage/" ;;
    esac
done
cp LICENSE-MIT LICENSE-APACHE "$stage/"
install -d "$stage/prebuilds/linux-x64"
install -m 0755 "$lib" "$stage/prebuilds/linux-x64/libblooio.so"
strip --strip-unneeded "$stage/prebuilds/linux-x64/libblooio.so"
(cd "$stage" && npm pack --silent --pack-destination "$out" >/dev/null)
name=$(node -p 'const p = require(process.argv[1]); `${p.name}-${p.version}.tgz`' "$stage/package.json")
[ -s "$out/$name" ] || { echo "npm.sh: npm pack made no $out/$name" >&2; exit 1; }
echo "$out/$name"

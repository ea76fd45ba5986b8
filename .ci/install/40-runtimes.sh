#!/usr/bin/env bash
# The Node, Go and ctypes suites (mk/runtimes.mk). Node 20+ with npm and Go 1.24+ are on the
# CI image; check them, then fetch what the suites need from the registries only:
# - koffi (pinned in bindings/node/package-lock.json) from npm; its native code ships prebuilt
#   in its per-platform npm package, so its install script (a build-from-source fallback) is
#   skipped;
# - the Go modules' dependencies through the Go module proxy (the binding uses only the
#   standard library, so this checks go.mod and fetches nothing today).
# The ctypes suite needs only python3's standard library.
set -euo pipefail

node -e 'const [major] = process.versions.node.split(".").map(Number);
  if (major < 18) { console.error(`Node 18+ needed, found ${process.version}`); process.exit(1); }
  console.log(`node ${process.version}: ok`);'
npm --version
go version
command -v cc >/dev/null || { echo "cgo needs a C compiler (cc)" >&2; exit 1; }

# npm ci only when the lockfile is newer than what it installed last (as mk/runtimes.mk does).
stamp=bindings/node/node_modules/.package-lock.json
if [ ! -e "$stamp" ] || [ bindings/node/package-lock.json -nt "$stamp" ] \
    || [ bindings/node/package.json -nt "$stamp" ]; then
    (cd bindings/node && npm ci --ignore-scripts --no-audit --no-fund)
fi
(cd bindings/go && go mod download && go mod verify)
(cd examples/go && go mod download)

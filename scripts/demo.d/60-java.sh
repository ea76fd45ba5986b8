#!/usr/bin/env bash
# make demo: the Java example (examples/java: the blooio-native jar, libblooio inside, through
# JNA; built by `make examples-java`) against the running emulator.
set -euo pipefail
EXAMPLE=examples/java/target/blooio-example.jar
[ -f "$EXAMPLE" ] || { echo "demo: $EXAMPLE is not built (make examples-java)" >&2; exit 1; }
echo "\$ java -jar $EXAMPLE ${CHAT:-+15551234567} ${IMAGE:-examples/assets/sample.png}"
java -jar "$EXAMPLE" "${CHAT:-+15551234567}" "${IMAGE:-examples/assets/sample.png}"

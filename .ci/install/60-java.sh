#!/usr/bin/env bash
# The Java binding (mk/java.mk). A JDK 17+ and Maven 3.6.3+ are on the CI image; check them.
# Maven itself fetches JNA, JUnit and its plugins from Maven Central into ~/.m2 when
# `make test-java` runs, so nothing is installed here by hand.
set -euo pipefail
java -version 2>&1 | sed -n 1p
release=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
[ "${release%%.*}" -ge 17 ] || { echo "Java 17+ needed, found $release" >&2; exit 1; }
command -v javac >/dev/null || { echo "a JDK is needed (javac), not only a JRE" >&2; exit 1; }
mvn -B -v -Dstyle.color=never | sed -n 1p
command -v objcopy >/dev/null || { echo "objcopy (binutils) is needed to strip the bundled libblooio" >&2; exit 1; }
command -v unzip >/dev/null || { echo "unzip is needed to check the jar's contents" >&2; exit 1; }

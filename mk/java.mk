# The Java binding (bindings/java, issue 16): a Maven project loading libblooio through JNA.
#
#   make java                  build libblooio, then `mvn package`: target/blooio-native-VERSION.jar
#                              with libblooio.so inside under linux-x86-64/ (JNA's layout);
#                              JAVA_PROFILE=release bundles the optimised library
#   make test-java             the JUnit suite (Surefire) against the emulator it starts itself
#   make java-bindings         regenerate the JNA interface and Status from include/blooio.h
#   make check-java-bindings   fail if those (or the poms' versions) are stale, and prove that
#                              check catches drift (bindings/java/test_gen_native.py)
#   make examples-java         install the jar into ~/.m2 and build examples/java against it
#
# Maven fetches JNA, JUnit and its plugins from Maven Central into the default ~/.m2.

MVN ?= mvn
MVN_FLAGS ?= -B -ntp -Dstyle.color=never
JAVA_DIR := bindings/java
JAVA_NATIVE_DIR := $(abspath $(CARGO_TARGET_DIR))/java-native
JAVA_JAR := $(JAVA_DIR)/target/blooio-native-$(FFI_VERSION).jar
JAVA_MVN_PROPS := -Dblooio.native.dir=$(JAVA_NATIVE_DIR) -Dblooio.emulator.bin=$(abspath $(EMULATOR))

TEST_TARGETS += test-java
# Part of the project-wide `make bindings` / `make check-bindings` (mk/bindings.mk).
bindings: java-bindings
check-bindings: check-java-bindings
DEMO_DEPS += examples-java

.PHONY: java java-native test-java java-bindings check-java-bindings examples-java

java-bindings:
	$(PYTHON) $(JAVA_DIR)/gen_native.py

check-java-bindings:
	$(PYTHON) $(JAVA_DIR)/gen_native.py --verify
	$(PYTHON) -m unittest -q $(JAVA_DIR)/test_gen_native.py

# The library to bundle, without its debug info (the debug build's is most of its size).
# JAVA_PROFILE=release bundles an optimised build instead (for a jar to ship: a GET on the
# debug build costs milliseconds of CPU); the tests use the debug build `make ffi` makes.
JAVA_PROFILE ?= debug
java-native: ffi
	$(if $(filter release,$(JAVA_PROFILE)),$(CARGO) build --release -p blooio-ffi)
	@mkdir -p $(JAVA_NATIVE_DIR)
	objcopy --strip-debug $(abspath $(CARGO_TARGET_DIR))/$(JAVA_PROFILE)/libblooio.so $(JAVA_NATIVE_DIR)/libblooio.so

java: java-native check-java-bindings
	cd $(JAVA_DIR) && $(MVN) -q $(MVN_FLAGS) $(JAVA_MVN_PROPS) package -DskipTests
	unzip -l $(JAVA_JAR) | grep -q ' linux-x86-64/libblooio.so$$' \
		|| { echo "$(JAVA_JAR) lacks linux-x86-64/libblooio.so" >&2; exit 1; }

test-java: java-native check-java-bindings
	cd $(JAVA_DIR) && $(MVN) $(MVN_FLAGS) $(JAVA_MVN_PROPS) package
	unzip -l $(JAVA_JAR) | grep -q ' linux-x86-64/libblooio.so$$'

examples-java: java
	cd $(JAVA_DIR) && $(MVN) -q $(MVN_FLAGS) install:install-file -DpomFile=pom.xml \
		-Dfile=target/$(notdir $(JAVA_JAR))
	cd examples/java && $(MVN) -q $(MVN_FLAGS) package

package io.blooionative;

import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The setup the emulator-backed test classes share: an emulator of their own (started before
 * the class's first test, stopped after its last) reset before each test. The field is static,
 * so test classes must run one after another, as junit-platform.properties has them do.
 * A subclass's own {@code @BeforeAll} runs after {@link #startEmulator}, its {@code @AfterAll}
 * before {@link #stopEmulator}.
 */
abstract class EmulatorTest {
    static Emulator emulator;

    @BeforeAll
    static void startEmulator() throws IOException {
        emulator = Emulator.start();
    }

    @AfterAll
    static void stopEmulator() {
        emulator.close();
        emulator = null;
    }

    @BeforeEach
    void resetEmulator() {
        emulator.reset();
    }
}

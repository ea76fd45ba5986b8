package io.blooionative;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * A client its owner never closes is freed by the Cleaner. libblooio has no count of live
 * handles, so the binding keeps one (every handle it takes and gives back) and counts the
 * clients its Cleaner freed.
 */
class CleanerTest extends EmulatorTest {
    private static void useAndDrop() {
        BlooioClient dropped = emulator.client(0);
        dropped.getChatBackground(BlooioClientTest.CHAT);
    }

    @Test
    void anUnclosedClientIsFreedByTheCleaner() throws InterruptedException {
        long live = Native.liveHandles();
        long freed = Native.clientsFreedByCleaner();
        Freed.reset();
        for (int i = 0; i < 3; i++) {
            useAndDrop();
        }
        assertEquals(live + 3, Native.liveHandles(), "three clients are open, nothing else");
        for (int i = 0; i < 200 && Native.clientsFreedByCleaner() < freed + 3; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertEquals(freed + 3, Native.clientsFreedByCleaner());
        assertEquals(live, Native.liveHandles());
        assertEquals(3, Freed.check().get(Native.Kind.CLIENT), "libblooio freed the three clients");
    }

    @Test
    void aClosedClientIsNotFreedAgainByTheCleaner() throws InterruptedException {
        long freed = Native.clientsFreedByCleaner();
        long live = Native.liveHandles();
        emulator.client(0).close();
        for (int i = 0; i < 20; i++) {
            System.gc();
            Thread.sleep(5);
        }
        assertEquals(freed, Native.clientsFreedByCleaner());
        assertEquals(live, Native.liveHandles());
    }
}

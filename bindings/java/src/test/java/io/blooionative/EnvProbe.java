package io.blooionative;

/**
 * Run in a child JVM by EnvTest, with BLOOIO_* variables set: builds a client from the
 * environment (plus one explicit default header), makes one get and prints its request id; a
 * refused build prints the message on stderr and exits 3.
 */
public final class EnvProbe {
    private EnvProbe() {}

    public static void main(String[] args) {
        try (BlooioClient client = BlooioClient.builder().defaultHeader("X-Both", "explicit").build()) {
            System.out.println(client.getChatBackground("+15551234567").requestId().orElse("none"));
        } catch (InvalidConfigException e) {
            System.err.println("refused: " + e.getMessage());
            System.exit(3);
        }
    }
}

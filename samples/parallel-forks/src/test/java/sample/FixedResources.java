package sample;

import static org.junit.Assert.assertEquals;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a test that assumes it has the machine to itself does: it listens on a fixed port of
 * 127.0.0.1 and keeps its state in a fixed file under /tmp, for a moment, then checks the file is
 * still its own and removes it.
 */
final class FixedResources {
    static final int PORT = 47123;
    static final Path FILE = Path.of("/tmp/barco-parallel-forks.state");
    static final long HOLD_MILLIS = 5000;

    private FixedResources() {
    }

    static void hold(String who) throws Exception {
        try (ServerSocket server = new ServerSocket(PORT, 50, InetAddress.getLoopbackAddress())) {
            Files.writeString(FILE, who, StandardCharsets.UTF_8);
            try {
                Thread.sleep(HOLD_MILLIS);
                assertEquals("the state file under /tmp", who, Files.readString(FILE, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(FILE);
            }
        }
    }
}

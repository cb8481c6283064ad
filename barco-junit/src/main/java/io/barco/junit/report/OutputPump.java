package io.barco.junit.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Copies a container's output stream to a sink as it comes, on a daemon thread, until the stream ends. */
public final class OutputPump {
    private OutputPump() {}

    /** Join the returned thread to know that all output has arrived. */
    public static Thread start(InputStream from, OutputStream to, String name) {
        Thread thread = new Thread(
                () -> {
                    byte[] buffer = new byte[8192];
                    try {
                        for (int n; (n = from.read(buffer)) > 0; ) {
                            to.write(buffer, 0, n);
                            to.flush();
                        }
                    } catch (IOException e) {
                        // closed when the container was killed, or gone
                    }
                },
                name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}

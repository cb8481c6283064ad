package io.barco.junit.fork;

import io.barco.junit.settings.InBarcoSettings;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Test JVMs started ahead of their tests: when a JVM-mode test takes its JVM and more of its class
 * are to come, the next one for the same settings starts in its own container and boots while this
 * test runs, so the next test finds it ready. Each JVM still runs one test only, in a container no
 * other test used. One per test class, closed with it, killing what no test took.
 */
public final class StandbyForks implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    private final Forks forks;
    private final int expected;
    private int taken;
    private final ExecutorService starter = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "barco-standby-fork");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<InBarcoSettings, CompletableFuture<ForkedJvm>> ready = new HashMap<>();
    private boolean closed;

    /**
     * @param forks the run's forks, which start these
     * @param expected how many JVM-mode tests the class may run: the last of them starts none ahead
     */
    public StandbyForks(Forks forks, int expected) {
        this.forks = forks;
        this.expected = expected;
    }

    /** A JVM for these settings, started ahead if one is, else now; then starts the next one. */
    ForkedJvm take(InBarcoSettings settings) throws IOException {
        CompletableFuture<ForkedJvm> standing;
        synchronized (this) {
            standing = ready.remove(settings);
            taken++;
            if (!closed && taken < expected) {
                ready.put(settings, CompletableFuture.supplyAsync(() -> startOrNull(settings), starter));
            }
        }
        ForkedJvm jvm = standing == null ? null : standing.join();
        if (jvm != null && jvm.isAlive()) {
            return jvm;
        }
        if (jvm != null) {
            jvm.close(); // died waiting (killed from outside): not for a test
        }
        return forks.start(settings, false, true);
    }

    private ForkedJvm startOrNull(InBarcoSettings settings) {
        try {
            return forks.start(settings, false, true);
        } catch (IOException | RuntimeException e) {
            return null; // the test that would have taken it starts its own, and meets the error itself
        }
    }

    @Override
    public void close() throws IOException {
        Map<InBarcoSettings, CompletableFuture<ForkedJvm>> left;
        synchronized (this) {
            closed = true;
            left = new HashMap<>(ready);
            ready.clear();
        }
        starter.shutdown();
        IOException failure = null;
        for (CompletableFuture<ForkedJvm> standing : left.values()) {
            ForkedJvm jvm = standing.join();
            if (jvm != null) {
                try {
                    jvm.close();
                } catch (IOException e) {
                    failure = failure == null ? e : failure;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}

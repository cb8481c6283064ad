package io.barco.junit.fork;

import io.barco.junit.settings.InBarcoSettings;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * How many JVMs a test class's JVM-mode tests that each run alone take from the run's
 * {@link WarmJvms}, and so whether the next one starts ahead: when a test takes its JVM and more of
 * its class are to come, the next one for the same settings starts in its own container and boots
 * while this test runs. One per test class, closed with it: what it started ahead and no test took
 * is closed then.
 */
public final class StandbyForks implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    private final WarmJvms pool;
    private final int expected;
    private int taken;
    private boolean closed;
    private final Set<WarmJvms.Kind> startedAhead = new LinkedHashSet<>();

    /**
     * @param pool the run's JVMs started ahead
     * @param expected how many JVM-mode tests the class may run: the last of them starts none ahead
     */
    public StandbyForks(WarmJvms pool, int expected) {
        this.pool = pool;
        this.expected = expected;
    }

    /** A JVM for these settings, started ahead if one is, else now; then, unless it was the last, the next one. */
    ForkedJvm take(InBarcoSettings settings) throws IOException {
        boolean startNext;
        synchronized (this) {
            taken++;
            startNext = !closed && taken < expected;
            if (startNext) {
                startedAhead.add(new WarmJvms.Kind(settings, false));
            }
        }
        return pool.take(settings, false, startNext);
    }

    @Override
    public void close() {
        Set<WarmJvms.Kind> started;
        synchronized (this) {
            closed = true;
            started = Set.copyOf(startedAhead);
        }
        pool.closeUnused(started);
    }
}

package io.barco.junit.fork;

import io.barco.junit.settings.InBarcoSettings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Batch JVMs started ahead of their batch, JVM-wide. A batch JVM learns which class (or run) it runs
 * only when it is handed its tests, so one started for the same settings can serve any batch: the
 * run's first is started as the test plan starts (under the whole-suite switch, while the host is
 * still setting up), and as a class takes its JVM, the next class's starts and boots while this one
 * runs. Each JVM still runs one batch, in a container no other batch used. What no batch took is
 * closed when the plan ends (and by the forks' shutdown hook).
 */
public final class BatchForks {
    private static final ExecutorService STARTER = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "barco-batch-ahead");
        thread.setDaemon(true);
        return thread;
    });
    private static final Map<InBarcoSettings, CompletableFuture<ForkedJvm>> READY = new HashMap<>();

    private BatchForks() {}

    /**
     * A batch JVM for these settings, the one started ahead if there is one, else one started now;
     * with {@code startNext}, the next batch's starts ahead as this one is handed out.
     */
    static ForkedJvm take(InBarcoSettings settings, boolean startNext) throws IOException {
        CompletableFuture<ForkedJvm> standing;
        synchronized (BatchForks.class) {
            standing = READY.remove(settings);
        }
        ForkedJvm jvm = standing == null ? null : standing.join();
        if (jvm != null && !jvm.isAlive()) {
            jvm.close(); // died waiting (killed from outside): not for a batch
            jvm = null;
        }
        if (jvm == null) {
            jvm = ForkedJvm.start(settings, true, true);
        }
        if (startNext) {
            startAhead(settings);
        }
        return jvm;
    }

    /** Starts a batch JVM for these settings in the background, unless one is already waiting. */
    public static void startAhead(InBarcoSettings settings) {
        synchronized (BatchForks.class) {
            READY.computeIfAbsent(settings, s -> CompletableFuture.supplyAsync(() -> startOrNull(s), STARTER));
        }
    }

    private static ForkedJvm startOrNull(InBarcoSettings settings) {
        try {
            return ForkedJvm.start(settings, true, true);
        } catch (IOException | RuntimeException e) {
            return null; // the batch that would have taken it starts its own, and meets the error itself
        }
    }

    /** Closes the JVMs no batch took: the plan is over. */
    public static void closeUnused() {
        List<CompletableFuture<ForkedJvm>> left;
        synchronized (BatchForks.class) {
            left = new ArrayList<>(READY.values());
            READY.clear();
        }
        for (CompletableFuture<ForkedJvm> standing : left) {
            ForkedJvm jvm = standing.join();
            if (jvm != null) {
                try {
                    jvm.close();
                } catch (IOException e) {
                    // what is left, the next JVM or barco gc collects
                }
            }
        }
    }
}

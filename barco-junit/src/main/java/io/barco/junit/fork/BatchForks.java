package io.barco.junit.fork;

import io.barco.junit.outcome.Outcomes;
import io.barco.junit.settings.InBarcoSettings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Batch JVMs started ahead of their batch, for one run. A batch JVM learns which class (or run) it runs
 * only when it is handed its tests, so one started for the same settings can serve any batch: the
 * run's first is started as the test plan starts (under the whole-suite switch, while the host is
 * still setting up), and as a class takes its JVM, the next class's starts and boots while this one
 * runs. Each JVM still runs one batch, in a container no other batch used. What no batch took is
 * closed when the plan ends (and by the forks' shutdown hook).
 */
public final class BatchForks implements AutoCloseable {
    private final ExecutorService starter = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "barco-batch-ahead");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<InBarcoSettings, CompletableFuture<ForkedJvm>> ready = new HashMap<>();
    private final Forks forks;

    public BatchForks(Forks forks) {
        this.forks = forks;
    }

    /**
     * A batch JVM for these settings, the one started ahead if there is one, else one started now;
     * with {@code startNext}, the next batch's starts ahead as this one is handed out.
     */
    ForkedJvm take(InBarcoSettings settings, boolean startNext) throws IOException {
        CompletableFuture<ForkedJvm> standing;
        synchronized (this) {
            standing = ready.remove(settings);
        }
        ForkedJvm jvm = standing == null ? null : standing.join();
        if (jvm != null && !jvm.isAlive()) {
            jvm.close(); // died waiting (killed from outside): not for a batch
            jvm = null;
        }
        if (jvm == null) {
            jvm = forks.start(settings, true, true);
        }
        if (startNext) {
            startAhead(settings);
        }
        return jvm;
    }

    /** Starts a batch JVM for these settings in the background, unless one is already waiting. */
    public void startAhead(InBarcoSettings settings) {
        synchronized (this) {
            ready.computeIfAbsent(settings, s -> CompletableFuture.supplyAsync(() -> startOrNull(s), starter));
        }
    }

    /**
     * Runs every test below the given unique ids (classes, say) in one forked JVM: the one started
     * ahead for its settings, if any. The JVM starts from the class data archive of its classpath,
     * written first if there is none yet: the archive is kept across JVMs and builds, so even a run's
     * single batch pays for it once, and a build that forks a JVM per class itself (Surefire's
     * reuseForks=false) gains in every one.
     *
     * @param batch the class whose tests these are, or {@code *} for a whole run (see {@link ForkedTestRunner})
     * @param moreToCome whether more batches are to come, whose JVM then starts ahead
     * @param progress gets the outcomes so far each time the JVM reports more
     */
    public ForkedTest.Batch run(
            InBarcoSettings settings,
            String batch,
            List<String> uniqueIds,
            boolean moreToCome,
            Consumer<Outcomes> progress)
            throws IOException, InterruptedException {
        return take(settings, moreToCome).run(batch, uniqueIds, progress);
    }

    private ForkedJvm startOrNull(InBarcoSettings settings) {
        try {
            return forks.start(settings, true, true);
        } catch (IOException | RuntimeException e) {
            return null; // the batch that would have taken it starts its own, and meets the error itself
        }
    }

    /** Closes the JVMs no batch took: the run is over. */
    @Override
    public void close() {
        List<CompletableFuture<ForkedJvm>> left;
        synchronized (this) {
            left = new ArrayList<>(ready.values());
            ready.clear();
        }
        starter.shutdown();
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

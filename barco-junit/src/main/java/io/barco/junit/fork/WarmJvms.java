package io.barco.junit.fork;

import io.barco.junit.outcome.Outcomes;
import io.barco.junit.settings.InBarcoSettings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The run's one pool of test JVMs started ahead: while a test or a batch runs, the JVM the next one
 * will want starts in its own container and boots, so it finds it ready. A JVM waits for a kind of
 * work (its settings, and whether it runs one test or a batch, whose options differ) and can be
 * started before its test is known: a batch JVM learns which class (or run) it runs only when it is
 * handed its tests. Each JVM still runs once, in a container no other test used. The run's first
 * batch JVM is started as the test plan starts (under the whole-suite switch); as a class takes its
 * JVM, the next class's starts; as a test takes its own, the next test's of its class does
 * ({@link StandbyForks}). What nothing took is closed when its class or the run ends.
 */
public final class WarmJvms implements AutoCloseable {
    /** What a waiting JVM is for. */
    record Kind(InBarcoSettings settings, boolean batch) {}

    private final Forks forks;
    /** Starts JVMs in the background, one thread per start at once, none kept idle long. */
    private final ExecutorService starter = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "barco-jvm-ahead");
        thread.setDaemon(true);
        return thread;
    });

    private final Map<Kind, CompletableFuture<ForkedJvm>> ready = new HashMap<>();
    private boolean closed;

    public WarmJvms(Forks forks) {
        this.forks = forks;
    }

    /**
     * A JVM of this kind: the one started ahead if it is still alive, else one started now; with
     * {@code startNext}, the next of the kind starts ahead as this one is handed out.
     */
    ForkedJvm take(InBarcoSettings settings, boolean batch, boolean startNext) throws IOException {
        Kind kind = new Kind(settings, batch);
        CompletableFuture<ForkedJvm> standing;
        synchronized (this) {
            standing = ready.remove(kind);
            if (startNext && !batch) {
                startAheadLocked(kind); // a test's JVM is small: the next boots beside this one from now
            }
        }
        ForkedJvm jvm = standing == null ? null : standing.join();
        if (jvm != null && !jvm.isAlive()) {
            jvm.close(); // died waiting (killed from outside): not for a test
            jvm = null;
        }
        if (jvm == null) {
            jvm = forks.start(settings, batch, true);
        }
        if (startNext && batch) {
            startAhead(settings, true); // a batch's JVM is large: the next boots once this one is up
        }
        return jvm;
    }

    /** Starts a JVM of this kind in the background, unless one is waiting already. */
    public synchronized void startAhead(InBarcoSettings settings, boolean batch) {
        startAheadLocked(new Kind(settings, batch));
    }

    private void startAheadLocked(Kind kind) {
        if (!closed) {
            ready.computeIfAbsent(kind, k -> CompletableFuture.supplyAsync(() -> startOrNull(k), starter));
        }
    }

    private ForkedJvm startOrNull(Kind kind) {
        try {
            return forks.start(kind.settings(), kind.batch(), true);
        } catch (IOException | RuntimeException e) {
            return null; // what would have taken it starts its own, and meets the error itself
        }
    }

    /**
     * Runs every test below the given unique ids (classes, say) in one batch JVM: the one started
     * ahead for its settings, if any. The JVM starts from the class data archive of its classpath,
     * written first if there is none yet: the archive is kept across JVMs and builds, so even a run's
     * single batch pays for it once, and a build that forks a JVM per class itself (Surefire's
     * reuseForks=false) gains in every one.
     *
     * @param batch the class whose tests these are, or {@code *} for a whole run (see {@link ForkedTestRunner})
     * @param moreToCome whether more batches are to come, whose JVM then starts ahead
     * @param progress gets the outcomes so far each time the JVM reports more
     */
    public ForkedTest.Batch runBatch(
            InBarcoSettings settings,
            String batch,
            List<String> uniqueIds,
            boolean moreToCome,
            Consumer<Outcomes> progress)
            throws IOException, InterruptedException {
        return take(settings, true, moreToCome).run(batch, uniqueIds, progress);
    }

    /** Closes what waits, unused, for these kinds of work: who wanted them is done. */
    void closeUnused(Collection<Kind> kinds) {
        List<CompletableFuture<ForkedJvm>> left = new ArrayList<>();
        synchronized (this) {
            for (Kind kind : kinds) {
                CompletableFuture<ForkedJvm> standing = ready.remove(kind);
                if (standing != null) {
                    left.add(standing);
                }
            }
        }
        close(left);
    }

    /** The run is over: what no test or batch took is closed, and nothing starts ahead any more. */
    @Override
    public void close() {
        List<CompletableFuture<ForkedJvm>> left;
        synchronized (this) {
            closed = true;
            left = new ArrayList<>(ready.values());
            ready.clear();
        }
        starter.shutdown();
        close(left);
    }

    private static void close(List<CompletableFuture<ForkedJvm>> left) {
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

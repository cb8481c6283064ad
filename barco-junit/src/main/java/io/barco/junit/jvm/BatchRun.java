package io.barco.junit.jvm;

import io.barco.junit.fork.ForkedTest;
import io.barco.junit.outcome.Outcomes;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One forked JVM for many tests, started by the first of them (or their class) to need it. It runs
 * on a thread of its own; the host's tests and classes wait for what they need of its outcomes.
 */
final class BatchRun implements AutoCloseable {
    private final BatchPlan plan;
    private final BatchFork fork;
    private Thread runner;
    private Outcomes soFar = Outcomes.NONE;
    private ForkedTest.Batch result;

    BatchRun(BatchPlan plan, BatchFork fork) {
        this.plan = plan;
        this.fork = fork;
    }

    /** Waits until the outcomes so far satisfy {@code ready}, or the JVM ended; the whole result then, else null. */
    synchronized ForkedTest.Batch await(Predicate<Outcomes> ready) throws InterruptedException {
        if (runner == null) {
            runner = new Thread(this::runJvm, "barco-batch-" + plan.name());
            runner.setDaemon(true); // the forks' shutdown hook closes the JVM itself
            runner.start();
        }
        while (result == null && !ready.test(soFar)) {
            wait();
        }
        return result;
    }

    /** The result when the JVM ended, else what it reported so far, as a batch that "is running". */
    synchronized ForkedTest.Batch endedOrSoFar(ForkedTest.Batch ended) {
        return ended != null ? ended : new ForkedTest.Batch(soFar, null, Optional.empty(), "is running");
    }

    /**
     * When its class (or the run) ends: its JVM has ended too, and everything it made is gone, even
     * where nothing waited for its last outcome (a class that also has command-mode tests, say).
     */
    @Override
    public synchronized void close() throws InterruptedException {
        while (runner != null && result == null) {
            wait();
        }
    }

    synchronized Outcomes soFar() {
        return soFar;
    }

    private synchronized void progress(Outcomes outcomes) {
        soFar = outcomes;
        notifyAll();
    }

    private void runJvm() {
        ForkedTest.Batch ended;
        try {
            ended = fork.run(plan, this::progress);
        } catch (IOException | RuntimeException | Error e) {
            ended = ForkedTest.Batch.failed(e, Optional.empty());
        } catch (InterruptedException e) {
            ended = ForkedTest.Batch.failed(e, Optional.empty());
        }
        synchronized (this) {
            result = ended;
            soFar = ended.outcomes();
            notifyAll();
        }
    }
}

package io.barco.junit.jvm;

import io.barco.cgroup.ResourceUsage;
import io.barco.junit.fork.ForkedTest;
import io.barco.junit.outcome.OutcomeFile;
import io.barco.junit.outcome.Outcomes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * JVM-mode tests that share a forked JVM: a class's ({@code class} granularity, the default) or a whole
 * run's ({@code run}). The JVM runs the class as a plain run would — its {@code @BeforeAll}, static
 * state, {@code @AfterAll} and class-level extensions — and the host replays each test's outcome. A
 * failure of the class itself in the fork (its {@code @BeforeAll} threw, or its {@code @AfterAll}) is
 * the host's class's failure too, so reports count it as a plain run does.
 *
 * <p>It works from the {@link ClassPlan}s the extension resolved, and starts JVMs through a
 * {@link BatchFork}; it answers with outcomes and usage, which the extension reports. One per run.
 */
public final class ClassForks implements AutoCloseable {
    private final BatchFork fork;
    /** The run's batches by {@link BatchPlan#key}, each started by the first test or class to need it. */
    private final Map<String, BatchRun> batches = new ConcurrentHashMap<>();

    public ClassForks(BatchFork fork) {
        this.fork = fork;
    }

    /**
     * The outcome of a test from the JVM of its batch, as soon as that JVM reported it (the host's test
     * ends with the fork's, so reports time each test and its output comes while it runs), with the
     * test's own usage as its JVM measured it; empty when the test is not among what that JVM ran (it
     * runs on its own).
     */
    public Optional<ForkedTest.Outcome> outcome(String testId, BatchPlan plan) throws InterruptedException {
        BatchRun batch = batch(plan);
        ForkedTest.Batch ended = batch.await(soFar -> decided(soFar, testId));
        ForkedTest.Outcome outcome = batch.endedOrSoFar(ended).outcomeOf(testId, true);
        if (outcome == null) {
            return Optional.empty();
        }
        return Optional.of(outcome.withUsage(spentBy(ended != null ? ended.outcomes() : batch.soFar(), testId)));
    }

    /** Whether the outcomes so far decide this test's: its own came, or a container above it failed, or the report is no longer believed. */
    private static boolean decided(Outcomes soFar, String id) {
        return soFar.outcomeOf(id) != null || soFar.failedContainerAbove(id) != null || soFar.stopped() != null;
    }

    /**
     * What this test spent as its JVM measured it: wall and CPU time while it ran, and the JVM's
     * resident memory at its highest meanwhile (the JVM's cgroup figures are the batch's, reported
     * with its class); empty when it has no record of its own.
     */
    static Optional<ResourceUsage> spentBy(Outcomes outcomes, String id) {
        OutcomeFile.TestOutcome o = outcomes.outcomeOf(id);
        if (o == null || o.spent().wallNanos() < 0) {
            return Optional.empty();
        }
        OutcomeFile.Spent spent = o.spent();
        OptionalLong peak =
                spent.peakResidentBytes() >= 0 ? OptionalLong.of(spent.peakResidentBytes()) : OptionalLong.empty();
        return Optional.of(new ResourceUsage(
                peak,
                nanos(spent.cpuUserNanos()),
                nanos(spent.cpuSystemNanos()),
                OptionalLong.empty(),
                false,
                0,
                OptionalLong.empty(),
                OptionalLong.empty(),
                Duration.ofNanos(spent.wallNanos())));
    }

    private static Optional<Duration> nanos(long n) {
        return n >= 0 ? Optional.of(Duration.ofNanos(n)) : Optional.empty();
    }

    /**
     * Before a class whose tests all share a JVM: the JVM runs now; a failure of the class there before
     * any of its tests started (its {@code @BeforeAll}) is thrown, as the class's failure here.
     */
    public void beforeAll(ClassPlan plan) throws Throwable {
        if (!plan.jvmModeClass() || plan.batch().isEmpty()) {
            return;
        }
        String classId = plan.classId();
        BatchRun batch = batch(plan.batch().get());
        // decided once one of its tests started, or the class itself ended (its @BeforeAll failed, or it ran nothing)
        ForkedTest.Batch ended = batch.await(soFar ->
                soFar.testStartedUnder(classId) || soFar.outcomeOf(classId) != null || soFar.stopped() != null);
        Throwable failure = batch.endedOrSoFar(ended).classFailure(classId, false);
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * After a class: a failure of the class in its fork after its tests started (its {@code @AfterAll})
     * is the class's failure here. A class's own JVM (or the run's, after its last class) is waited
     * for, so that what it leaves (coverage, say) is in place when the class ends, and its usage
     * (memory, CPU, tasks of the whole JVM) comes back to be reported with the class. The batch is
     * closed when it ends with this class.
     */
    public ClassEnd afterAll(ClassPlan plan) throws InterruptedException {
        if (plan.batch().isEmpty()) {
            return ClassEnd.NOTHING;
        }
        BatchPlan batchPlan = plan.batch().get();
        try {
            // a class that also has command-mode tests runs its JVM-mode tests in a batch all the same, if it had any
            if (!plan.jvmModeClass() && !batches.containsKey(batchPlan.key())) {
                return ClassEnd.NOTHING;
            }
            String classId = plan.classId();
            boolean lastOfJvm = plan.lastOfBatch();
            BatchRun batch = batch(batchPlan);
            ForkedTest.Batch ended =
                    batch.await(soFar -> !lastOfJvm && (soFar.outcomeOf(classId) != null || soFar.stopped() != null));
            Optional<ResourceUsage> usage = ended != null && lastOfJvm ? ended.usage() : Optional.empty();
            Throwable failure = batch.endedOrSoFar(ended).classFailure(classId, true);
            // else the class's lifecycle ran on the host too, and its own failure is the host's
            return new ClassEnd(usage, plan.jvmModeClass() ? failure : null);
        } finally {
            if (plan.lastOfBatch()) {
                close(batchPlan.key());
            }
        }
    }

    /** The batch of this plan: the one started already, or a new one (not running until something awaits it). */
    private BatchRun batch(BatchPlan plan) {
        return batches.computeIfAbsent(plan.key(), key -> new BatchRun(plan, fork));
    }

    private void close(String key) throws InterruptedException {
        BatchRun batch = batches.remove(key);
        if (batch != null) {
            batch.close();
        }
    }

    /** When the run ends: every batch's JVM has ended, and what it made is gone. */
    @Override
    public void close() throws InterruptedException {
        for (String key : new ArrayList<>(batches.keySet())) {
            close(key);
        }
    }

    /** The keys of the batches not closed yet, for tests. */
    List<String> openBatches() {
        return List.copyOf(batches.keySet());
    }
}

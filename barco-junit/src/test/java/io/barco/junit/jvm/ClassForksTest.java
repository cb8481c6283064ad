package io.barco.junit.jvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barco.junit.fork.ForkedTest;
import io.barco.junit.outcome.OutcomeFile;
import io.barco.junit.settings.InBarcoSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * How the host waits for a shared JVM and what it makes of its report: against a scripted fake fork
 * ({@link ScriptedFork}), so the waiting and the outcomes are checked without containers or root.
 */
@Timeout(60)
class ClassForksTest {
    private static final String ENGINE = "[engine:junit-jupiter]";
    private static final String CLASS = ENGINE + "/[class:x.FooTest]";
    private static final String OTHER_CLASS = ENGINE + "/[class:x.BarTest]";
    private static final String T1 = CLASS + "/[method:one()]";
    private static final String T2 = CLASS + "/[method:two()]";
    private static final String T3 = CLASS + "/[method:three()]";

    @TempDir
    Path dir;

    private static final BatchPlan BATCH =
            new BatchPlan(CLASS, "x.FooTest", InBarcoSettings.defaults(), List.of(T1, T2), false);

    /** The plan of the class that owns the batch: its JVM ends with it. */
    private static final ClassPlan OWNER = new ClassPlan(CLASS, Granularity.CLASS, true, Optional.of(BATCH), true);

    private static void opens(OutcomeFile.Writer w) throws IOException {
        w.started(ENGINE, false);
        w.started(CLASS, false);
    }

    private static void passes(OutcomeFile.Writer w, String id) throws IOException {
        w.started(id);
        w.test(id, OutcomeFile.Status.SUCCESSFUL, null);
    }

    private static void closes(OutcomeFile.Writer w) throws IOException {
        w.test(CLASS, OutcomeFile.Status.SUCCESSFUL, null);
        w.test(ENGINE, OutcomeFile.Status.SUCCESSFUL, null);
    }

    @Test
    void aTestsOutcomeComesAsSoonAsItsJvmReportsItWhileTheJvmStillRuns() throws Throwable {
        CountDownLatch goOn = new CountDownLatch(1);
        ScriptedFork fork = new ScriptedFork(dir)
                .writes(ClassForksTest::opens)
                .writes(w -> passes(w, T1))
                .writes(w -> w.started(T2)) // a record after T1's: T1's outcome is decided
                .holds(goOn)
                .writes(w -> w.test(T2, OutcomeFile.Status.SUCCESSFUL, null))
                .writes(ClassForksTest::closes);
        ClassForks forks = new ClassForks(fork);

        Optional<ForkedTest.Outcome> one = forks.outcome(T1, BATCH);

        assertThat(one).hasValueSatisfying(o -> assertThat(o.failure()).isNull());
        assertThat(fork.ended.getCount()).as("the JVM still runs").isEqualTo(1);
        goOn.countDown();
        assertThat(forks.outcome(T2, BATCH))
                .hasValueSatisfying(o -> assertThat(o.failure()).isNull());
        forks.close();
        assertThat(fork.runs).as("one JVM for the batch").hasValue(1);
        assertThat(fork.ranPlan).isEqualTo(BATCH);
    }

    @Test
    void aFailureInTheForkIsTheHostTestsFailure() throws Throwable {
        ClassForks forks = new ClassForks(new ScriptedFork(dir)
                .writes(ClassForksTest::opens)
                .writes(w -> {
                    w.started(T1);
                    w.test(T1, OutcomeFile.Status.FAILED, new AssertionFailedError("expected 2 but was 3"));
                })
                .writes(ClassForksTest::closes));

        ForkedTest.Outcome one = forks.outcome(T1, BATCH).orElseThrow();

        assertThat(one.failure()).isInstanceOf(AssertionFailedError.class).hasMessage("expected 2 but was 3");
        assertThatThrownBy(one::rethrow).isSameAs(one.failure());
    }

    @Test
    void anAbortedTestIsAbortedOnTheHost() throws Throwable {
        ClassForks forks = new ClassForks(new ScriptedFork(dir)
                .writes(ClassForksTest::opens)
                .writes(w -> {
                    w.started(T1);
                    w.test(T1, OutcomeFile.Status.ABORTED, new TestAbortedException("not on this machine"));
                })
                .writes(ClassForksTest::closes));

        assertThat(forks.outcome(T1, BATCH).orElseThrow().failure())
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("not on this machine");
    }

    @Test
    void aTestTheJvmDidNotRunHasNoOutcomeFromIt() throws Throwable {
        ClassForks forks = new ClassForks(new ScriptedFork(dir)
                .writes(ClassForksTest::opens)
                .writes(w -> passes(w, T1))
                .writes(ClassForksTest::closes));

        assertThat(forks.outcome(T3, BATCH)).as("it runs on its own").isEmpty();
    }

    @Test
    void aJvmThatDiesWhileATestRunsFailsThatTestAndAbortsThoseItNeverReached() throws Throwable {
        ClassForks forks = new ClassForks(new ScriptedFork(dir)
                .writes(ClassForksTest::opens)
                .writes(w -> w.started(T1))
                .endsWithout("was killed by signal 9"));

        assertThat(forks.outcome(T1, BATCH).orElseThrow().failure())
                .isInstanceOf(AssertionFailedError.class)
                .hasMessage("the forked test JVM was killed by signal 9 while this test ran");
        assertThat(forks.outcome(T2, BATCH).orElseThrow().failure())
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("before it reached this test");
    }

    @Test
    void aJvmThatCannotStartFailsEveryTestOfItsBatchWithWhy() throws Throwable {
        IOException why = new IOException("no such rootfs");
        ScriptedFork fork = new ScriptedFork(dir).cannotStart(why);
        ClassForks forks = new ClassForks(fork);

        assertThat(forks.outcome(T1, BATCH).orElseThrow().failure()).isSameAs(why);
        assertThat(forks.outcome(T2, BATCH).orElseThrow().failure()).isSameAs(why);
        assertThat(fork.runs).as("tried once").hasValue(1);
    }

    @Test
    void aTestsUsageIsWhatItsJvmMeasuredOfIt() throws Throwable {
        ClassForks forks = new ClassForks(new ScriptedFork(dir)
                .writes(ClassForksTest::opens)
                .writes(w -> {
                    w.started(T1);
                    w.test(
                            T1,
                            OutcomeFile.Status.SUCCESSFUL,
                            null,
                            new OutcomeFile.Spent(5_000_000, 3_000_000, 1_000_000, 64L << 20));
                })
                .writes(w -> passes(w, T2))
                .writes(ClassForksTest::closes));

        ForkedTest.Outcome one = forks.outcome(T1, BATCH).orElseThrow();
        ForkedTest.Outcome two = forks.outcome(T2, BATCH).orElseThrow();

        assertThat(one.usage()).hasValueSatisfying(u -> {
            assertThat(u.wallTime()).isEqualTo(Duration.ofMillis(5));
            assertThat(u.cpuTotal()).contains(Duration.ofMillis(4));
            assertThat(u.peakMemoryBytes()).hasValue(64L << 20);
        });
        assertThat(two.usage()).as("no record of its own").isEmpty();
    }

    @Test
    void beforeAllThrowsTheClassFailureOfTheForkBeforeAnyTestStarted() throws Throwable {
        ClassForks forks = new ClassForks(new ScriptedFork(dir)
                .writes(ClassForksTest::opens)
                .writes(w -> w.test(CLASS, OutcomeFile.Status.FAILED, new IllegalStateException("no database")))
                .writes(w -> w.test(ENGINE, OutcomeFile.Status.SUCCESSFUL, null)));

        assertThatThrownBy(() -> forks.beforeAll(OWNER)).hasMessageContaining("no database");
    }

    @Test
    void beforeAllReturnsOnceATestOfTheClassStartedWithoutWaitingForTheJvm() throws Throwable {
        CountDownLatch goOn = new CountDownLatch(1);
        ScriptedFork fork = new ScriptedFork(dir)
                .writes(ClassForksTest::opens)
                .writes(w -> w.started(T1))
                .holds(goOn)
                .writes(w -> w.test(T1, OutcomeFile.Status.SUCCESSFUL, null))
                .writes(ClassForksTest::closes);
        ClassForks forks = new ClassForks(fork);

        forks.beforeAll(OWNER);

        assertThat(fork.ended.getCount()).isEqualTo(1);
        goOn.countDown();
        forks.close();
        assertThat(fork.ended.getCount()).as("close waits for the JVM").isZero();
    }

    @Test
    void beforeAllOfAClassWithoutASharedJvmStartsNothing() throws Throwable {
        ScriptedFork fork = new ScriptedFork(dir);
        ClassForks forks = new ClassForks(fork);

        forks.beforeAll(new ClassPlan(CLASS, Granularity.METHOD, true, Optional.empty(), false));
        forks.beforeAll(new ClassPlan(CLASS, Granularity.CLASS, false, Optional.of(BATCH), true));

        assertThat(fork.runs).hasValue(0);
        assertThat(forks.openBatches()).isEmpty();
    }

    @Test
    void afterAllOfTheOwningClassWaitsForTheJvmAndGivesItsUsageAndClosesTheBatch() throws Throwable {
        ScriptedFork fork = new ScriptedFork(dir)
                .writes(ClassForksTest::opens)
                .writes(w -> passes(w, T1))
                .writes(w -> passes(w, T2))
                .writes(ClassForksTest::closes);
        ClassForks forks = new ClassForks(fork);
        forks.beforeAll(OWNER);

        ClassEnd end = forks.afterAll(OWNER);

        assertThat(fork.ended.getCount()).isZero();
        assertThat(end.jvmUsage()).contains(ScriptedFork.JVM_USAGE);
        assertThat(end.failure()).isNull();
        assertThat(forks.openBatches()).isEmpty();
    }

    @Test
    void afterAllGivesTheClassFailureOfItsAfterAllInTheFork() throws Throwable {
        ClassForks forks = new ClassForks(new ScriptedFork(dir)
                .writes(ClassForksTest::opens)
                .writes(w -> passes(w, T1))
                .writes(w -> w.test(CLASS, OutcomeFile.Status.FAILED, new IllegalStateException("cleanup failed")))
                .writes(w -> w.test(ENGINE, OutcomeFile.Status.SUCCESSFUL, null)));
        forks.beforeAll(OWNER);

        ClassEnd end = forks.afterAll(OWNER);

        assertThat(end.failure()).hasMessageContaining("cleanup failed");
    }

    @Test
    void aNestedClassThatSharesItsOuterClassesJvmDoesNotWaitForItsEnd() throws Throwable {
        String nested = CLASS + "/[nested-class:Inner]";
        CountDownLatch goOn = new CountDownLatch(1);
        ScriptedFork fork = new ScriptedFork(dir)
                .writes(ClassForksTest::opens)
                .writes(w -> w.started(nested, false))
                .writes(w -> passes(w, nested + "/[method:inner()]"))
                .writes(w -> w.test(nested, OutcomeFile.Status.SUCCESSFUL, null))
                .writes(w -> w.started(T1))
                .holds(goOn)
                .writes(w -> w.test(T1, OutcomeFile.Status.SUCCESSFUL, null))
                .writes(ClassForksTest::closes);
        ClassForks forks = new ClassForks(fork);
        ClassPlan inner = new ClassPlan(nested, Granularity.CLASS, true, Optional.of(BATCH), false);

        forks.beforeAll(inner);
        ClassEnd end = forks.afterAll(inner);

        assertThat(end).isEqualTo(new ClassEnd(Optional.empty(), null));
        assertThat(fork.ended.getCount()).as("the outer class's JVM runs on").isEqualTo(1);
        assertThat(forks.openBatches()).containsExactly(CLASS);
        goOn.countDown();
        assertThat(forks.afterAll(OWNER).jvmUsage()).contains(ScriptedFork.JVM_USAGE);
    }

    @Test
    void aClassWithCommandModeTestsStartsNoJvmAfterwardsIfNoneOfItsTestsNeededOne() throws Throwable {
        ScriptedFork fork = new ScriptedFork(dir);
        ClassForks forks = new ClassForks(fork);

        ClassEnd end = forks.afterAll(new ClassPlan(CLASS, Granularity.CLASS, false, Optional.of(BATCH), true));

        assertThat(end).isEqualTo(new ClassEnd(Optional.empty(), null));
        assertThat(fork.runs).hasValue(0);
    }

    @Test
    void aClassWithCommandModeTestsKeepsItsOwnFailureOnTheHost() throws Throwable {
        ClassPlan mixed = new ClassPlan(CLASS, Granularity.CLASS, false, Optional.of(BATCH), true);
        ClassForks forks = new ClassForks(new ScriptedFork(dir)
                .writes(ClassForksTest::opens)
                .writes(w -> passes(w, T1))
                .writes(w -> w.test(CLASS, OutcomeFile.Status.FAILED, new IllegalStateException("in the fork")))
                .writes(w -> w.test(ENGINE, OutcomeFile.Status.SUCCESSFUL, null)));
        forks.outcome(T1, BATCH);

        ClassEnd end = forks.afterAll(mixed);

        assertThat(end.failure()).as("its lifecycle ran on the host too").isNull();
        assertThat(end.jvmUsage()).contains(ScriptedFork.JVM_USAGE);
    }

    @Test
    void eachBatchOfTheRunHasAJvmOfItsOwnAndTheRunsEndClosesThemAll() throws Throwable {
        ScriptedFork fork = new ScriptedFork(dir)
                .writes(ClassForksTest::opens)
                .writes(w -> passes(w, T1))
                .writes(ClassForksTest::closes);
        ScriptedFork other = new ScriptedFork(dir.resolve("..").resolve(dir.getFileName() + "-other"));
        java.nio.file.Files.createDirectories(dir.resolve("..").resolve(dir.getFileName() + "-other"));
        BatchPlan otherBatch = new BatchPlan(OTHER_CLASS, "x.BarTest", InBarcoSettings.defaults(), List.of(), false);
        ClassForks forks = new ClassForks((plan, progress) -> (plan.equals(BATCH) ? fork : other).run(plan, progress));

        forks.outcome(T1, BATCH);
        forks.outcome(OTHER_CLASS + "/[method:x()]", otherBatch);
        assertThat(forks.openBatches()).containsExactlyInAnyOrder(CLASS, OTHER_CLASS);
        forks.close();

        assertThat(forks.openBatches()).isEmpty();
        assertThat(fork.runs).hasValue(1);
        assertThat(other.runs).hasValue(1);
    }

    @Test
    void aTestWithAnInBarcoOfItsOwnGetsItsOwnJvmWhateverItsClassShares() {
        ClassPlan plan = new ClassPlan(CLASS, Granularity.CLASS, true, Optional.of(BATCH), true);
        assertThat(plan.granularityOf(true)).isEqualTo(Granularity.METHOD);
        assertThat(plan.granularityOf(false)).isEqualTo(Granularity.CLASS);
    }
}

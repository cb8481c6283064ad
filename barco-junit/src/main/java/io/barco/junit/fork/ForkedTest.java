package io.barco.junit.fork;

import io.barco.cgroup.ResourceUsage;
import io.barco.junit.outcome.OutcomeFile;
import io.barco.junit.outcome.Outcomes;
import io.barco.junit.outcome.ThrowableData;
import io.barco.junit.settings.InBarcoSettings;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * JVM mode: runs one test, or a batch, in a {@link ForkedJvm} and brings the outcome back. The forked
 * JVM gets the host's classpath (bound in where the container user could not reach it), runs tests
 * by their unique ids through the JUnit Platform launcher, and writes their outcomes as data
 * ({@link OutcomeFile}) to a directory bound from the host. Its output streams to the host's as it
 * comes.
 */
public final class ForkedTest {

    /** The outcome on the host: rethrow it to make the host's test end the same way. */
    public record Outcome(Throwable failure, Optional<ResourceUsage> usage) {
        /** The same outcome with this test's own usage. */
        public Outcome withUsage(Optional<ResourceUsage> own) {
            return new Outcome(failure, own);
        }

        public void rethrow() throws Throwable {
            if (failure != null) {
                throw failure;
            }
        }
    }

    private ForkedTest() {}

    /** Runs the test of {@code context} alone in a forked JVM, one started ahead when there is one. */
    public static Outcome run(InBarcoSettings settings, ExtensionContext context, StandbyForks standby)
            throws IOException, InterruptedException {
        String id = context.getUniqueId();
        Batch batch = standby.take(settings).run(List.of(id));
        Outcome outcome = batch.outcomeOf(id, false);
        return outcome != null
                ? outcome
                : new Outcome(
                        new AssertionFailedError(
                                "the forked test JVM " + batch.ending() + " without reporting an outcome for " + id),
                        batch.usage());
    }

    /**
     * How a forked JVM's run ended: the outcomes it reported, or one failure for all (it timed out,
     * was OOM-killed, or left an unreadable outcome file), and how it ended.
     */
    public record Batch(
            Outcomes outcomes,
            Throwable failure,
            Optional<ResourceUsage> usage,
            String ending,
            String fatalDescription) {
        public Batch(Outcomes outcomes, Throwable failure, Optional<ResourceUsage> usage, String ending) {
            this(outcomes, failure, usage, ending, ending);
        }

        /**
         * How a class itself ended in the fork, if it failed or was aborted there: before any of its
         * tests started ({@code afterTests} false: its @BeforeAll), or after ({@code afterTests} true:
         * its @AfterAll). Null otherwise.
         */
        public Throwable classFailure(String classId, boolean afterTests) {
            if (failure != null) {
                return null; // the fork itself failed: each test reports that
            }
            if (!afterTests && !outcomes.complete() && outcomes.reportedNothing()) {
                // the JVM ended before it ran anything (it could not start, say): a failure, not tests left unrun
                AssertionFailedError failed = new AssertionFailedError(
                        (outcomes.fatal() != null ? fatalDescription : "the forked test JVM " + ending)
                                + " before it ran a test");
                if (outcomes.fatal() != null) {
                    failed.initCause(outcomes.fatal().toFailure());
                }
                return failed;
            }
            if (outcomes.testStartedUnder(classId) != afterTests) {
                return null;
            }
            OutcomeFile.TestOutcome own = outcomes.outcomeOf(classId);
            if (own == null && outcomes.stopped() != null) {
                return new AssertionFailedError(outcomes.stopped());
            }
            return own != null && own.status() != OutcomeFile.Status.SUCCESSFUL ? failureOf(own) : null;
        }

        public static Batch failed(Throwable failure, Optional<ResourceUsage> usage) {
            return new Batch(Outcomes.NONE, failure, usage, "failed");
        }

        /**
         * The outcome of a test: its own, else that of a failed or skipped container above it (its
         * class's @BeforeAll failed, say), as far as they are decided ({@link Outcomes}); when the
         * host stopped believing the fork's report, a failure saying why; when the JVM ended while the test ran, a failure saying so,
         * and before reaching it, a failure or, in a batch whose JVM died on another test, an abort; null when the JVM finished without it (it was not part of the batch).
         */
        public Outcome outcomeOf(String uniqueId, boolean notReachedIsAbort) {
            if (failure != null) {
                return new Outcome(failure, usage);
            }
            OutcomeFile.TestOutcome own = outcomes.outcomeOf(uniqueId);
            OutcomeFile.TestOutcome found = own != null ? own : outcomes.failedContainerAbove(uniqueId);
            if (found != null) {
                return new Outcome(failureOf(found), usage);
            }
            if (outcomes.stopped() != null) {
                // what the fork reported for this test, if anything, came after what the host stopped believing
                return new Outcome(new AssertionFailedError(outcomes.stopped()), usage);
            }
            if (!outcomes.complete() && outcomes.started(uniqueId)) {
                AssertionFailedError died = new AssertionFailedError(
                        outcomes.fatal() != null
                                ? fatalDescription + " while this test ran"
                                : "the forked test JVM " + ending + " while this test ran");
                if (outcomes.fatal() != null) {
                    died.initCause(outcomes.fatal().toFailure());
                }
                return new Outcome(died, usage);
            }
            if (!outcomes.complete() && !notReachedIsAbort) {
                return new Outcome(
                        new AssertionFailedError("the forked test JVM " + ending + " before it ran this test"), usage);
            }
            if (!outcomes.complete()) {
                return new Outcome(
                        new TestAbortedException("not run: "
                                + (outcomes.fatal() != null ? fatalDescription : "the forked test JVM " + ending)
                                + " before it reached this test"),
                        usage);
            }
            return null;
        }
    }

    public static Throwable failureOf(OutcomeFile.TestOutcome outcome) {
        ThrowableData t = outcome.throwable();
        return switch (outcome.status()) {
            case SUCCESSFUL -> null;
            case ABORTED -> t != null ? t.toAborted() : new TestAbortedException("aborted in barco container");
            case FAILED -> t != null ? t.toFailure() : new AssertionFailedError("failed in barco container");
        };
    }
}

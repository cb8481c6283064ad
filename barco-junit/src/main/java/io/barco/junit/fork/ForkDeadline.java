package io.barco.junit.fork;

import io.barco.junit.config.BarcoKeys;
import io.barco.junit.outcome.Outcomes;
import io.barco.spec.Durations;
import java.time.Duration;
import java.util.Optional;

/**
 * When the host ends a forked JVM, whatever the JVM does: the host never waits without a deadline
 * for anything a container controls. In a JVM that runs a class's (or the run's) tests, each test
 * has the annotation's timeout, measured by the host from when it read the test's start, and a
 * grace for the fork's own JUnit timeout to report first; every fork has {@code barco.forkTimeout}
 * in all. (A JVM for one test is killed at its timeout by its container, as the test's whole run.)
 */
final class ForkDeadline {
    /** What the fork's own timeout, which runs in the fork, has to report before the host ends the JVM. */
    static final Duration GRACE = Duration.ofSeconds(5);

    private final Optional<Duration> testTimeout;
    private final Duration forkTimeout;
    private final long begunNanos;

    /**
     * @param testTimeout each test's, for a JVM of many tests; empty otherwise
     * @param begunNanos when the JVM was handed its tests ({@link System#nanoTime})
     */
    ForkDeadline(Optional<Duration> testTimeout, Duration forkTimeout, long begunNanos) {
        this.testTimeout = testTimeout;
        this.forkTimeout = forkTimeout;
        this.begunNanos = begunNanos;
    }

    /** Why the JVM must be ended now, given the test it runs (if any); empty while it may run on. */
    Optional<String> overdue(Optional<Outcomes.Running> test, long nowNanos) {
        if (testTimeout.isPresent()
                && test.isPresent()
                && nowNanos - test.get().startedNanos()
                        > nanos(testTimeout.get().plus(GRACE))) {
            return Optional.of(TestNames.of(test.get().id()) + " timed out after " + Durations.format(testTimeout.get())
                    + " and had not ended " + Durations.format(GRACE) + " later");
        }
        if (nowNanos - begunNanos > nanos(forkTimeout)) {
            return Optional.of("it ran past " + BarcoKeys.FORK_TIMEOUT + "=" + Durations.format(forkTimeout));
        }
        return Optional.empty();
    }

    /** How long the JVM may run on from now if no test of it runs past its timeout. */
    Duration left(long nowNanos) {
        long left = nanos(forkTimeout) - (nowNanos - begunNanos);
        return Duration.ofNanos(Math.max(0, left));
    }

    private static long nanos(Duration d) {
        return d.compareTo(Durations.MAX) >= 0 ? Long.MAX_VALUE : d.toNanos();
    }
}

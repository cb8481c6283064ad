package io.barco.junit.jvm;

import io.barco.junit.fork.ForkedTest;
import io.barco.junit.outcome.Outcomes;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * Runs a batch in a forked JVM and reports its outcomes as they come: the seam between
 * {@link ClassForks}' waiting and the containers, so that a unit test gives it a fake fork.
 */
@FunctionalInterface
public interface BatchFork {
    /**
     * Runs {@code plan}'s tests in a JVM of its own, calling {@code progress} with all outcomes so far
     * each time more come, and returns how the JVM ended.
     */
    ForkedTest.Batch run(BatchPlan plan, Consumer<Outcomes> progress) throws IOException, InterruptedException;
}

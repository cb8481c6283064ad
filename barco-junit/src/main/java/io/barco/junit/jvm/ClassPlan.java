package io.barco.junit.jvm;

import java.util.Optional;

/**
 * A test class's JVM-mode plan, resolved once by the extension and kept in the class's store: what
 * this package needs to run the class's tests, so that it never asks the extension again.
 *
 * @param classId the class context's unique id
 * @param granularity how its JVM-mode tests without an {@code @InBarco} of their own are forked
 * @param jvmModeClass whether all of its tests run in forked JVMs: then nothing of the class runs on the host
 * @param batch the JVM its tests share, unless each test has its own (or the class is not barco's)
 * @param lastOfBatch whether the batch's JVM ends with this class: it is the owning class, or the run's last
 */
public record ClassPlan(
        String classId, Granularity granularity, boolean jvmModeClass, Optional<BatchPlan> batch, boolean lastOfBatch) {

    /** How a test of this class is forked: a method with an {@code @InBarco} of its own always gets its own JVM. */
    public Granularity granularityOf(boolean methodHasOwnSettings) {
        return methodHasOwnSettings ? Granularity.METHOD : granularity;
    }
}

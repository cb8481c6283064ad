package io.barco.junit.bench;

import io.barco.junit.InBarco;
import org.junit.jupiter.api.RepeatedTest;

/** Trivial tests, plain and in JVM mode, for ExtensionOverheadBenchmark. */
public final class OverheadFixtures {
    private OverheadFixtures() {}

    public static class Plain {
        @RepeatedTest(30)
        void noop() {}
    }

    @InBarco
    public static class InContainer {
        @RepeatedTest(30)
        void noop() {}
    }
}

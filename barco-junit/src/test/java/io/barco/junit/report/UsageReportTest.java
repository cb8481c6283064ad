package io.barco.junit.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.junit.InBarco;
import io.barco.junit.InBarcoDeclarations;
import io.barco.junit.settings.InBarcoSettings;
import java.lang.reflect.Method;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class UsageReportTest {

    private static String name(String uniqueId) {
        return UsageReport.name(new UsageReport.Entry(uniqueId, null));
    }

    @Test
    void namesATestByItsClassMethodAndInvocation() {
        assertThat(name("[engine:junit-jupiter]/[class:io.x.FooTest]/[method:bar()]"))
                .isEqualTo("FooTest#bar");
        assertThat(name("[engine:junit-jupiter]/[class:io.x.ParallelSampleIT]/[test-template:each(java.lang.String)]"
                        + "/[test-template-invocation:#4]"))
                .isEqualTo("ParallelSampleIT#each[4]");
        assertThat(name("[engine:junit-jupiter]/[class:io.x.Outer]/[nested-class:Inner]/[method:m(io.y.Z)]"))
                .isEqualTo("Inner#m");
    }

    @InBarco(memory = "64M")
    static class Limited {
        void plain() {}

        void other() {}

        @InBarco(memory = "128M")
        void more() {}
    }

    @InBarco
    static class Bare {
        void plain() {}
    }

    static class Unannotated {
        void plain() {}
    }

    /** A run's report: what it worked out is its own. */
    private final UsageReport report = new UsageReport();

    /** What memoryLimit gave when it built a container spec for each record: the reference. */
    private static long specBuiltPerRecord(
            Class<?> testClass, Optional<Method> method, Function<String, Optional<String>> parameters) {
        try {
            return annotated(testClass, method)
                    .map(settings ->
                            settings.configuredBy(parameters).spec("unused").build())
                    .flatMap(spec -> spec.limits().memoryLimit().isPresent()
                            ? Optional.of(spec.limits().memoryLimit().getAsLong())
                            : Optional.<Long>empty())
                    .orElse(-1L);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static Optional<InBarcoSettings> annotated(Class<?> testClass, Optional<Method> method) {
        return new InBarcoDeclarations().settings(testClass, method);
    }

    private static Optional<Method> method(Class<?> testClass, String name) throws NoSuchMethodException {
        return Optional.of(testClass.getDeclaredMethod(name));
    }

    private void limitIs(
            Class<?> testClass, Optional<Method> method, Function<String, Optional<String>> parameters, long limit) {
        assertThat(report.memoryLimit(annotated(testClass, method), parameters))
                .as(testClass.getSimpleName() + " " + method)
                .isEqualTo(limit)
                .isEqualTo(specBuiltPerRecord(testClass, method, parameters));
    }

    @Test
    void aTestsMemoryLimitIsWhatItsSettingsGiveWorkedOutOncePerSettings() throws Exception {
        Function<String, Optional<String>> none = key -> Optional.empty();
        Function<String, Optional<String>> memory512 =
                key -> key.equals("barco.memory") ? Optional.of("512M") : Optional.empty();
        Function<String, Optional<String>> badMemory =
                key -> key.equals("barco.memory") ? Optional.of("lots") : Optional.empty();
        limitIs(Limited.class, method(Limited.class, "plain"), none, 64L << 20);
        limitIs(Limited.class, method(Limited.class, "other"), none, 64L << 20);
        limitIs(Limited.class, Optional.empty(), none, 64L << 20);
        limitIs(Limited.class, method(Limited.class, "more"), none, 128L << 20);
        limitIs(Bare.class, method(Bare.class, "plain"), none, -1);
        limitIs(Bare.class, method(Bare.class, "plain"), memory512, 512L << 20);
        limitIs(Bare.class, method(Bare.class, "plain"), badMemory, -1);
        limitIs(Unannotated.class, method(Unannotated.class, "plain"), memory512, -1);
        // Limited's plain(), other() and the class itself share one; more(), and Bare under none and under 512M, one
        // each
        assertThat(report.memoryLimits).hasSize(4);
    }
}

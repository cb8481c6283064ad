package io.barco.junit.bench;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import io.barco.junit.BarcoExtension;
import java.util.Map;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs the generated suite of bench/whole-suite.sh (75 classes, 19,000 test methods) once, as a build
 * tool would (discovery included), plainly or under the whole-suite switch, and prints its outcomes
 * and wall time. One mode per JVM, so that no run warms the JVM for another. A benchmark, not a test.
 * Usage: {@code WholeSuiteBenchmark plain|method|class|run}.
 */
public final class WholeSuiteBenchmark {
    private WholeSuiteBenchmark() {}

    public static void main(String[] args) {
        String mode = args[0];
        Map<String, String> parameters = mode.equals("plain")
                ? Map.of()
                : Map.of(
                        "junit.jupiter.extensions.autodetection.enabled",
                        "true",
                        BarcoExtension.ALL_PARAMETER,
                        "true",
                        BarcoExtension.GRANULARITY_PARAMETER,
                        mode);
        long start = System.nanoTime();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        LauncherFactory.create()
                .execute(
                        LauncherDiscoveryRequestBuilder.request()
                                .selectors(selectPackage("generated.suite"))
                                .configurationParameters(parameters)
                                .build(),
                        summary);
        double seconds = (System.nanoTime() - start) / 1e9;
        TestExecutionSummary s = summary.getSummary();
        System.out.printf(
                "%-24s %6d tests: %6d passed, %4d failed, %4d aborted in %6.2f s%n",
                mode.equals("plain") ? "plain" : "barco.all, " + mode,
                s.getTestsFoundCount(),
                s.getTestsSucceededCount(),
                s.getTestsFailedCount(),
                s.getTestsAbortedCount(),
                seconds);
    }
}

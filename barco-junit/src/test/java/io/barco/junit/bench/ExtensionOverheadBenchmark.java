package io.barco.junit.bench;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.barco.junit.BarcoExtension;
import io.barco.junit.BenchAccess;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Per-test overhead of the extension, printed as p50/p90: a trivial test run plainly, the same test
 * in JVM mode, and command mode's exec("/bin/true"). A benchmark, not a test: run bench/extension.sh.
 */
public final class ExtensionOverheadBenchmark {
    private ExtensionOverheadBenchmark() {}

    public static void main(String[] args) throws Exception {
        System.out.printf(
                "per-test time, after warm-up, from one JVM (%s, %d CPUs)%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors());
        System.out.printf("%-50s %9s %9s%n", "", "p50", "p90");
        runTests(OverheadFixtures.Plain.class); // warm-up
        print("a trivial test, plain", runTests(OverheadFixtures.Plain.class));
        Map<String, String> perMethod = Map.of(BarcoExtension.GRANULARITY_PARAMETER, "method");
        runTests(OverheadFixtures.InContainer.class, perMethod);
        print(
                "JVM mode, a JVM per test, started with it",
                runTests(
                        OverheadFixtures.InContainer.class,
                        Map.of(
                                BarcoExtension.GRANULARITY_PARAMETER,
                                "method",
                                BarcoExtension.START_AHEAD_PARAMETER,
                                "false")));
        print(
                "JVM mode, a JVM per test, the next started ahead",
                runTests(OverheadFixtures.InContainer.class, perMethod));
        printPerClass("JVM mode, one JVM for the class (the default)", OverheadFixtures.InContainer.class);
        System.setProperty("barco.classDataSharing", "false");
        printPerClass("  the same, without the class data archive", OverheadFixtures.InContainer.class);
        print(
                "  a JVM per test, started with it, no archive",
                runTests(
                        OverheadFixtures.InContainer.class,
                        Map.of(
                                BarcoExtension.GRANULARITY_PARAMETER,
                                "method",
                                BarcoExtension.START_AHEAD_PARAMETER,
                                "false")));
        System.clearProperty("barco.classDataSharing");
        ProcessBuilder plainTrue = new ProcessBuilder("/bin/true")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        print(
                "the same command, plain ProcessBuilder",
                measure(() -> plainTrue.start().waitFor()));
        print("command mode: exec(\"/bin/true\")", measure(BenchAccess::execTrue));
    }

    private interface Run {
        void call() throws Exception;
    }

    /** 300 runs after 50 to warm up, sorted. */
    private static long[] measure(Run run) throws Exception {
        for (int i = 0; i < 50; i++) {
            run.call();
        }
        long[] nanos = new long[300];
        for (int i = 0; i < nanos.length; i++) {
            long start = System.nanoTime();
            run.call();
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        return nanos;
    }

    private static long[] runTests(Class<?> fixture) {
        return runTests(fixture, Map.of());
    }

    private static long[] runTests(Class<?> fixture, Map<String, String> parameters) {
        Map<String, Long> started = new ConcurrentHashMap<>();
        List<Long> durations = new ArrayList<>();
        LauncherFactory.create()
                .execute(
                        LauncherDiscoveryRequestBuilder.request()
                                .selectors(selectClass(fixture))
                                .configurationParameters(parameters)
                                .build(),
                        new TestExecutionListener() {
                            @Override
                            public void executionStarted(TestIdentifier test) {
                                started.put(test.getUniqueId(), System.nanoTime());
                            }

                            @Override
                            public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                                if (test.isTest()) {
                                    if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                                        throw new IllegalStateException(test.getDisplayName() + " " + result);
                                    }
                                    synchronized (durations) {
                                        durations.add(System.nanoTime() - started.get(test.getUniqueId()));
                                    }
                                }
                            }
                        });
        return durations.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    /** A class's tests in one JVM: the class's time from its first test's start to its last test's end, per test. */
    private static void printPerClass(String name, Class<?> fixture) {
        long[] rounds = new long[5];
        int tests = 0;
        for (int round = 0; round < rounds.length; round++) {
            long start = System.nanoTime();
            tests = runTests(fixture).length;
            rounds[round] = System.nanoTime() - start;
        }
        Arrays.sort(rounds);
        System.out.printf(
                "%-50s %6.2f ms per test (the class's %d tests: %.0f ms, median of %d runs)%n",
                name, rounds[rounds.length / 2] / 1e6 / tests, tests, rounds[rounds.length / 2] / 1e6, rounds.length);
    }

    private static void print(String name, long[] sorted) {
        System.out.printf(
                "%-50s %6.2f ms %6.2f ms%n",
                name,
                sorted[sorted.length / 2] / 1e6,
                sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.9) - 1)] / 1e6);
    }
}

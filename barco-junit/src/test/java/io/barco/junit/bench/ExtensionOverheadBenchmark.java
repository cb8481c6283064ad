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
    private ExtensionOverheadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        System.out.printf("per-test time, after warm-up, from one JVM (%s, %d CPUs)%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors());
        System.out.printf("%-50s %9s %9s%n", "", "p50", "p90");
        runTests(OverheadFixtures.Plain.class); // warm-up
        print("a trivial test, plain", runTests(OverheadFixtures.Plain.class));
        runTests(OverheadFixtures.InContainer.class);
        print("the same test in JVM mode, JVM started with it", runTests(OverheadFixtures.InContainer.class,
                Map.of(BarcoExtension.START_AHEAD_PARAMETER, "false")));
        print("the same test in JVM mode, next JVM started ahead", runTests(OverheadFixtures.InContainer.class));
        ProcessBuilder plainTrue = new ProcessBuilder("/bin/true").redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        print("the same command, plain ProcessBuilder", measure(() -> plainTrue.start().waitFor()));
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
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(fixture))
                        .configurationParameters(parameters).build(),
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

    private static void print(String name, long[] sorted) {
        System.out.printf("%-50s %6.2f ms %6.2f ms%n", name, sorted[sorted.length / 2] / 1e6,
                sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.9) - 1)] / 1e6);
    }
}

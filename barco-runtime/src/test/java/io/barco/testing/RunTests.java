package io.barco.testing;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import java.util.Arrays;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs test classes with the JUnit Platform and exits non-zero if any failed or was skipped:
 * how the cgroup integration tests run in the cgroup v2 VM, where Maven does not run.
 * Usage: {@code java -cp ... io.barco.testing.RunTests CLASS...}
 */
public final class RunTests {
    private RunTests() {}

    public static void main(String[] classes) throws ClassNotFoundException {
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
        for (String name : classes) {
            request.selectors(selectClass(Class.forName(name)));
        }
        LauncherDiscoveryRequest discovery = request.build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        TestExecutionListener progress = new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                if (test.isTest()) {
                    System.out.println(result.getStatus() + "  " + test.getDisplayName()
                            + result.getThrowable().map(t -> "\n    " + t).orElse(""));
                }
            }

            @Override
            public void executionSkipped(TestIdentifier test, String reason) {
                System.out.println("SKIPPED  " + test.getDisplayName() + ": " + reason);
            }
        };
        launcher.execute(discovery, summary, progress);
        TestExecutionSummary result = summary.getSummary();
        result.printFailuresTo(new PrintWriter(System.out, true), 30);
        long failed = result.getTotalFailureCount();
        long skipped = result.getTestsSkippedCount() + result.getTestsAbortedCount();
        System.out.printf(
                "%d passed, %d failed, %d skipped (%s)%n",
                result.getTestsSucceededCount(), failed, skipped, Arrays.toString(classes));
        System.exit(failed > 0 || skipped > 0 || result.getTestsFoundCount() == 0 ? 1 : 0);
    }
}

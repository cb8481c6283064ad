package io.barco.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.abortedWithReason;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import io.barco.junit.fixtures.MixedSuiteFixture;
import io.barco.junit.fixtures.PlainFixture;
import io.barco.junit.fixtures.PlainSuiteFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.opentest4j.AssertionFailedError;

/** barco.all puts every test of a run in a container, without touching the tests. */
class WholeSuiteSwitchIT {

    @Test
    void withTheSwitchAPlainTestRunsInAContainer() {
        underTheSwitch("method", selectClass(PlainFixture.class))
                .testEvents()
                .assertThatEvents()
                .haveExactly(1, event(test("runsInABarcoContainer"), finishedSuccessfully()));
    }

    @Test
    void withoutItTheSameTestRunsOnTheHost() {
        EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(PlainFixture.class))
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .execute()
                .testEvents()
                .assertThatEvents()
                .haveExactly(1, event(test("runsInABarcoContainer"), finishedWithFailure()));
    }

    @ParameterizedTest
    @CsvSource({"method, 4", "class, 2"})
    void granularityDecidesHowManyJvmsAreForkedAndOutcomesStayTheSame(String granularity, int forks) {
        EngineExecutionResults results =
                underTheSwitch(granularity, selectClass(PlainFixture.class), selectClass(PlainSuiteFixture.class));
        results.testEvents()
                .assertThatEvents()
                .haveExactly(1, event(test("runsInABarcoContainer"), finishedSuccessfully()))
                .haveExactly(1, event(test("passesInside"), finishedSuccessfully()))
                .haveExactly(1, event(test("failsInside"), finishedWithFailure(instanceOf(AssertionFailedError.class))))
                .haveExactly(1, event(test("abortsInside"), abortedWithReason(message(m -> m.contains("not today")))));
        // usage is reported for each test, and for each JVM that ran a class; each with a peak of memory:
        // a test's own container's, or its JVM's resident memory at its highest while it ran
        assertThat(results.allEvents().reportingEntryPublished().count())
                .isEqualTo(4 + (granularity.equals("class") ? forks : 0));
        assertThat(results.allEvents()
                        .reportingEntryPublished()
                        .filter(e -> e.getPayload(org.junit.platform.engine.reporting.ReportEntry.class)
                                .map(r -> r.getKeyValuePairs().containsKey("barco.peakMemory"))
                                .orElse(false))
                        .count())
                .isEqualTo(4 + (granularity.equals("class") ? forks : 0));
    }

    /** Through the Launcher, as Surefire runs tests: it registers barco's TestPlanClasses listener. */
    @Test
    void runGranularityForksOneJvmForTheWholeRun() {
        AtomicInteger entries = new AtomicInteger();
        TestExecutionSummary result =
                launch("run", entries, selectClass(PlainFixture.class), selectClass(PlainSuiteFixture.class));
        assertThat(result.getTestsSucceededCount()).isEqualTo(2);
        assertThat(result.getTestsFailedCount()).isEqualTo(1);
        assertThat(result.getTestsAbortedCount()).isEqualTo(1);
        assertThat(entries.get())
                .as("a usage report per test, and the JVM's after the last class")
                .isEqualTo(4 + 1);
    }

    /** A test with its own @InBarco gets its own container, and does not also run, unused, in the shared one. */
    @ParameterizedTest
    @ValueSource(strings = {"class", "run"})
    void aTestWithItsOwnInBarcoRunsOnceInItsOwnContainer(String granularity) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        TestExecutionSummary result;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            result = launch(granularity, new AtomicInteger(), selectClass(MixedSuiteFixture.class));
        } finally {
            System.setOut(stdout);
        }
        assertThat(result.getTestsSucceededCount()).isEqualTo(2);
        assertThat(captured.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("annotated test ran in")))
                .containsExactly("annotated test ran in own");
    }

    /** Thousands of tests under the switch: no line per test on the console, one summary, and a file with each test's usage. */
    @Test
    void underTheSwitchUsageGoesToAFileAndOneSummary() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            launch("method", new AtomicInteger(), selectClass(PlainSuiteFixture.class));
        } finally {
            System.setOut(stdout);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertThat(out.lines()).noneMatch(l -> l.startsWith("[barco] usage of"));
        String summary = out.lines()
                .filter(l -> l.startsWith("[barco] ") && l.contains(" of tests, commands and JVMs: CPU "))
                .findFirst()
                .orElseThrow();
        java.nio.file.Path file = java.nio.file.Path.of(
                summary.substring(summary.indexOf("each test's usage in ") + "each test's usage in ".length()));
        assertThat(java.nio.file.Files.readAllLines(file))
                .first()
                .isEqualTo("test,peakMemoryBytes,cpuMillis,peakTasks,oomKills,wallMillis,measuredBy");
        assertThat(java.nio.file.Files.readString(file))
                .contains("PlainSuiteFixture")
                .contains("passesInside");
        assertThat(out).contains("[barco] most memory:").contains("[barco] most CPU:");
    }

    private static EngineExecutionResults underTheSwitch(String granularity, DiscoverySelector... selectors) {
        return EngineTestKit.engine("junit-jupiter")
                .selectors(selectors)
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .configurationParameter(BarcoExtension.ALL_PARAMETER, "true")
                .configurationParameter(BarcoExtension.GRANULARITY_PARAMETER, granularity)
                .execute();
    }

    private static TestExecutionSummary launch(
            String granularity, AtomicInteger usageReports, DiscoverySelector... selectors) {
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        LauncherFactory.create()
                .execute(
                        LauncherDiscoveryRequestBuilder.request()
                                .selectors(selectors)
                                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                                .configurationParameter(BarcoExtension.ALL_PARAMETER, "true")
                                .configurationParameter(BarcoExtension.GRANULARITY_PARAMETER, granularity)
                                .build(),
                        summary,
                        new TestExecutionListener() {
                            @Override
                            public void reportingEntryPublished(TestIdentifier test, ReportEntry entry) {
                                usageReports.incrementAndGet();
                            }
                        });
        return summary.getSummary();
    }
}

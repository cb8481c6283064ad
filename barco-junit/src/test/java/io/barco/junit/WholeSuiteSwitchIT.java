package io.barco.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;

import io.barco.junit.fixtures.PlainFixture;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;

/** barco.all puts every test of a run in a container, without touching the tests. */
class WholeSuiteSwitchIT {

    @Test
    void withTheSwitchAPlainTestRunsInAContainer() {
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(PlainFixture.class))
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .configurationParameter(BarcoExtension.ALL_PARAMETER, "true")
                .execute().testEvents().assertThatEvents()
                .haveExactly(1, event(test("runsInABarcoContainer"), finishedSuccessfully()));
    }

    @Test
    void withoutItTheSameTestRunsOnTheHost() {
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(PlainFixture.class))
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .execute().testEvents().assertThatEvents()
                .haveExactly(1, event(test("runsInABarcoContainer"), finishedWithFailure()));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"method, 4", "class, 2"})
    void granularityDecidesHowManyJvmsAreForkedAndOutcomesStayTheSame(String granularity, int forks) {
        var results = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(PlainFixture.class), selectClass(io.barco.junit.fixtures.PlainSuiteFixture.class))
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .configurationParameter(BarcoExtension.ALL_PARAMETER, "true")
                .configurationParameter(BarcoExtension.GRANULARITY_PARAMETER, granularity)
                .execute();
        results.testEvents().assertThatEvents()
                .haveExactly(1, event(test("runsInABarcoContainer"), finishedSuccessfully()))
                .haveExactly(1, event(test("passesInside"), finishedSuccessfully()))
                .haveExactly(1, event(test("failsInside"), finishedWithFailure(
                        org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf(org.opentest4j.AssertionFailedError.class))))
                .haveExactly(1, event(test("abortsInside"), org.junit.platform.testkit.engine.EventConditions.abortedWithReason(
                        org.junit.platform.testkit.engine.TestExecutionResultConditions.message(m -> m.contains("not today")))));
        // usage is reported once per forked JVM
        org.assertj.core.api.Assertions.assertThat(results.allEvents().reportingEntryPublished().count()).isEqualTo(forks);
    }

    /** Through the Launcher, as Surefire runs tests: it registers barco's TestPlanClasses listener. */
    @Test
    void runGranularityForksOneJvmForTheWholeRun() {
        java.util.concurrent.atomic.AtomicInteger entries = new java.util.concurrent.atomic.AtomicInteger();
        org.junit.platform.launcher.listeners.SummaryGeneratingListener summary = new org.junit.platform.launcher.listeners.SummaryGeneratingListener();
        org.junit.platform.launcher.core.LauncherFactory.create().execute(
                org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request()
                        .selectors(selectClass(PlainFixture.class), selectClass(io.barco.junit.fixtures.PlainSuiteFixture.class))
                        .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                        .configurationParameter(BarcoExtension.ALL_PARAMETER, "true")
                        .configurationParameter(BarcoExtension.GRANULARITY_PARAMETER, "run")
                        .build(),
                summary, new org.junit.platform.launcher.TestExecutionListener() {
                    @Override
                    public void reportingEntryPublished(org.junit.platform.launcher.TestIdentifier test,
                            org.junit.platform.engine.reporting.ReportEntry entry) {
                        entries.incrementAndGet();
                    }
                });
        var result = summary.getSummary();
        org.assertj.core.api.Assertions.assertThat(result.getTestsSucceededCount()).isEqualTo(2);
        org.assertj.core.api.Assertions.assertThat(result.getTestsFailedCount()).isEqualTo(1);
        org.assertj.core.api.Assertions.assertThat(result.getTestsAbortedCount()).isEqualTo(1);
        org.assertj.core.api.Assertions.assertThat(entries.get()).as("one forked JVM, one usage report").isEqualTo(1);
    }
}

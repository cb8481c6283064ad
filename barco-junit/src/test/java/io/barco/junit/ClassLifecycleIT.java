package io.barco.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import io.barco.junit.fixtures.LifecycleFixtures;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** A class's @BeforeAll, static state, instance and @AfterAll live where its tests run, as in a plain run. */
class ClassLifecycleIT {

    private static Events run(Class<?> fixture) {
        return EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(fixture))
                .execute()
                .allEvents();
    }

    @BeforeEach
    void clear() {
        LifecycleFixtures.RAN_ON_HOST.clear();
    }

    @Test
    void aClassesTestsShareItsJvmAndWhatItsBeforeAllSetUp() {
        Events events = run(LifecycleFixtures.SharedStatic.class);
        events.assertStatistics(
                s -> s.succeeded(3 + 3).failed(0)); // 3 tests; engine, class and nested class containers
        events.assertThatEvents().haveExactly(1, event(test("seesItsOuterClassesState"), finishedSuccessfully()));
        // nothing of the class ran on the host but what was asked to
        assertThat(LifecycleFixtures.RAN_ON_HOST).containsExactly("@AfterAll @OnHost");
    }

    @Test
    void aPerClassInstanceIsSharedByItsTests() {
        run(LifecycleFixtures.PerClassInstance.class)
                .assertStatistics(s -> s.succeeded(2 + 2).failed(0));
    }

    @Test
    void aFailingBeforeAllFailsTheClassAndItsTestsDoNotRun() {
        Events events = run(LifecycleFixtures.FailingBeforeAll.class);
        events.assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                container(LifecycleFixtures.FailingBeforeAll.class),
                                finishedWithFailure(message("the database is down"))));
        assertThat(events.started().filter(e -> e.getTestDescriptor().isTest()).count())
                .isZero();
    }

    @Test
    void aFailingAfterAllFailsTheClassAfterItsTestsPassed() {
        Events events = run(LifecycleFixtures.FailingAfterAll.class);
        events.assertThatEvents()
                .haveExactly(1, event(test("passes"), finishedSuccessfully()))
                .haveExactly(
                        1,
                        event(
                                container(LifecycleFixtures.FailingAfterAll.class),
                                finishedWithFailure(message("cannot close"))));
    }

    /** A JVM that cannot start runs nothing: that is its class's failure, never a green run of skipped tests. */
    @Test
    void aForkThatDiesBeforeItsFirstTestFailsItsClass() {
        Events events = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(LifecycleFixtures.PerClassInstance.class))
                .configurationParameter("barco.jvmArgs", "-XX:+NoSuchOptionAnywhere")
                .execute()
                .allEvents();
        events.assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                container(LifecycleFixtures.PerClassInstance.class),
                                finishedWithFailure(message(
                                        m -> m.startsWith("the forked test JVM exited with 1 before it ran a test")))));
        assertThat(events.started().filter(e -> e.getTestDescriptor().isTest()).count())
                .isZero();
    }

    @Test
    void inAClassWithBothModesCommandModeRunsOnTheHostAndJvmModeInAFork() {
        Events events = run(LifecycleFixtures.Mixed.class);
        events.assertStatistics(s -> s.succeeded(2 + 2).failed(0));
        // the forked JVM's own usage is reported with the class, as for a class of JVM-mode tests only
        assertThat(events.reportingEntryPublished()
                        .filter(e -> e.getTestDescriptor().isContainer())
                        .filter(e -> e.getPayload(org.junit.platform.engine.reporting.ReportEntry.class)
                                .orElseThrow()
                                .getKeyValuePairs()
                                .containsKey("barco.peakMemory"))
                        .count())
                .isEqualTo(1);
        assertThat(LifecycleFixtures.RAN_ON_HOST).containsExactly("command mode");
    }

    @Test
    void granularityMethodGivesEachTestAJvmOfItsOwn() {
        run(LifecycleFixtures.JvmPerMethod.class)
                .assertStatistics(s -> s.succeeded(2 + 2).failed(0));
    }

    /**
     * The fork runs the tests the host discovered, however Jupiter would resolve their ids: a method
     * selected by its id is looked up by name, which finds the override without {@code @Test}. Jupiter
     * 5.10 discovers the inherited test there and 5.14 does not; the CI's real suite (commons-io, on
     * 5.10) runs the class that showed it, DirectoryFileComparatorTest.
     */
    @Test
    void aForkRunsTheTestsTheHostDiscoveredInItsClass() {
        TestPlan plan = LauncherFactory.create()
                .discover(LauncherDiscoveryRequestBuilder.request()
                        .selectors(selectClass(LifecycleFixtures.OverridesWithoutTest.class))
                        .build());
        Set<String> discovered = new TreeSet<>();
        plan.getRoots()
                .forEach(root -> plan.getDescendants(root).stream()
                        .filter(TestIdentifier::isTest)
                        .forEach(test -> discovered.add(test.getDisplayName())));
        Events forked = run(LifecycleFixtures.OverridesWithoutTest.class);
        assertThat(forked.failed().count()).isZero();
        assertThat(new TreeSet<>(forked.succeeded()
                        .filter(e -> e.getTestDescriptor().isTest())
                        .map(e -> e.getTestDescriptor().getDisplayName())
                        .toList()))
                .isEqualTo(discovered);
    }

    /**
     * The host's tests end as the fork reports them, not all at its end: reports time each test, and
     * each test gets what it spent in the fork.
     */
    @Test
    void eachTestEndsOnTheHostWhenItEndsInTheFork() {
        Events events = run(LifecycleFixtures.QuickThenSlow.class);
        events.assertStatistics(s -> s.succeeded(2 + 2).failed(0));
        java.time.Instant quick = events.finished()
                .filter(e -> e.getTestDescriptor().getDisplayName().equals("quick()"))
                .findFirst()
                .orElseThrow()
                .getTimestamp();
        java.time.Instant slow = events.finished()
                .filter(e -> e.getTestDescriptor().getDisplayName().equals("slow()"))
                .findFirst()
                .orElseThrow()
                .getTimestamp();
        assertThat(java.time.Duration.between(quick, slow))
                .as("the quick test ended while the slow one ran")
                .isGreaterThan(java.time.Duration.ofSeconds(1));
        String slowWall = events.reportingEntryPublished()
                .filter(e -> e.getTestDescriptor().getDisplayName().equals("slow()"))
                .findFirst()
                .orElseThrow()
                .getPayload(org.junit.platform.engine.reporting.ReportEntry.class)
                .orElseThrow()
                .getKeyValuePairs()
                .get("barco.wallTime");
        assertThat(Long.parseLong(slowWall.replace(" ms", ""))).isGreaterThanOrEqualTo(2_000);
    }
}

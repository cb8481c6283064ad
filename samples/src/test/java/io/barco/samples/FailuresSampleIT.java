package io.barco.samples;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import io.barco.samples.fixtures.FailingFixtures;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;

/** Failing samples, asserted through the JUnit Platform test kit so that the build stays green. */
class FailuresSampleIT {

    @Test
    void aFailureInsideIsAFailureOnTheHost() {
        EngineTestKit.engine("junit-jupiter")
                .selectors(selectMethod(FailingFixtures.class, "failsInside"))
                .execute()
                .testEvents()
                .assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                test("failsInside"),
                                finishedWithFailure(
                                        instanceOf(AssertionError.class), message(m -> m.contains("to contain")))));
    }

    @Test
    void aTestOverItsMemoryLimitFailsAsOomKilled() {
        EngineTestKit.engine("junit-jupiter")
                .selectors(selectMethod(FailingFixtures.class, "outgrowsItsMemoryLimitOffHeap"))
                .execute()
                .testEvents()
                .assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                test("outgrowsItsMemoryLimitOffHeap"),
                                finishedWithFailure(message(m -> m.contains("OOM-killed") && m.contains("64M")))));
    }
}

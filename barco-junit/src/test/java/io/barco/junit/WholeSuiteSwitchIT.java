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
}

package io.barco.junit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.barco.junit.fixtures.ForkEnvironmentFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * A fork gets the build's environment, but not what looks like a secret unless barco.passEnv names
 * it, and its system properties through a file only it reads, not on its command line.
 */
class ForkEnvironmentIT {

    @BeforeEach
    void properties() {
        assumeTrue(
                System.getenv(ForkEnvironmentFixture.SECRET_LOOKING) != null,
                "run by Failsafe, with barco-junit's environmentVariables");
        System.setProperty(
                ForkEnvironmentFixture.PROPERTY,
                "s3cr3t-" + ProcessHandle.current().pid());
    }

    @AfterEach
    void clear() {
        System.clearProperty(ForkEnvironmentFixture.PROPERTY);
        System.clearProperty("barco.it.expectToken");
    }

    @Test
    void secretLookingVariablesStayOnTheHostAndPropertiesOffTheCommandLine() {
        EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(ForkEnvironmentFixture.class))
                .execute()
                .testEvents()
                .assertStatistics(s -> s.succeeded(2).failed(0));
    }

    @Test
    void barcoPassEnvPassesThemByNameOrPattern() {
        System.setProperty("barco.it.expectToken", System.getenv(ForkEnvironmentFixture.SECRET_LOOKING));
        EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(ForkEnvironmentFixture.class))
                .configurationParameter("barco.passEnv", "OTHER, BARCO_IT_*_TOKEN")
                .execute()
                .testEvents()
                .assertStatistics(s -> s.succeeded(2).failed(0));
    }
}

package io.barco.junit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JUnitVersionTest {

    @Test
    void anOlderJUnitIsRefusedInOneLineNamingTheMinimum() {
        assertThat(JUnitVersion.problem("5.8.2"))
                .isEqualTo(
                        "barco-junit needs JUnit 5.9.0 or newer (JUnit 6 too), and this test run"
                                + " has JUnit Jupiter 5.8.2: declare org.junit:junit-bom (or org.junit.jupiter:junit-jupiter) 5.9.0 or newer");
        assertThat(JUnitVersion.problem("4.13.2")).contains("needs JUnit 5.9.0 or newer");
        assertThat(JUnitVersion.problem("5.9.0-M1"))
                .as("a milestone of the minimum is the minimum")
                .isNull();
    }

    @Test
    void theSupportedRangeAndJUnit6Pass() {
        for (String version : new String[] {"5.9.0", "5.9.3", "5.10.5", "5.14.4", "6.0.0-RC1", "6.1.3", "7.0"}) {
            assertThat(JUnitVersion.problem(version)).as(version).isNull();
        }
    }

    @Test
    void anUnknownVersionIsNotRefused() {
        assertThat(JUnitVersion.problem(null)).isNull();
        assertThat(JUnitVersion.problem("repackaged")).isNull();
    }

    @Test
    void theJUnitThisBuildRunsPasses() {
        String running = org.junit.jupiter.api.extension.ExtensionContext.class
                .getPackage()
                .getImplementationVersion();
        assertThat(running)
                .as("JUnit's jars say their version in their manifests")
                .isNotBlank();
        assertThat(JUnitVersion.problem(running)).isNull();
        JUnitVersion.check();
    }

    @Test
    void theProblemIsOneLine() {
        assertThat(JUnitVersion.problem("5.7.0")).doesNotContain("\n");
    }
}

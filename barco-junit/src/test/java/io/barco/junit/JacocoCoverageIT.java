package io.barco.junit;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.junit.fixtures.CoveredFixture;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * A build with JaCoCo gives its test JVM {@code -javaagent:jacocoagent.jar=destfile=...}: the coverage of
 * a JVM-mode test, recorded in its forked JVM, lands in that file as it would without barco.
 */
class JacocoCoverageIT {

    /** The test JVM of such a build: runs the fixture through the JUnit Platform, as Surefire would. */
    public static void main(String[] args) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(org.junit.platform.engine.discovery.DiscoverySelectors.selectClass(CoveredFixture.class)).build();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        LauncherFactory.create().execute(request, summary);
        System.exit(summary.getSummary().getTestsSucceededCount() == 1 && summary.getSummary().getTotalFailureCount() == 0 ? 0 : 1);
    }

    @Test
    void coverageOfAForkedTestLandsInTheBuildsDestfile(@TempDir Path dir) throws Exception {
        String agent = List.of(System.getProperty("java.class.path").split(File.pathSeparator)).stream()
                .filter(entry -> entry.contains("org.jacoco.agent")).findFirst().orElseThrow();
        Path destfile = dir.resolve("target/jacoco.exec");
        Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-javaagent:" + agent + "=destfile=" + destfile + ",sessionid=the-build-jvm",
                "-cp", System.getProperty("java.class.path"), JacocoCoverageIT.class.getName())
                .inheritIO().start();
        assertThat(jvm.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(jvm.exitValue()).as("the fixture passed in its forked JVM").isZero();
        String data = new String(Files.readAllBytes(destfile), StandardCharsets.ISO_8859_1);
        // two sessions: the build's JVM, and the forked JVM, which the host appended from its result directory
        assertThat(data).contains("the-build-jvm");
        assertThat(data.split("the-build-jvm", -1)).as("sessions named for the build's JVM").hasSize(3);
        assertThat(data).contains("io/barco/junit/fixtures/CoveredFixture");
    }
}

package io.barco.junit;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.junit.fixtures.CoveredFixture;
import io.barco.junit.fixtures.JunkCoverageFixture;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jacoco.core.data.ExecutionData;
import org.jacoco.core.data.SessionInfo;
import org.jacoco.core.tools.ExecFileLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * A build with JaCoCo gives its test JVM {@code -javaagent:jacocoagent.jar=destfile=...}: the coverage of
 * a JVM-mode test, recorded in its forked JVM, lands in that file as it would without barco.
 */
class JacocoCoverageIT {

    /**
     * The test JVM of such a build: runs the fixture through the JUnit Platform, as Surefire would
     * (with an argument, {@link JunkCoverageFixture} after it); exits 0 when the fixture passed.
     */
    public static void main(String[] args) {
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request()
                .selectors(org.junit.platform.engine.discovery.DiscoverySelectors.selectClass(CoveredFixture.class));
        if (args.length > 0) {
            request.selectors(
                    org.junit.platform.engine.discovery.DiscoverySelectors.selectClass(JunkCoverageFixture.class));
        }
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        LauncherFactory.create().execute(request.build(), summary);
        System.exit(
                summary.getSummary().getTestsSucceededCount() == 1
                                && summary.getSummary().getTotalFailureCount() == args.length
                        ? 0
                        : 1);
    }

    @Test
    void coverageOfAForkedTestLandsInTheBuildsDestfile(@TempDir Path dir) throws Exception {
        String agent = List.of(System.getProperty("java.class.path").split(File.pathSeparator)).stream()
                .filter(entry -> entry.contains("org.jacoco.agent"))
                .findFirst()
                .orElseThrow();
        Path destfile = dir.resolve("target/jacoco.exec");
        Process jvm = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-javaagent:" + agent + "=destfile=" + destfile + ",sessionid=the-build-jvm",
                        "-cp",
                        System.getProperty("java.class.path"),
                        JacocoCoverageIT.class.getName())
                // into a file, not this JVM's stdout: Surefire's fork channel, which output of another process corrupts
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("build-jvm.log").toFile())
                .start();
        // a bound against a hang, not a pace: under emulation (the Debian VM) the two JVMs take minutes
        boolean ended = jvm.waitFor(10, TimeUnit.MINUTES);
        if (!ended) {
            jvm.destroyForcibly();
        }
        assertThat(ended).as("the build's JVM ended").isTrue();
        assertThat(jvm.exitValue())
                .as("the fixture passed in its forked JVM:%n%s", Files.readString(dir.resolve("build-jvm.log")))
                .isZero();
        String data = new String(Files.readAllBytes(destfile), StandardCharsets.ISO_8859_1);
        // two sessions: the build's JVM, and the forked JVM, which the host appended from its result directory
        assertThat(data).contains("the-build-jvm");
        assertThat(data.split("the-build-jvm", -1))
                .as("sessions named for the build's JVM")
                .hasSize(3);
        assertThat(data).contains("io/barco/junit/fixtures/CoveredFixture");
    }

    /** A fork that leaves junk as its coverage loses its own, with a warning; the build's file loads with everyone else's. */
    @Test
    void junkAForkLeavesAsCoverageLeavesTheBuildsFileLoadable(@TempDir Path dir) throws Exception {
        String agent = List.of(System.getProperty("java.class.path").split(File.pathSeparator)).stream()
                .filter(entry -> entry.contains("org.jacoco.agent"))
                .findFirst()
                .orElseThrow();
        Path destfile = dir.resolve("target/jacoco.exec");
        Process jvm = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-javaagent:" + agent + "=destfile=" + destfile + ",sessionid=the-build-jvm",
                        "-cp",
                        System.getProperty("java.class.path"),
                        JacocoCoverageIT.class.getName(),
                        "junk")
                .redirectErrorStream(true)
                .start();
        String output = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.println(output);
        // a bound against a hang, not a pace: under emulation (the Debian VM) the two JVMs take minutes
        boolean ended = jvm.waitFor(10, TimeUnit.MINUTES);
        if (!ended) {
            jvm.destroyForcibly();
        }
        assertThat(ended).as("the build's JVM ended").isTrue();
        assertThat(jvm.exitValue())
                .as("the covered fixture passed, the junk one failed")
                .isZero();
        assertThat(output)
                .contains("[barco] the forked test JVM's coverage data was not added to " + destfile
                        + ": it ends inside a block");
        ExecFileLoader loaded = new ExecFileLoader();
        loaded.load(destfile.toFile());
        assertThat(loaded.getExecutionDataStore().getContents())
                .extracting(ExecutionData::getName)
                .contains("io/barco/junit/fixtures/CoveredFixture");
        assertThat(loaded.getSessionInfoStore().getInfos())
                .extracting(SessionInfo::getId)
                .containsOnly("the-build-jvm");
    }
}

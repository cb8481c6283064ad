package io.barco.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.barco.BarcoRuntime;
import io.barco.junit.fixtures.SleepingFixture;
import io.barco.sys.OwnedTempDirectories;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * A test JVM killed while its forked JVM runs leaves nothing behind once barco gc has run (SIGTERM:
 * nothing even before; SIGKILL: the next JVM or barco gc collects its containers, cgroups and
 * directories). Only what the killed JVM made is checked: other builds may run on the machine.
 */
class ForkedJvmDeathIT {

    /** The test JVM to kill: runs the sleeping fixture through the JUnit Platform, as Surefire would. */
    public static void main(String[] args) {
        LauncherFactory.create()
                .execute(LauncherDiscoveryRequestBuilder.request()
                        .selectors(DiscoverySelectors.selectClass(SleepingFixture.class))
                        .build());
    }

    @ParameterizedTest(name = "killed with {0}")
    @ValueSource(strings = {"TERM", "KILL"})
    void aKilledTestJvmLeavesNothingOnceBarcoGcRan(String signal) throws Exception {
        Process jvm = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        ForkedJvmDeathIT.class.getName())
                .redirectErrorStream(true)
                .start();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
            // its forked JVM runs the test in a container
            assertThat(out.lines()
                            .filter(l -> l.contains("sleeping in the container"))
                            .findFirst())
                    .isPresent();
            String owner = "-" + jvm.pid() + "-";
            assertThat(ourTempDirectories(owner)).isNotEmpty();
            assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(jvm.pid()))
                            .start()
                            .waitFor())
                    .isZero();
            assertThat(jvm.waitFor(60, TimeUnit.SECONDS)).isTrue();
            if (signal.equals("TERM")) {
                // its shutdown hooks closed its containers and removed their directories and groups
                assertThat(ourTempDirectories(owner)).isEmpty();
                assertThat(Leftovers.cgroupsStartingWith("barco-" + jvm.pid() + "-"))
                        .isEmpty();
            }
            // barco gc: what `barco gc` runs
            BarcoRuntime.defaults().collectGarbage();
            OwnedTempDirectories.collectDead();
            assertThat(ourTempDirectories(owner)).isEmpty();
            assertThat(Leftovers.cgroupsStartingWith("barco-" + jvm.pid() + "-"))
                    .isEmpty();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Leftovers.processesWith(SleepingFixture.TOKEN).isEmpty());
        } finally {
            jvm.destroyForcibly();
        }
    }

    private static List<Path> ourTempDirectories(String owner) throws IOException {
        try (Stream<Path> tmp = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return tmp.filter(p -> p.getFileName().toString().startsWith("barco-junit" + owner))
                    .toList();
        }
    }
}

package io.barco.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.barco.junit.fixtures.SharedContainerFixtures;
import io.barco.sys.ProcFiles;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** One container per test, or per class from @BeforeAll, in which commands share a network; hostPort reaches it from the host. */
class SharedContainerIT {

    @Test
    void aBeforeAllsContainerServesEveryTestOfTheClassAndEndsAfterAfterAll() throws Exception {
        SharedContainerFixtures.SEEN.clear();
        Events events = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(SharedContainerFixtures.class))
                .execute()
                .allEvents();
        // 5 tests: 3 on the host, one in a JVM of its own, one of a @Nested class in the class's JVM; engine and 2
        // classes
        events.assertStatistics(s -> s.failed(0).succeeded(5 + 3));
        assertThat(SharedContainerFixtures.SEEN)
                .containsExactlyInAnyOrder("written by @BeforeAll", "written by @BeforeAll", "own-box");
        // what a test ran in the class's container is reported as that test's usage
        assertThat(events.reportingEntryPublished().stream()
                        .filter(e -> e.getTestDescriptor().getDisplayName().startsWith("aTestWithoutAParameter"))
                        .map(e -> e.getPayload(org.junit.platform.engine.reporting.ReportEntry.class)
                                .orElseThrow()
                                .getKeyValuePairs())
                        .filter(entry -> entry.containsKey("barco.cpuTime"))
                        .count())
                .isGreaterThanOrEqualTo(2);
        // and the class's container reports what it used in all, from @BeforeAll to @AfterAll
        assertThat(events.reportingEntryPublished().stream()
                        .filter(e -> e.getTestDescriptor().getDisplayName().equals("SharedContainerFixtures"))
                        .map(e -> e.getPayload(org.junit.platform.engine.reporting.ReportEntry.class)
                                .orElseThrow()
                                .getKeyValuePairs())
                        .filter(entry -> "container total".equals(entry.get("barco.scope"))
                                && entry.containsKey("barco.cpuTime"))
                        .count())
                .isEqualTo(1);
        // the class's server and container are gone with the class
        assertThat(Files.exists(Path.of("/proc/" + SharedContainerFixtures.serverPid)))
                .isFalse();
    }

    @Test
    @InBarco
    void aServerInTheTestsContainerIsReachedByAnotherCommandAndFromTheHost(BarcoContainer barco) throws Exception {
        RunningCommand server =
                barco.start("python3", "-m", "http.server", "--bind", "127.0.0.1", "8000", "--directory", "/etc");
        int port = barco.hostPort(8000);
        // a bound for the slowest machine (python3 took over 20 s to serve under emulation), not a pace
        barco.waitForHttp(8000, "/hostname", 200, Duration.ofMinutes(2));
        String body;
        try (var in = new URL("http://127.0.0.1:" + port + "/hostname").openStream()) {
            body = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
        }
        assertThat(body).isEqualTo(ProcFiles.read(Path.of("/etc/hostname")));
        assertThat(server.isAlive()).isTrue();
        assertThat(barco.exec("sh", "-c", "ls /proc | grep -cE '^[0-9]+$'")
                        .stdout()
                        .trim())
                .as("init, the server, sh, ls, grep")
                .isEqualTo("5");
    }

    @Test
    @InBarco
    void waitsForAPortAnHttpAnswerAndALogLine(BarcoContainer barco) throws Exception {
        RunningCommand server =
                barco.start("python3", "-u", "-m", "http.server", "--bind", "127.0.0.1", "8000", "--directory", "/etc");
        barco.waitForPort(8000, Duration.ofMinutes(2));
        barco.waitForHttp(8000, "/hostname", 200, Duration.ofMinutes(2));
        server.waitForLog("GET /hostname HTTP/1\\.[01]\" 200", Duration.ofMinutes(2));
    }

    @Test
    @InBarco
    void aWaitThatFailsSaysWhatTheCommandsWroteAndWhetherTheyRun(BarcoContainer barco) throws Exception {
        RunningCommand failed = barco.start("sh", "-c", "echo starting; echo 'cannot bind port 9999' >&2; exit 1");
        // ended before the wait, so that the message says "ended" however slow the machine (under
        // emulation the shell was still exiting 300 ms after its start, and the message said "running")
        org.assertj.core.api.Assertions.assertThat(failed.waitFor(Duration.ofMinutes(2)))
                .isPresent();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> barco.waitForPort(9999, Duration.ofMillis(300)))
                .hasMessageContaining("nothing listens on port 9999 in the container after 300 ms")
                .hasMessageContaining("ended: exited with 1")
                .hasMessageContaining("cannot bind port 9999");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> failed.waitForLog("ready", Duration.ofSeconds(20)))
                .hasMessageContaining("and it has ended")
                .hasMessageContaining("stdout: starting");
    }
}

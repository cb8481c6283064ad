package io.barco.samples;

import static io.barco.junit.BarcoAssertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.barco.junit.BarcoContainer;
import io.barco.junit.InBarco;
import io.barco.junit.RunningCommand;
import io.barco.launch.ContainerResult;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Command mode: the test runs on the host and runs commands in containers. */
@InBarco(memory = "128M", pids = 32)
class CommandModeSampleIT {

    @Test
    void execReturnsExitCodeOutputAndUsage(BarcoContainer barco) throws Exception {
        ContainerResult result = barco.exec("sh", "-c", "echo hello from $(hostname)");
        assertThat(result).succeeded().stdoutIsEqualTo("hello from barcontainer\n");
        assertThat(result.usage()).peakMemoryBelow("128M").noOomKill();
    }

    @Test
    void awaitABackgroundServer(BarcoContainer barco) throws Exception {
        RunningCommand server = barco.start("python3", "-u", "-m", "http.server", "8000", "--bind", "127.0.0.1");
        // on failure, says whether the server still runs and everything it wrote. Here it is ready in
        // well under a second; CI also runs the samples in a VM under emulation, where it took up to 41 s.
        await().atMost(Duration.ofMinutes(2))
                .untilAsserted(() -> assertThat(server).outputContains("Serving HTTP on 127.0.0.1 port 8000"));
        // the server's container ends with this test
    }

    @Test
    void aMemoryHogIsOomKilled(BarcoContainer barco) throws Exception {
        ContainerResult result = barco.exec("python3", "-c", "x = b'x' * (512 << 20)");
        assertThat(result).wasOomKilled().exitedWith(137);
    }

    @Test
    void aForkBombIsHeldByThePidsLimit(BarcoContainer barco) throws Exception {
        ContainerResult result = barco.exec(
                spec -> spec.timeout(Duration.ofSeconds(2)), "sh", "-c", "bomb() { bomb | bomb & }; bomb; sleep 5");
        assertThat(result.usage()).peakTasksAtMost(32);
    }

    @Test
    void aSeccompDeniedCallFailsWithEperm(BarcoContainer barco) throws Exception {
        ContainerResult result =
                barco.exec("perl", "-e", "open F, '>', '/tmp/f'; close F; chmod(04755, '/tmp/f') or print qq($!\\n)");
        assertThat(result).succeeded().stdoutIsEqualTo("Operation not permitted\n");
    }
}

package io.barco.samples;

import static io.barco.junit.BarcoAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.barco.junit.BarcoContainer;
import io.barco.junit.InBarco;
import io.barco.launch.ContainerResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The README's quick start, word for word: CI runs it as a user's project would (samples/standalone). */
// quick-start:begin
// spotless:off (the README quotes this class as laid out here, its comments aligned)
@InBarco(memory = "256M", pids = 64)
class QuickStartIT {

    @Test // JVM mode: this test runs in a JVM forked inside a container of its own
    void runsInAContainer() throws Exception {
        assertThat(ProcessHandle.current().pid()).isEqualTo(1);            // PID 1 of its namespace
        assertThat(Files.isWritable(Path.of("/etc/hosts"))).isFalse();    // the host's root, read-only
    }

    @Test // command mode: the test runs on the host and drives commands in one container
    void talksToAServerInItsContainer(BarcoContainer barco) throws Exception {
        barco.start("python3", "-m", "http.server", "8000", "--bind", "127.0.0.1");
        barco.waitForHttp(8000, "/", 200, Duration.ofMinutes(1));

        // the container's network is its own: the host reaches it through a forwarded port
        HttpResponse<String> page = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + barco.hostPort(8000) + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);

        ContainerResult hog = barco.exec("python3", "-c", "x = bytearray(32 << 20)");
        assertThat(hog).succeeded();
        assertThat(hog.usage()).peakMemoryBelow("200M").noOomKill();   // what the command used
    }
}
// spotless:on
// quick-start:end

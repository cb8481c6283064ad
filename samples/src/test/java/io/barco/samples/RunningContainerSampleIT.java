package io.barco.samples;

import static io.barco.junit.BarcoAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.barco.junit.BarcoContainer;
import io.barco.junit.InBarco;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A BarcoContainer is one running container: a server and its clients share its private network,
 * the test reaches the server through hostPort, and a @BeforeAll's container serves a whole class:
 * its tests run on the host, and a test's BarcoContainer parameter is that container.
 */
@InBarco(memory = "128M", pids = 32, hostname = "web")
class RunningContainerSampleIT {
    private static final Duration READY = Duration.ofMinutes(2); // quick here; CI's emulated VM is slow
    private static BarcoContainer shared;

    @BeforeAll
    static void startTheClassesServer(BarcoContainer barco) throws Exception {
        shared = barco; // closed after @AfterAll
        barco.start("python3", "-m", "http.server", "8000", "--bind", "127.0.0.1", "--directory", "/etc");
        barco.waitForHttp(8000, "/hostname", 200, READY);
    }

    @Test
    void aServerAndItsClientInOneContainer(BarcoContainer barco) throws Exception { // the class's container
        barco.start("python3", "-m", "http.server", "9000", "--bind", "127.0.0.1");
        barco.waitForPort(9000, READY);
        assertThat(barco.exec(
                        "python3",
                        "-c",
                        "import urllib.request as u; print(u.urlopen('http://127.0.0.1:9000/').status)"))
                .succeeded()
                .stdoutIsEqualTo("200\n");
    }

    @Test
    void theHostTalksToTheClassesServerThroughHostPort()
            throws Exception { // on the host, as the class shares a container
        try (InputStream in = new URL("http://127.0.0.1:" + shared.hostPort(8000) + "/hostname").openStream()) {
            // the server's directory is /etc of the container: the host's, read-only, as a file of the host
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isNotEmpty();
        }
        assertThat(shared.exec("hostname")).succeeded().stdoutIsEqualTo("web\n");
    }
}

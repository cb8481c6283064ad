package io.barco.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.image.ImageException;
import io.barco.image.ImageStore;
import io.barco.junit.BarcoContainer;
import io.barco.junit.InBarco;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real server from an image, talked to from the host, as a Testcontainers user does with a
 * GenericContainer and getMappedPort: Debian's redis-server and the shared libraries it links, in an
 * image pushed to the registry on localhost:5000; barco pulls it, a @BeforeAll starts the server in
 * the class's container, and each test speaks the Redis protocol to it through hostPort.
 */
@InBarco(image = "localhost:5000/barco/redis:7", memory = "128M", pids = 32)
class RedisImageSampleIT {
    private static final Duration READY = Duration.ofMinutes(2); // quick here; CI's emulated VM is slow
    private static BarcoContainer redis;

    @BeforeAll
    static void startRedisFromItsImage(BarcoContainer barco) throws Exception {
        // the image: /usr/bin/redis-server of this machine (.ci/run installs it) and what ldd says it needs
        SampleImage image = new SampleImage().program(Path.of("/usr/bin/redis-server"));
        LocalRegistry.push(image, "barco/redis", "7");
        redis = barco; // closed after @AfterAll
        barco.start(
                "/usr/bin/redis-server", "--port", "6379", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no");
        barco.waitForPort(6379, READY);
    }

    @Test
    void pingsTheServerFromTheHost() throws Exception {
        assertThat(command("PING")).isEqualTo("+PONG");
    }

    @Test
    void setsAndGetsAKey() throws Exception {
        assertThat(command("SET", "greeting", "hello from the host")).isEqualTo("+OK");
        assertThat(command("GET", "greeting")).isEqualTo("$19\r\nhello from the host");
    }

    /** One Redis command (RESP), sent from the host through hostPort; its one-line reply, or a bulk one's two lines. */
    private static String command(String... words) throws IOException {
        StringBuilder request = new StringBuilder("*" + words.length + "\r\n");
        for (String w : words) {
            request.append('$')
                    .append(w.getBytes(StandardCharsets.UTF_8).length)
                    .append("\r\n")
                    .append(w)
                    .append("\r\n");
        }
        try (Socket socket = new Socket("127.0.0.1", redis.hostPort(6379))) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            String reply = line(in); // +OK, -ERR ..., :1, or $LENGTH and a line of that many bytes
            return reply.startsWith("$") && !reply.equals("$-1") ? reply + "\r\n" + line(in) : reply;
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("the server closed the connection mid-reply: " + line);
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8).replaceFirst("\r$", "");
    }

    @AfterAll
    static void removeTheImage() throws Exception {
        try {
            ImageStore.defaults().remove("localhost:5000/barco/redis:7");
        } catch (ImageException e) {
            // never pulled: the @BeforeAll's failure says why
        }
    }
}

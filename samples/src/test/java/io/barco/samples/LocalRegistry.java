package io.barco.samples;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The registry on localhost:5000 that the image samples push to and pull from, as a developer's
 * local registry is: the one already there (Debian's docker-registry package runs one on port 5000),
 * or else Debian's docker-registry started here, its storage under target/, until the JVM ends. An
 * {@code @InBarco(image = ...)} is a constant, hence the fixed address.
 */
final class LocalRegistry {
    /** Where the samples' images are: {@code @InBarco(image = "localhost:5000/...")}. */
    static final URI URL = URI.create("http://127.0.0.1:5000");

    private static final Path SERVER = Path.of("/usr/bin/docker-registry");
    private static boolean running;

    private LocalRegistry() {}

    /** Pushes {@code image} as {@code name:tag} to the registry on localhost:5000, started first if none runs. */
    static synchronized void push(SampleImage image, String name, String tag) throws Exception {
        if (!running && !answers()) {
            start();
        }
        running = true;
        image.push(URL, name, tag);
    }

    private static void start() throws Exception {
        if (!Files.isExecutable(SERVER)) {
            throw new IllegalStateException("no registry runs on localhost:5000 and " + SERVER
                    + " is missing: apt-get install docker-registry (.ci/run does)");
        }
        Path dir = Files.createDirectories(Path.of("target/sample-registry").toAbsolutePath());
        Path config = Files.writeString(
                dir.resolve("config.yml"),
                "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: " + dir.resolve("data")
                        + "\nhttp:\n  addr: 127.0.0.1:5000\n");
        Process registry = new ProcessBuilder(SERVER.toString(), "serve", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("registry.log").toFile())
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(registry::destroy));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!answers()) {
            if (!registry.isAlive() || System.nanoTime() > deadline) {
                registry.destroy();
                throw new IllegalStateException("docker-registry did not start on 127.0.0.1:5000: "
                        + Files.readString(dir.resolve("registry.log")).strip());
            }
            Thread.sleep(100);
        }
    }

    /** Whether a registry answers on localhost:5000; false when nothing listens there. */
    private static boolean answers() throws IOException, InterruptedException {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try {
            int status = http.send(
                            HttpRequest.newBuilder(URL.resolve("/v2/"))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
            if (status != 200) {
                throw new IllegalStateException("localhost:5000 answers GET /v2/ with " + status
                        + ": not a registry the samples can push to anonymously; free the port for theirs");
            }
            return true;
        } catch (ConnectException e) {
            return false;
        }
    }
}

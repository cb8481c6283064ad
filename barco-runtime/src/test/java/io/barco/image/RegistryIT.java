package io.barco.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.sys.UntrustedFiles;
import io.barco.testing.OciImages;
import io.barco.testing.RequiresContainers;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pulls from a real registry: Debian's docker-registry (the CNCF distribution server), started here
 * on a free port of 127.0.0.1 with its storage under target/, the test's busybox image pushed to it
 * through the distribution API, then run through the packaged CLI as {@code 127.0.0.1:PORT/barco/busybox:1}.
 */
@RequiresContainers
class RegistryIT {
    private static final Path REGISTRY = Path.of("/usr/bin/docker-registry");

    private static Path work;
    private static Process registry;
    private static String host;
    private static OciImages image;

    @BeforeAll
    static void startTheRegistryAndPush() throws Exception {
        assertThat(REGISTRY)
                .as("Debian's docker-registry (.ci/run installs it)")
                .isExecutable();
        work = ImageIT.workDirectory("registry-it");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        host = "127.0.0.1:" + port;
        Path config = work.resolve("config.yml");
        Files.writeString(
                config,
                "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: " + work.resolve("data")
                        + "\nhttp:\n  addr: " + host + "\n");
        registry = new ProcessBuilder(REGISTRY.toString(), "serve", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("registry.log").toFile())
                .start();
        HttpClient http = HttpClient.newHttpClient();
        URI v2 = URI.create("http://" + host + "/v2/");
        for (int i = 0; ; i++) {
            try {
                if (http.send(HttpRequest.newBuilder(v2).build(), HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200) {
                    break;
                }
            } catch (IOException e) {
                if (i > 100 || !registry.isAlive()) {
                    throw new IllegalStateException(
                            "docker-registry did not start: " + Files.readString(work.resolve("registry.log")), e);
                }
                Thread.sleep(100);
            }
        }
        image = OciImages.busyboxImage();
        image.push(URI.create("http://" + host), "barco/busybox", "1");
    }

    @AfterAll
    static void stopTheRegistry() throws Exception {
        if (registry != null) {
            registry.destroy();
            registry.waitFor(10, TimeUnit.SECONDS);
        }
        if (work != null) {
            UntrustedFiles.deleteTree(work);
        }
    }

    private static Path cache(String name) throws IOException {
        return Files.createDirectories(work.resolve("caches").resolve(name));
    }

    @Test
    void anImagePulledFromTheRegistryRunsWithItsConfigurationAndIsCachedByItsManifestsDigest() throws Exception {
        Path cache = cache("pull");
        String ref = host + "/barco/busybox:1";
        ImageIT.Run pull = ImageIT.run(ImageIT.cli(cache, "pull", ref));
        assertThat(pull.stdout()).isEqualTo(image.id().substring(0, 12) + " " + ref + "\n");
        assertThat(pull.exit()).isZero();
        ImageIT.Run run = ImageIT.run(ImageIT.cli(
                cache,
                "--image",
                ref,
                "-c",
                "/bin/sh",
                "--",
                "-c",
                "cat /etc/os-release; echo \"$GREETING\"; pwd; ls /etc/gone 2>&1; cat /data/y"));
        assertThat(run.stderr()).isEmpty();
        assertThat(run.stdout())
                .isEqualTo("ID=barco-it\nPRETTY_NAME=\"barco's test image\"\nhello from the image\n/srv\n"
                        + "ls: /etc/gone: No such file or directory\nlinked\n");
        ImageIT.Run images = ImageIT.run(ImageIT.cli(cache, "images"));
        assertThat(images.stdout()).contains(image.id().substring(0, 12)).contains(ref);
        ImageIT.Run byDigest = ImageIT.run(ImageIT.cli(
                cache, "--image", host + "/barco/busybox@sha256:" + image.id(), "-c", "/bin/sh", "--", "-c", "pwd"));
        assertThat(byDigest.stdout()).isEqualTo("/srv\n");
        assertThat(ImageIT.list(cache.resolve("barco/images/layers"))).hasSize(2);
    }

    @Test
    void twoJvmsPullingOneImageAtOnceBothSucceedWithOneCacheEntry() throws Exception {
        Path cache = cache("race");
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            processes.add(
                    ImageIT.cli(cache, "--image", host + "/barco/busybox:1", "-c", "/bin/sh", "--", "-c", "cat /data/x")
                            .start());
        }
        for (Process p : processes) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(err).isEmpty();
            assertThat(out).isEqualTo("linked\n");
        }
        Path store = cache.resolve("barco/images");
        assertThat(ImageIT.list(store.resolve("layers"))).hasSize(2);
        assertThat(ImageIT.list(store.resolve("images"))).hasSize(1);
        assertThat(ImageIT.list(store.resolve("tmp"))).isEmpty();
    }

    @Test
    void aMissingTagAWrongDigestAndAnUnreachableRegistryExitWith123InOneLine() throws Exception {
        Path cache = cache("missing");
        ImageIT.Run tag = ImageIT.run(ImageIT.cli(cache, "--image", host + "/barco/busybox:2", "-c", "/bin/true"));
        assertThat(tag.exit()).isEqualTo(123);
        assertThat(tag.stderr())
                .isEqualTo("barco: " + host + "/barco/busybox:2 is not in its registry (" + host
                        + " has no such name or tag): check the name and tag (--image)\n");
        ImageIT.Run digest = ImageIT.run(
                ImageIT.cli(cache, "--image", host + "/barco/busybox@sha256:" + "0".repeat(64), "-c", "/bin/true"));
        assertThat(digest.exit()).isEqualTo(123);
        assertThat(digest.stderr()).hasLineCount(1);
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        ImageIT.Run down = ImageIT.run(
                ImageIT.cli(cache, "--image", "127.0.0.1:" + closed + "/barco/busybox:1", "-c", "/bin/true"));
        assertThat(down.exit()).isEqualTo(123);
        assertThat(down.stderr())
                .contains("cannot reach its registry 127.0.0.1:" + closed)
                .hasLineCount(1);
        assertThat(ImageIT.list(cache.resolve("barco/images/layers"))).isEmpty();
        assertThat(ImageIT.list(cache.resolve("barco/images/tmp"))).isEmpty();
    }

    /**
     * A registry is no more trusted than a file: a layer whose blob was changed in the registry's own
     * storage after the push (same size, one byte), or cut to half its size, is refused in one line
     * naming the layer and the image, and leaves nothing in the cache: no layer, no record, no unpack.
     */
    @Test
    void aTamperedAndATruncatedLayerServedByTheRegistryAreRefusedInOneLineAndLeaveNothing() throws Exception {
        for (String damage : List.of("tampered", "truncated")) {
            byte[] noise = new byte[64 << 10];
            new java.util.Random(damage.hashCode()).nextBytes(noise);
            OciImages damaged = new OciImages()
                    // the tampered layer is a plain tar (its tar still parses, only its digest tells)
                    .layer(
                            new OciImages.Layer().dir("data").file("data/" + damage, noise, 0644, 0, 0),
                            damage.equals("truncated"));
            damaged.push(URI.create("http://" + host), "barco/" + damage, "1");
            String hex = OciImages.sha256(damaged.layers().get(0).bytes());
            Path blob =
                    work.resolve("data/docker/registry/v2/blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data");
            byte[] bytes = Files.readAllBytes(blob);
            if (damage.equals("tampered")) {
                bytes[bytes.length / 2] ^= 1;
                Files.write(blob, bytes);
            } else {
                Files.write(blob, java.util.Arrays.copyOf(bytes, bytes.length / 2));
            }
            Path cache = cache(damage);
            String ref = host + "/barco/" + damage + ":1";
            ImageIT.Run pull = ImageIT.run(ImageIT.cli(cache, "pull", ref));
            assertThat(pull.exit()).as(pull.stderr()).isEqualTo(123);
            assertThat(pull.stdout()).isEmpty();
            String diffId = damaged.layers().get(0).diffId().substring("sha256:".length(), "sha256:".length() + 12);
            assertThat(pull.stderr())
                    .hasLineCount(1)
                    .startsWith("barco: layer 1 of 1 (" + diffId + ") of " + ref + " ")
                    .contains(damage);
            Path store = cache.resolve("barco/images");
            for (String dir : List.of("layers", "images", "tmp")) {
                assertThat(ImageIT.list(store.resolve(dir))).as(dir).isEmpty();
            }
        }
    }
}

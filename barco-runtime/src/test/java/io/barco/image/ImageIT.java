package io.barco.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.Barco;
import io.barco.launch.ContainerResult;
import io.barco.spec.ContainerSpec;
import io.barco.sys.UntrustedFiles;
import io.barco.testing.OciImages;
import io.barco.testing.RequiresContainers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Images as roots against the real kernel: an OCI image built here from the host's static busybox
 * (a base layer, and a second with a whiteout, an opaque directory and a hard link), run through
 * the packaged CLI in processes of their own and through the Java API, each with a cache of its own
 * under target/ ($XDG_CACHE_HOME).
 */
@RequiresContainers
class ImageIT {
    private static final Path JAR = Path.of(System.getProperty("barco.cli.jar", "target/barco-cli.jar"));

    private static Path work;
    private static Path layout;
    private static OciImages image;

    record Run(int exit, String stdout, String stderr) {}

    @BeforeAll
    static void buildTheImage() throws IOException {
        work = workDirectory("image-it");
        image = OciImages.busyboxImage();
        layout = image.writeLayout(work.resolve("layout"));
    }

    @AfterAll
    static void removeTheCaches() throws IOException {
        if (work != null) {
            UntrustedFiles.deleteTree(work);
        }
    }

    private static Path cache(String name) throws IOException {
        return Files.createDirectories(work.resolve("caches").resolve(name));
    }

    static ProcessBuilder cli(Path cache, String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                "java",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-jar",
                JAR.toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(cmd);
        b.environment().put("XDG_CACHE_HOME", cache.toString());
        return b.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    }

    static Run run(ProcessBuilder b) throws IOException, InterruptedException {
        Process p = b.start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    /**
     * A test class's directory for its caches (RegistryIT's too): not under target/, as they must be root's
     * own, and a checkout built through sudo (Vagrant's /vagrant) is its user's, where root's barco trusts
     * no cache (UserCache.trusted).
     */
    static Path workDirectory(String name) throws IOException {
        return Files.createTempDirectory("barco-" + name + "-");
    }

    /** The entries of {@code dir}, for counting what a cache holds (RegistryIT's too). */
    static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void throughTheCliTheContainerSeesTheStackedImageItsConfigurationAndItsRootAsRoot() throws Exception {
        Path cache = cache("cli");
        Run run = run(cli(
                cache,
                "--image",
                "oci:" + layout + ":1",
                "-c",
                "/bin/sh",
                "--",
                "-c",
                "pwd; echo \"$GREETING\"; id -u; cat /etc/os-release; ls /etc/gone 2>&1; ls /srv/a;"
                        + " stat -c '%n %u:%g' /etc/os-release /home/u/notes;"
                        + " [ \"$(stat -c %i /data/x)\" = \"$(stat -c %i /data/y)\" ] && echo one inode;"
                        + " cat /escape 2>&1; touch /new 2>&1; echo end"));

        assertThat(run.stderr()).isEmpty();
        assertThat(run.exit()).isZero();
        assertThat(run.stdout())
                .isEqualTo("/srv\nhello from the image\n0\nID=barco-it\nPRETTY_NAME=\"barco's test image\"\n"
                        + "ls: /etc/gone: No such file or directory\nnew\n"
                        + "/etc/os-release 0:0\n/home/u/notes 1000:1000\none inode\n"
                        + "cat: can't open '/escape': No such file or directory\n"
                        + "touch: /new: Read-only file system\nend\n");

        Run cmd = run(cli(cache, "--image", "oci:" + layout + ":1"));
        assertThat(cmd.stdout()).isEqualTo("from the image's Cmd\n");
        assertThat(cmd.exit()).isZero();

        Run images = run(cli(cache, "images"));
        assertThat(images.stdout())
                .contains(image.id().substring(0, 12) + "       2")
                .contains("oci:" + layout + ":1");
        Path store = cache.resolve("barco/images");
        assertThat(list(store.resolve("layers"))).hasSize(2);
        Run byId =
                run(cli(cache, "--image", image.id().substring(0, 12), "-c", "/bin/sh", "--", "-c", "echo $GREETING"));
        assertThat(byId.stdout()).isEqualTo("hello from the image\n");
        Run rmi = run(cli(cache, "rmi", image.id().substring(0, 12)));
        assertThat(rmi.exit()).isZero();
        assertThat(rmi.stdout()).startsWith("removed " + image.id().substring(0, 12));
        assertThat(list(store.resolve("layers"))).isEmpty();
        assertThat(list(store.resolve("tmp"))).isEmpty();
    }

    @Test
    void aWritableImageRootTakesWritesThatVanishAndTheSpecOverridesTheConfiguration() throws Exception {
        ImageStore store = new ImageStore(cache("rw").resolve("images"));
        Path osRelease = store.resolve("oci:" + layout + ":1").layers().get(0).resolve("etc/os-release");
        byte[] before = Files.readAllBytes(osRelease);
        ContainerSpec.Builder spec = ContainerSpec.builder("/bin/sh")
                .image(store.resolve("oci:" + layout + ":1"))
                .writableRoot(true)
                .workdir("/tmp")
                .env("GREETING", "hi from the spec")
                .args(
                        "-c",
                        "echo changed > /etc/os-release && cat /etc/os-release && stat -c %u /etc/os-release"
                                + " && rm /data/y && ls /data && pwd && echo $GREETING && cat /home/u/notes");
        ContainerResult result = Barco.run(spec.build());
        assertThat(result.stderr()).isEmpty();
        assertThat(result.stdout()).isEqualTo("changed\n0\nx\n/tmp\nhi from the spec\nu's\n");
        ContainerResult again = Barco.run(ContainerSpec.builder("/bin/busybox")
                .image(store.resolve("oci:" + layout + ":1"))
                .args("cat", "/etc/os-release", "/data/y")
                .build());
        assertThat(again.stdout()).startsWith("ID=barco-it\n").endsWith("linked\n");
        assertThat(Files.readAllBytes(osRelease)).isEqualTo(before);
        // uid 1000 of the image, as the image's own files are its own
        ContainerResult user = Barco.run(ContainerSpec.builder("/bin/sh")
                .image(store.resolve("oci:" + layout + ":1"))
                .uid(1000)
                .args(
                        "-c",
                        "cat /home/u/notes; cat /etc/os-release > /dev/null && echo reads; echo x > /home/u/notes 2>&1")
                .build());
        assertThat(user.stdout()).isEqualTo("u's\nreads\n");
        assertThat(user.stderr()).contains("Read-only file system");
    }

    @Test
    void archivesOfBothFormatsRunAndShareTheLayoutsLayers() throws Exception {
        ImageStore store = new ImageStore(cache("archives").resolve("images"));
        OciImages plain = new OciImages()
                .layer(OciImages.busyboxLayer(), false)
                .layer(OciImages.topLayer(), false)
                .env("PATH=/bin", "FROM=docker save")
                .workdir("/data");
        Path docker = plain.writeDockerArchive(work.resolve("docker.tar"), "barco/it:1");
        Path oci = plain.writeOciArchive(work.resolve("oci.tar"));
        for (String ref : List.of("docker-archive:" + docker + ":barco/it:1", "oci-archive:" + oci, oci.toString())) {
            ContainerResult r = Barco.run(ContainerSpec.builder("/bin/sh")
                    .image(store.resolve(ref))
                    .args("-c", "pwd; echo $FROM; cat y")
                    .build());
            assertThat(r.stdout()).as(ref).isEqualTo("/data\ndocker save\nlinked\n");
        }
        assertThat(list(store.directory().resolve("layers")))
                .as("the same layers, stored once")
                .hasSize(2);
    }

    @Test
    void aBadOrCorruptImageExitsWith123InOneLineAndLeavesNothing() throws Exception {
        Path cache = cache("bad");
        Run registry = run(cli(cache, "--image", "alpine:3.20", "-c", "/bin/sh"));
        assertThat(registry.exit()).isEqualTo(123);
        assertThat(registry.stderr())
                .startsWith("barco: 'alpine:3.20' names no registry host")
                .hasLineCount(1);

        Path tampered = image.writeLayout(work.resolve("tampered"));
        Path blob = tampered.resolve(
                "blobs/sha256/" + OciImages.sha256(image.layers().get(1).bytes()));
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length - 9] ^= 1; // the gzip trailer's CRC: gzip notices, or the digest does
        Files.write(blob, bytes);
        Run corrupt = run(cli(cache, "--image", tampered.toString(), "-c", "/bin/sh"));
        assertThat(corrupt.exit()).isEqualTo(123);
        assertThat(corrupt.stderr()).contains("layer 2 of 2").hasLineCount(1);

        OciImages crossing = new OciImages()
                .layer(OciImages.busyboxLayer(), true)
                .layer(new OciImages.Layer().hardLink("again", "shared"), true);
        Run hardLink = run(cli(
                cache, "--image", crossing.writeLayout(work.resolve("crossing")).toString(), "-c", "/bin/sh"));
        assertThat(hardLink.exit()).isEqualTo(123);
        assertThat(hardLink.stderr())
                .contains("entry 'again' is a hard link to 'shared', which is not a file of this layer")
                .hasLineCount(1);

        Path store = cache.resolve("barco/images");
        assertThat(list(store.resolve("layers")))
                .as("the good base layer only, published whole")
                .hasSize(1);
        assertThat(list(store.resolve("tmp"))).isEmpty();
        assertThat(list(store.resolve("images"))).isEmpty();
    }

    @Test
    void linksTheImageHasWhereBarcoMountsAreNeverFollowedOutOfIt() throws Exception {
        Path marker = work.resolve("host-dir");
        Files.createDirectories(marker);
        OciImages hostile = new OciImages()
                .layer(OciImages.busyboxLayer(), true)
                .layer(new OciImages.Layer().symlink("proc", marker.toString()).symlink("mnt", marker.toString()), true)
                .env("PATH=/bin");
        Path dir = hostile.writeLayout(work.resolve("hostile"));
        Path cache = cache("links");
        Run proc = run(cli(cache, "--image", dir.toString(), "-c", "/bin/sh", "--", "-c", "head -1 /proc/self/status"));
        assertThat(proc.stdout()).as("/proc is the container's own").startsWith("Name:");
        Run tmpfs = run(cli(cache, "--image", dir.toString(), "--tmpfs", "/mnt/x", "-c", "/bin/true"));
        assertThat(tmpfs.exit()).isEqualTo(125);
        assertThat(tmpfs.stderr())
                .isEqualTo(
                        "barco: mount target /mnt/x lies under /mnt, a link in " + dir
                                + ", which barco does not follow while it mounts: mount on the path the link leads to (--tmpfs)\n");
        assertThat(list(marker)).isEmpty();
    }

    @Test
    void twoJvmsUnpackingOneImageAtOnceBothSucceedWithOneCacheEntry() throws Exception {
        Path cache = cache("race");
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            processes.add(cli(cache, "--image", "oci:" + layout + ":1", "-c", "/bin/sh", "--", "-c", "cat /data/y")
                    .start());
        }
        for (Process p : processes) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(err).isEmpty();
            assertThat(out).isEqualTo("linked\n");
            assertThat(p.exitValue()).isZero();
        }
        Path store = cache.resolve("barco/images");
        assertThat(list(store.resolve("layers"))).hasSize(2);
        assertThat(list(store.resolve("images"))).hasSize(1);
        assertThat(list(store.resolve("tmp"))).isEmpty();
    }
}

package io.barco.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.barco.testing.RequiresContainers;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The launch service for real: the packaged CLI's {@code barco serve} in a process of its own (its
 * parent this JVM), and the C client, as bin/barco-java runs it under barco-mvn, launching real
 * containers. After each test, no process is left in a group of the service's and no group of the
 * service's remains.
 */
@RequiresContainers
class LaunchServiceIT {
    private static final Path JAR =
            Path.of(System.getProperty("barco.cli.jar", "target/barco-cli.jar")).toAbsolutePath();
    private static final Path CLIENT = Path.of("target", "barco-client").toAbsolutePath();
    private static Path dir;
    private static Path socket;
    private static Process service;

    record Run(int exit, String stdout, String stderr) {}

    @BeforeAll
    static void startService() throws Exception {
        dir = Files.createTempDirectory("barco-service-it"); // 0700, as mktemp -d
        socket = dir.resolve("socket");
        service = new ProcessBuilder(
                        "java",
                        "-XX:TieredStopAtLevel=1",
                        "-XX:+UseSerialGC",
                        "-jar",
                        JAR.toString(),
                        "serve",
                        "--socket",
                        socket.toString(),
                        "--parent",
                        String.valueOf(ProcessHandle.current().pid()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(dir.resolve("service.out").toFile())
                .redirectError(dir.resolve("service.err").toFile())
                .start();
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(socket) || !service.isAlive());
        assertThat(service.isAlive())
                .as("barco serve runs: %s", Files.readString(dir.resolve("service.err")))
                .isTrue();
    }

    @AfterAll
    static void stopService() throws Exception {
        service.destroy(); // SIGTERM: the service removes its socket
        assertThat(service.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(socket).doesNotExist();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(dir);
    }

    @AfterEach
    void nothingLeftBehind() {
        assertThat(service.isAlive()).isTrue();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(ProcessHandle.allProcesses()
                            .filter(LaunchServiceIT::inAGroupOfTheService)
                            .map(ProcessHandle::pid)
                            .toList())
                    .isEmpty();
            assertThat(groupsOfTheService()).isEmpty();
        });
    }

    private static String groupPrefix() {
        return "barco-" + service.pid() + "-";
    }

    private static boolean inAGroupOfTheService(ProcessHandle p) {
        try {
            return Files.readString(Path.of("/proc/" + p.pid() + "/cgroup")).contains("/" + groupPrefix());
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static List<Path> groupsOfTheService() throws IOException {
        try (Stream<Path> all = Files.walk(Path.of("/sys/fs/cgroup"), 6)) {
            return all.filter(p -> p.getFileName() != null
                            && p.getFileName().toString().startsWith(groupPrefix()))
                    .toList();
        } catch (java.io.UncheckedIOException e) {
            return List.of(); // a group removed while walked
        }
    }

    static ProcessBuilder client(String... args) {
        List<String> cmd = new ArrayList<>(List.of(CLIENT.toString(), socket.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    static Run run(ProcessBuilder builder, String stdin) throws Exception {
        Process p = builder.start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(
                p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err.get(), StandardCharsets.UTF_8));
    }

    private static byte[] readAll(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void stdioPassesThroughAndTheExitStatusIsTheProgramsOwn() throws Exception {
        Run r = run(
                client("-c", "/bin/sh", "--", "-c", "cat; echo out; echo err >&2; hostname; exit 3"),
                "from the client's stdin\n");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.stdout()).isEqualTo("from the client's stdin\nout\nbarcontainer\n");
        assertThat(r.stderr()).isEqualTo("err\n");
    }

    @Test
    void theEnvironmentAndDirectoryAreTheClients() throws Exception {
        ProcessBuilder b =
                client("-e", "FROM_CLIENT", "-w", "/tmp", "-c", "/bin/sh", "--", "-c", "echo $FROM_CLIENT; pwd");
        b.environment().put("FROM_CLIENT", "yes");
        Run r = run(b, "");
        assertThat(r.exit()).isZero();
        assertThat(r.stdout()).isEqualTo("yes\n/tmp\n");
    }

    @Test
    void aSignalsDeathIs128PlusItAndBarcoFailuresAre125WithTheClisLine() throws Exception {
        Run killed = run(client("--timeout", "300ms", "-c", "/bin/sleep", "--", "30"), "");
        assertThat(killed.exit()).isEqualTo(137);
        assertThat(killed.stderr()).isEqualTo("barco: container killed after its timeout of 300ms\n");
        Run bad = run(client("--memory", "lots", "-c", "/bin/true"), "");
        assertThat(bad.exit()).isEqualTo(125);
        assertThat(bad.stderr()).startsWith("barco: ").contains("--memory").hasLineCount(1);
        Run missing = run(client("-c", "/no/such/program"), "");
        assertThat(missing.exit()).isEqualTo(127);
    }

    @Test
    void twoClientsAtOnceRunInParallel() throws Exception {
        Process slow = client("-c", "/bin/sh", "--", "-c", "read line; echo slow $line")
                .start();
        // the second client starts, runs and ends while the first's container waits for its input
        Run quick = run(client("-c", "/bin/echo", "--", "quick"), "");
        assertThat(quick.exit()).isZero();
        assertThat(quick.stdout()).isEqualTo("quick\n");
        assertThat(slow.isAlive()).isTrue();
        slow.getOutputStream().write("done\n".getBytes(StandardCharsets.UTF_8));
        slow.getOutputStream().close();
        assertThat(new String(slow.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .isEqualTo("slow done\n");
        assertThat(slow.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(slow.exitValue()).isZero();
    }

    /**
     * The java of barco-java's JDK directory, as barco-mvn gives it to Surefire: the client itself,
     * which asks the service for the fork without a shell, records the fork's directory, and
     * without a service falls back to bin/barco-java (the CLI).
     */
    @Test
    void theJdkDirectorysJavaIsTheClientWhichForksThroughTheServiceOrFallsBackToBarcoJava() throws Exception {
        Path barcoJava = Path.of("..", "bin", "barco-java").toAbsolutePath().normalize();
        String javaCommand = ProcessHandle.current().info().command().orElseThrow();
        ProcessBuilder jdkOf = new ProcessBuilder(barcoJava.toString(), "--jdk");
        jdkOf.environment().put("BARCO_JAVA", javaCommand);
        Run made = run(jdkOf, "");
        assertThat(made.exit()).as(made.stderr()).isZero();
        Path jdk = Path.of(made.stdout().trim());
        assertThat(jdk.resolve("bin/java").toRealPath()).isEqualTo(CLIENT.toRealPath());
        assertThat(jdk.resolve("barco-jdk")).exists();

        Path project = Files.createTempDirectory(dir, "project").toRealPath();
        Files.writeString(
                project.resolve("Main.java"),
                "public class Main { public static void main(String[] a) { System.out.println("
                        + "ProcessHandle.current().pid() + \" \" + System.getenv(\"JAVA_HOME\")); } }");
        Path forks = dir.resolve("forks");
        Path realHome = Path.of(javaCommand).toRealPath().getParent().getParent();
        for (String service :
                List.of(socket.toString(), dir.resolve("no-such-socket").toString())) {
            Files.deleteIfExists(forks);
            ProcessBuilder fork =
                    new ProcessBuilder(jdk.resolve("bin/java").toString(), "Main.java").directory(project.toFile());
            // as Surefire gives a fork: JAVA_HOME is its jvm's home, barco's JDK directory
            fork.environment()
                    .putAll(java.util.Map.of(
                            "JAVA_HOME", jdk.toString(), "BARCO_SERVICE", service, "BARCO_FORK_LOG", forks.toString()));
            fork.environment().remove("BARCO_JAVA");
            fork.environment().put("PATH", realHome.resolve("bin") + ":" + System.getenv("PATH"));
            Run r = run(fork, "");
            assertThat(r.exit()).as("through %s: %s", service, r.stderr()).isZero();
            // PID 1 of its container, with the real JDK's home inside
            assertThat(r.stdout()).as("through %s", service).isEqualTo("1 " + realHome + "\n");
            assertThat(Files.readString(forks)).as("the fork's record").isEqualTo(project + "\n");
        }
        // a socket no service listens on: the service's path is taken, and says what is wrong
        Path stale = dir.resolve("stale-socket");
        try (SocketChannel bound = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            bound.bind(UnixDomainSocketAddress.of(stale));
        }
        ProcessBuilder orphan = new ProcessBuilder(jdk.resolve("bin/java").toString(), "-version");
        orphan.environment().put("BARCO_SERVICE", stale.toString());
        Run refused = run(orphan, "");
        Files.delete(stale);
        assertThat(refused.exit()).isEqualTo(125);
        assertThat(refused.stderr())
                .startsWith("barco-client: connect " + stale)
                .hasLineCount(1);
        try (Stream<Path> files = Files.walk(project)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(f -> f.toFile().delete());
        }
        Files.deleteIfExists(forks);
    }

    @Test
    void aClientKilledMidRunTakesItsContainerAndGroupsWithIt() throws Exception {
        Process p = client("-c", "/bin/sleep", "--", "600").start();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> ProcessHandle.allProcesses().anyMatch(LaunchServiceIT::inAGroupOfTheService));
        p.destroyForcibly(); // SIGKILL: the client cannot say anything; the connection's end says it
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        // nothingLeftBehind: the container and its groups go
    }

    @Test
    void aClientsSigtermReachesTheContainer() throws Exception {
        // the container's first process is the shell, which the kernel spares signals it has no handler for: it traps
        // TERM
        Process p = client(
                        "-c",
                        "/bin/sh",
                        "--",
                        "-c",
                        "trap 'echo got TERM; exit 7' TERM; echo ready; while :; do sleep 0.1; done")
                .start();
        byte[] ready = p.getInputStream().readNBytes(6);
        assertThat(new String(ready, StandardCharsets.UTF_8)).isEqualTo("ready\n");
        p.toHandle().destroy(); // SIGTERM to the client, which forwards it (Process.destroy would close our ends of its
        // pipes)
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .isEqualTo("got TERM\n");
        assertThat(p.exitValue()).isEqualTo(7);
    }

    @Test
    void garbageAndTruncatedRequestsAreRefusedAndTheServiceGoesOn() throws Exception {
        // no descriptors with the header: refused with status 125 and one line
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer reply = ByteBuffer.allocate(ServiceWire.MESSAGE_SIZE + ServiceWire.MAX_MESSAGE)
                    .order(ByteOrder.nativeOrder());
            while (channel.read(reply) >= 0) {
                // to the end: the service closes after its refusal
            }
            reply.flip();
            assertThat(reply.getInt(0)).isEqualTo(ServiceWire.MAGIC);
            assertThat(reply.getInt(4)).isEqualTo(ServiceWire.EXIT);
            assertThat(reply.getInt(8)).isEqualTo(125);
            String message = StandardCharsets.UTF_8
                    .decode(reply.position(ServiceWire.MESSAGE_SIZE))
                    .toString();
            assertThat(message).startsWith("barco serve: refused: ").contains("exactly 3 descriptors");
        }
        // a connection that says nothing and goes, and one that sends half a header and goes
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        }
        // an argv above the caps: the client says so itself, without sending it
        List<String> many = new ArrayList<>(List.of("-c", "/bin/true", "--"));
        for (int i = 0; i < ServiceWire.MAX_ARGS + 1; i++) {
            many.add("x");
        }
        Run tooMany = run(client(many.toArray(String[]::new)), "");
        assertThat(tooMany.exit()).isEqualTo(125);
        assertThat(tooMany.stderr()).startsWith("barco-client: ").contains("more than the service takes");
        // and the service still serves
        Run after = run(client("-c", "/bin/echo", "--", "still serving"), "");
        assertThat(after.stdout()).isEqualTo("still serving\n");
    }

    @Test
    void anotherUserIsRefusedByTheDirectoryAndByTheServiceItself() throws Exception {
        List<String> asNobody = List.of(
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                CLIENT.toString(),
                socket.toString(),
                "-c",
                "/bin/true");
        Run byDirectory = run(new ProcessBuilder(asNobody), "");
        assertThat(byDirectory.exit()).isEqualTo(125);
        assertThat(byDirectory.stderr()).startsWith("barco-client: connect ").contains("Permission denied");
        // with the directory and the socket opened to all, SO_PEERCRED still tells the service who it is
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path client = Files.copy(
                CLIENT,
                Path.of("/tmp", "barco-client-it-" + ProcessHandle.current().pid()));
        try {
            List<String> cmd = new ArrayList<>(asNobody);
            cmd.set(4, client.toString());
            Run byService = run(new ProcessBuilder(cmd), "");
            assertThat(byService.exit()).isEqualTo(125);
            assertThat(byService.stderr())
                    .isEqualTo("barco serve: refused: the client's uid 65534 is not the service's ("
                            + Files.getAttribute(dir, "unix:uid") + ")\n");
        } finally {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.delete(client);
        }
    }
}

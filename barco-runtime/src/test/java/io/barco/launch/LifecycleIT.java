package io.barco.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.barco.Barco;
import io.barco.spec.ContainerSpec;
import io.barco.spec.Stdio;
import io.barco.testing.RequiresContainers;
import io.barco.testing.Sh;
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Exit status, signals, timeouts, streams, concurrency, and that nothing is left behind. */
@RequiresContainers
class LifecycleIT {

    private java.util.Set<String> tmpBefore;

    @org.junit.jupiter.api.BeforeEach
    void rememberTmp() throws Exception {
        tmpBefore = barcoTmpEntries();
    }

    private static java.util.Set<String> barcoTmpEntries() throws Exception {
        try (Stream<Path> tmp = Files.list(Path.of("/tmp"))) {
            return tmp.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("barco."))
                    .collect(java.util.stream.Collectors.toSet());
        }
    }

    /** Only what this test made: other builds on the machine may have entries of their own. */
    @AfterEach
    void nothingLeftBehind() throws Exception {
        // every container was reaped: the JVM has no child but those the JDK itself spawned
        await().atMost(Duration.ofSeconds(5)).until(() -> childrenOfThisJvm().isEmpty());
        assertThat(barcoTmpEntries()).isSubsetOf(tmpBefore);
    }

    static List<String> childrenOfThisJvm() throws Exception {
        List<String> children = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                Path file = task.resolve("children");
                if (Files.exists(file)) {
                    String text = io.barco.sys.ProcFiles.read(file).trim();
                    if (!text.isEmpty()) {
                        children.addAll(List.of(text.split(" ")));
                    }
                }
            }
        }
        return children;
    }

    @Test
    void exitCodeIsTheContainersOwn() throws Exception {
        assertThat(Sh.run("exit 0").exitCode()).isZero();
        assertThat(Sh.run("exit 3").exitCode()).isEqualTo(3);
        assertThat(Sh.run("exit 255").exitCode()).isEqualTo(255);
    }

    @Test
    void stdoutAndStderrAreCapturedSeparately() throws Exception {
        ContainerResult result = Sh.run("echo out; echo err >&2; printf 'no newline'");
        assertThat(result.stdout()).isEqualTo("out\nno newline");
        assertThat(result.stderr()).isEqualTo("err\n");
        assertThat(result.wallTime()).isPositive();
    }

    @Test
    void outputWithinTheDefaultLimitIsNotTruncatedOrBlocked() throws Exception {
        ContainerResult result = Sh.run("head -c 4000000 /dev/zero | tr '\\0' 'x'"); // under 4 MiB
        assertThat(result.stdoutBytes()).hasSize(4_000_000);
        assertThat(result.outputTruncated()).isFalse();
    }

    @Test
    void timersBeyondWhatNanosecondsHoldNeverFireAndLeakNothing() throws Exception {
        // a 1000-year timeout overflowed toNanos() after the launch, leaking a pidfd per call
        Duration forever = Duration.ofDays(365L * 1000);
        long before = descriptors();
        for (int i = 0; i < 20; i++) {
            try (Container c = Barco.launch(Sh.spec("true").build())) {
                c.killAfter(forever);
                assertThat(c.waitFor(forever)).isPresent();
                assertThat(c.timedOut()).isFalse();
            }
        }
        assertThat(descriptors()).as("descriptors of this JVM").isLessThan(before + 5); // 20 if one leaked per call
    }

    private static long descriptors() throws java.io.IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void environmentIsOnlyWhatTheSpecSays() throws Exception {
        String out = Sh.output(ContainerSpec.builder("/usr/bin/env").env("GREETING", "hello world"));
        assertThat(out.lines().sorted()).containsExactly("GREETING=hello world", "PATH=" + ContainerSpec.DEFAULT_PATH);
    }

    @Test
    void argv0IsTheNameTheProgramSees() throws Exception {
        String out =
                Sh.output(ContainerSpec.builder("/bin/sh").argv0("custom-name").args("-c", "echo $0"));
        assertThat(out).isEqualTo("custom-name\n");
    }

    @Test
    void commandIsFoundOnThePath() throws Exception {
        assertThat(Sh.output(ContainerSpec.builder("echo").args("found"))).isEqualTo("found\n");
    }

    @Test
    void stdinPipeReachesTheContainer() throws Exception {
        try (Container c =
                Barco.launch(ContainerSpec.builder("/bin/cat").stdin(Stdio.PIPE).build())) {
            c.stdin().orElseThrow().write("through the pipe\n".getBytes(StandardCharsets.UTF_8));
            c.stdin().orElseThrow().close();
            assertThat(new String(c.stdout().orElseThrow().readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("through the pipe\n");
            assertThat(c.waitFor()).isEqualTo(ExitStatus.exited(0));
        }
    }

    @Test
    void killEndsTheContainerAndIsReportedAsSignal9() throws Exception {
        try (Container c = Barco.launch(Sh.spec("sleep 60").build())) {
            assertThat(c.isAlive()).isTrue();
            assertThat(c.kill()).isTrue();
            ExitStatus status = c.waitFor();
            assertThat(status.killedBySignal()).isTrue();
            assertThat(status.signal()).isEqualTo(9);
            assertThat(status.code()).isEqualTo(137);
            assertThat(c.kill()).isFalse();
        }
    }

    @Test
    void signalReachesAHandlerInstalledByPidOne() throws Exception {
        try (Container c = Barco.launch(Sh.spec("trap 'echo got TERM; exit 42' TERM; echo ready; sleep 60 & wait")
                .build())) {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(c.stdout().orElseThrow(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("ready");
            c.signal(Container.SIGTERM);
            assertThat(out.readLine()).isEqualTo("got TERM");
            assertThat(c.waitFor()).isEqualTo(ExitStatus.exited(42));
        }
    }

    @Test
    void everyProcessOfTheContainerDiesWithIt() throws Exception {
        try (Container c =
                Barco.launch(Sh.spec("sleep 60 & sleep 61 & echo started; wait").build())) {
            new BufferedReader(new InputStreamReader(c.stdout().orElseThrow(), StandardCharsets.UTF_8)).readLine();
            List<String> pidsInside = descendants(c.pid());
            assertThat(pidsInside).hasSize(2);
            c.kill();
            c.waitFor();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> pidsInside.stream().noneMatch(p -> Files.exists(Path.of("/proc/" + p))));
        }
    }

    private static List<String> descendants(int pid) throws Exception {
        String children = io.barco.sys.ProcFiles.read(Path.of("/proc/" + pid + "/task/" + pid + "/children"))
                .trim();
        return children.isEmpty() ? List.of() : List.of(children.split(" "));
    }

    @Test
    void timeoutKillsTheContainer() throws Exception {
        ContainerResult result = Sh.run(Sh.spec("echo started; sleep 60").timeout(Duration.ofMillis(300)));
        assertThat(result.timedOut()).isTrue();
        assertThat(result.status().signal()).isEqualTo(9);
        assertThat(result.stdout()).isEqualTo("started\n");
        assertThat(result.wallTime()).isLessThan(Duration.ofSeconds(10));
        assertThat(result.succeeded()).isFalse();
    }

    @Test
    void waitForWithATimeoutReturnsEmptyWhileRunning() throws Exception {
        try (Container c = Barco.launch(Sh.spec("sleep 60").build())) {
            assertThat(c.waitFor(Duration.ofMillis(100))).isEmpty();
        }
    }

    @Test
    void noDescriptorOfTheJvmIsVisibleInside() throws Exception {
        // the JDK opens files without O_CLOEXEC; none may reach the container (CVE-2024-21626)
        try (FileInputStream open = new FileInputStream("/etc/hostname")) {
            // ls as PID 1 lists what it got at exec, plus the one descriptor it opens itself: the lowest free, 3
            ContainerResult result = Barco.run(
                    ContainerSpec.builder("/bin/ls").args("-1", "/proc/self/fd").build());
            assertThat(result.stdout().lines()).containsExactly("0", "1", "2", "3");
            assertThat(open.getFD().valid()).isTrue();
        }
    }

    @Test
    void commandNotFoundAndNotExecutableAreDistinct() {
        assertThatThrownBy(() ->
                        Barco.run(ContainerSpec.builder("/no/such/program").build()))
                .isInstanceOf(CommandNotFoundException.class)
                .hasMessageContaining("/no/such/program");
        assertThatThrownBy(() -> Barco.run(
                        ContainerSpec.builder("no-such-program-anywhere").build()))
                .isInstanceOf(CommandNotFoundException.class);
        assertThatThrownBy(() -> Barco.run(ContainerSpec.builder("/etc/passwd").build()))
                .isInstanceOf(CommandNotExecutableException.class)
                .hasMessageContaining("Permission denied");
    }

    @Test
    void manyContainersRunAtOnceWithoutAffectingEachOther() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<ContainerResult>> results = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                int n = i;
                results.add(pool.submit(() -> n % 6 == 5
                        ? Sh.run(Sh.spec("echo doomed; kill -9 $$; sleep 5").timeout(Duration.ofMillis(200)))
                        : Sh.run(Sh.spec("echo $(hostname) " + n + "; exit " + (n % 4))
                                .hostname("c" + n))));
            }
            for (int i = 0; i < results.size(); i++) {
                ContainerResult r = results.get(i).get();
                if (i % 6 == 5) {
                    assertThat(r.timedOut()).isTrue();
                } else {
                    assertThat(r.stdout()).isEqualTo("c" + i + " " + i + "\n");
                    assertThat(r.exitCode()).isEqualTo(i % 4);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void handleIsSafeToUseFromSeveralThreads() throws Exception {
        try (Container c = Barco.launch(Sh.spec("sleep 60").build())) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<ExitStatus>> waits = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    waits.add(pool.submit(() -> c.waitFor()));
                }
                List<Future<Boolean>> kills = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    kills.add(pool.submit(c::kill));
                }
                for (Future<ExitStatus> w : waits) {
                    assertThat(w.get().signal()).isEqualTo(9);
                }
                assertThat(kills.stream()
                                .filter(k -> {
                                    try {
                                        return k.get();
                                    } catch (Exception e) {
                                        throw new AssertionError(e);
                                    }
                                })
                                .count())
                        .isBetween(1L, 4L);
            } finally {
                pool.shutdownNow();
            }
        }
    }
}

package io.barco.junit;

import static io.barco.junit.BarcoAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.barco.cgroup.ResourceUsage;
import io.barco.launch.ContainerResult;
import io.barco.sys.ProcFiles;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** @InBarco used as users use it: these tests run inside containers. */
@InBarco(hostname = "barco-it")
class InBarcoIT {
    private static final String FIELD_SET_IN_BEFORE_EACH_ON_HOST = "unset";
    private String state = FIELD_SET_IN_BEFORE_EACH_ON_HOST;

    @org.junit.jupiter.api.BeforeEach
    void prepare() {
        state = "prepared in " + hostname();
    }

    static String hostname() {
        try {
            return ProcFiles.read(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void jvmModeRunsTheTestInsideAContainer() throws IOException {
        assertThat(hostname()).isEqualTo("barco-it");
        assertThat(ProcFiles.read(Path.of("/proc/self/uid_map")).trim().split("\\s+"))
                .containsExactly("0", "10000", "2000");
        // the test JVM is PID 1 of its own PID namespace
        assertThat(ProcessHandle.current().pid()).isEqualTo(1);
        // @BeforeEach ran in the same JVM, inside
        assertThat(state).isEqualTo("prepared in barco-it");
    }

    @Test
    void theHostIsReadOnlyButTempDirsAreWritable(@TempDir Path dir) throws IOException {
        assertThat(Files.isWritable(Path.of("/etc"))).isFalse();
        Files.writeString(dir.resolve("scratch.txt"), "ok");
        assertThat(Files.readString(dir.resolve("scratch.txt"))).isEqualTo("ok");
        assertThat(System.getProperty("java.io.tmpdir")).isEqualTo("/tmp");
    }

    @Test
    @InBarco(memory = "256M", cpus = "1")
    void theForkedJvmSizesItselfFromTheContainersLimits() {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        assertThat(os.getTotalMemorySize()).isEqualTo(256L << 20);
        assertThat(Runtime.getRuntime().maxMemory()).isLessThanOrEqualTo(128L << 20);
        assertThat(Runtime.getRuntime().availableProcessors()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void parameterizedInvocationsEachRunInside(int n) {
        assertThat(hostname()).isEqualTo("barco-it");
        assertThat(n).isBetween(1, 3);
    }

    @RepeatedTest(2)
    void repeatedTestsToo() {
        assertThat(ProcessHandle.current().pid()).isEqualTo(1);
    }

    @Nested
    @InBarco(hostname = "nested-box")
    class NestedClasses {
        @Test
        void mergeTheirSettingsWithTheOuterClass() {
            assertThat(hostname()).isEqualTo("nested-box");
        }
    }

    @Nested
    class CommandMode {
        @Test
        void execReturnsTheResultWithUsage(BarcoContainer barco) throws Exception {
            // command mode runs on the host; its containers get the class's settings
            assertThat(hostname()).isNotEqualTo("barco-it");
            ContainerResult result = barco.exec("/bin/sh", "-c", "hostname; echo oops >&2; exit 3");
            assertThat(result).exitedWith(3).stdoutIsEqualTo("barco-it\n").stderrContains("oops");
            assertThat(result.usage()).peakMemoryBelow("64M").noOomKill();
        }

        @Test
        @InBarco(memory = "32M")
        void startRunsAServerToAwait(BarcoContainer barco) throws Exception {
            RunningCommand server = barco.start(
                    "python3",
                    "-u",
                    "-c",
                    String.join(
                            "\n",
                            "import socket",
                            "s = socket.socket(); s.bind(('127.0.0.1', 8080)); s.listen(1)",
                            "print('ready', flush=True)",
                            "c = socket.create_connection(('127.0.0.1', 8080)); a, _ = s.accept()",
                            "c.sendall(b'hello'); print(a.recv(5).decode(), flush=True)"));
            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> assertThat(server).outputContains("ready"));
            ContainerResult result = server.waitFor();
            assertThat(result).succeeded().stdoutIsEqualTo("ready\nhello\n");
            assertThat(result.usage()).peakMemoryBelow("32M");
        }

        @Test
        void aServerThatDiesAtStartSaysWhyWhenAwaited(BarcoContainer barco) {
            RunningCommand server = barco.start("sh", "-c", "echo starting; echo 'cannot bind port 80' >&2; exit 1");
            assertThatThrownBy(() -> await().atMost(Duration.ofSeconds(2))
                            .untilAsserted(() -> assertThat(server).outputContains("ready")))
                    .hasMessageContaining(
                            "expected the stdout of `sh -c echo starting; echo 'cannot bind port 80' >&2; exit 1` to contain \"ready\"")
                    .hasMessageContaining("has ended")
                    .hasMessageContaining("stdout: starting")
                    .hasMessageContaining("stderr: cannot bind port 80");
        }
    }

    @Nested
    class UsageOnTheHost {
        private ResourceUsage seen;

        @Test
        @InBarco(memory = "512M")
        void allocates() {
            byte[] block = new byte[32 << 20];
            java.util.Arrays.fill(block, (byte) 1);
            assertThat(block[block.length - 1]).isEqualTo((byte) 1);
        }

        @AfterEach
        @OnHost
        void hostSeesTheForkedTestsUsage(ResourceUsage usage) {
            seen = usage;
            assertThat(usage).peakMemoryBelow("512M").noOomKill();
            assertThat(usage.peakMemoryBytes().orElseThrow()).isGreaterThan(32L << 20);
        }
    }

    @Nested
    class ACommandStillRunningWhenTheTestReturns {
        private RunningCommand server;

        @Test
        void isStoppedThenAndItsUsageReported(BarcoContainer barco) {
            server = barco.start("sh", "-c", "echo up; exec sleep 60");
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(server).outputContains("up"));
        }

        @AfterEach
        @OnHost
        void afterwards(ResourceUsage usage) {
            assertThat(server.isAlive()).isFalse();
            assertThat(usage.wallTime()).isPositive().isLessThan(Duration.ofSeconds(60));
            assertThat(usage.peakTasks()).hasValue(1L);
        }
    }
}

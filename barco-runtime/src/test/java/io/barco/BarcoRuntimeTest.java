package io.barco;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.launch.ContainerResult;
import io.barco.spec.ContainerSpec;
import io.barco.spec.Limits;
import io.barco.testing.FakeHost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A runtime asks everything of its one host: over a fake one it runs without root or a container. */
class BarcoRuntimeTest {
    @Test
    void aRuntimeOverAFakeHostLaunchesThroughItAlone(@TempDir Path dir) throws Exception {
        FakeHost host = FakeHost.v1(dir, true).helper((h, plan) -> {
            int pid = h.startInNewGroups();
            h.exit(pid, 0);
            return FakeHost.HelperRun.started(pid, "hi\n");
        });
        BarcoRuntime runtime = new BarcoRuntime(host, "barco");
        assertThat(runtime.hostProblem()).isNull();
        ContainerResult result = runtime.run(ContainerSpec.builder("/bin/echo")
                .args("hi")
                .limits(Limits.NONE.withMemory(64L << 20))
                .build());
        assertThat(result.exitCode()).isZero();
        assertThat(result.stdout()).isEqualTo("hi\n");
        assertThat(host.calls())
                .anyMatch(c -> c.matches(
                        "write sys/fs/cgroup/memory/user.slice/barco-[0-9-]+/memory.limit_in_bytes 67108864"));
        assertThat(host.openDescriptors()).isEmpty();
        assertThat(runtime.collectGarbage()).isEmpty();
    }

    @Test
    void onlyTheSysPackageReachesTheCLibrary() throws IOException {
        Path main = Path.of("src/main/java/io/barco");
        try (Stream<Path> files = Files.walk(main)) {
            List<Path> callers = files.filter(f -> f.toString().endsWith(".java") && !f.startsWith(main.resolve("sys")))
                    .filter(f -> {
                        try {
                            return Files.readString(f).contains("LibC");
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .toList();
            assertThat(callers)
                    .as("every kernel call goes through io.barco.sys.Host")
                    .isEmpty();
        }
    }
}

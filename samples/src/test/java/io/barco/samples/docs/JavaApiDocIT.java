package io.barco.samples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.Barco;
import io.barco.launch.Container;
import io.barco.launch.ContainerResult;
import io.barco.launch.RunningContainer;
import io.barco.output.OutputLimits;
import io.barco.spec.ContainerSpec;
import io.barco.spec.Limits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// spotless:off (docs/java-api.md and the README quote these tests as laid out here, their comments aligned)
/**
 * The Java code of README.md and docs/java-api.md, word for word (.ci/check-docs.py finds each
 * block of the documents in a test source and fails if one is missing), run with what it claims.
 */
class JavaApiDocIT {
    /** As @InBarco's tests: skipped with the reason where containers cannot run, failed under BARCO_REQUIRE_PRIVILEGED=1. */
    @BeforeAll
    static void containersCanRun() {
        String problem = io.barco.BarcoRuntime.defaults().hostProblem();
        if (problem != null && "1".equals(System.getenv("BARCO_REQUIRE_PRIVILEGED"))) {
            throw new IllegalStateException("BARCO_REQUIRE_PRIVILEGED=1 but this host cannot run containers: " + problem);
        }
        Assumptions.assumeTrue(problem == null, () -> "this host cannot run containers: " + problem);
    }

    @Test
    void runAndLaunch(@TempDir Path data) throws Exception {
        Files.writeString(data.resolve("greeting"), "hello");
        Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        ContainerResult result = Barco.run(ContainerSpec.builder("/bin/sh")
                .args("-c", "echo $(cat /srv/greeting) from $(hostname)")
                .uid(1000)
                .bind(data, "/srv", true)
                .timeout(Duration.ofSeconds(10))
                .limits(Limits.NONE.withMemory("256M").withCpus(1.5).withPids(64))
                .build());
        result.exitCode();   // 0
        result.stdout();     // "hello from barcontainer\n"
        result.usage();      // peak memory, CPU user and system, peak tasks, OOM kills, block I/O, wall time
        result.oomKilled();

        assertThat(result.exitCode()).isZero();
        assertThat(result.stdout()).isEqualTo("hello from barcontainer\n");
        assertThat(result.usage().peakMemoryBytes()).isPresent();
        assertThat(result.oomKilled()).isFalse();
        ContainerSpec spec = ContainerSpec.builder("/bin/sleep").args("60").build();

        try (Container c = Barco.launch(spec)) {   // a handle: pid, stdin/stdout/stderr, waitFor, signal, kill
            c.waitFor(Duration.ofMillis(100));
        }                                          // close() kills whatever still runs and reaps it
    }

    @Test
    void readmesRun() throws Exception {
        ContainerResult result = Barco.run(ContainerSpec.builder("/bin/sh")
                .args("-c", "echo hello from $(hostname)")
                .limits(Limits.NONE.withMemory("256M").withPids(64))
                .timeout(Duration.ofSeconds(10))
                .build());
        assertThat(result.stdout()).isEqualTo("hello from barcontainer\n");
        assertThat(result.usage().cpuTotal()).isPresent();
    }

    @Test
    void runningContainer(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("fixture.json"), "{}");
        Path report = dir.resolve("report.txt");
        try (RunningContainer c = Barco.start(ContainerSpec.builder("unused").limits(Limits.SEED).build())) {
            Container server = c.start("python3", "-m", "http.server", "--bind", "127.0.0.1", "8000");
            ContainerResult r = c.exec("python3", "-c", "import urllib.request as u; print(u.urlopen('http://127.0.0.1:8000/').status)");
            int port = c.hostPort(8000);          // 127.0.0.1:port on the host forwards to 8000 inside
            c.listening(8000);                    // the kernel's TCP table of the container's network
            c.copyInto(dir.resolve("fixture.json"), "/tmp/fixture.json");
            c.copyOut("/tmp/fixture.json", report, 1 << 20);

            assertThat(server.isAlive()).isTrue();
            assertThat(port).isPositive();
            assertThat(r.exitCode() == 0 || r.stderr().contains("Connection refused")).as(r.toString()).isTrue();
        }                                         // kills everything, removes its groups
        assertThat(report).hasContent("{}");
    }

    @Test
    void outputLimits(@TempDir Path out) throws Exception {
        ContainerSpec spec = ContainerSpec.builder("/bin/sh").args("-c", "head -c 20000000 /dev/zero").build();
        ContainerResult r = Barco.run(spec, OutputLimits.DEFAULT
                .withMemoryBytes(16 << 20)                        // per stream, head and tail
                .withSpillDirectory(out)                          // the whole stream, once it outgrows memory...
                .withSpillBytes(256 << 20));                      // ...up to 256 MiB per file (the default)
        r.stdoutCapture().spillFile();                            // Optional[.../barco-stdout-...log]

        assertThat(r.stdoutCapture().spillFile()).isPresent();
        assertThat(r.outputTruncated()).isTrue();
    }
}
// spotless:on

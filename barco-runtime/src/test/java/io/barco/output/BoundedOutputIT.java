package io.barco.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.Barco;
import io.barco.launch.ContainerResult;
import io.barco.testing.RequiresContainers;
import io.barco.testing.Sh;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A container that writes without end cannot exhaust the heap of the JVM that runs it. */
@RequiresContainers
class BoundedOutputIT {

    @Test
    void twoGigabytesOfStdoutLeaveASmallHeapHealthy() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(
                        java,
                        "-Xmx128m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        BigOutput.class.getName(),
                        Long.toString(2L << 30))
                .redirectErrorStream(true)
                .start();
        String report = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(child.exitValue()).as(report).isZero();
        long dropped = (2L << 30) - OutputLimits.DEFAULT_MEMORY_BYTES;
        assertThat(report).contains("total 2147483648 dropped " + dropped + " exit 0");
    }

    @Test
    void theResultNamesTheDroppedBytesAndTheSpillFile(@TempDir Path dir) throws Exception {
        OutputLimits limits = OutputLimits.DEFAULT.withMemoryBytes(1000).withSpillDirectory(dir);
        ContainerResult result =
                Barco.run(Sh.spec("seq 1 100000; echo done >&2").build(), limits);
        assertThat(result.succeeded()).isTrue();
        assertThat(result.outputTruncated()).isTrue();
        assertThat(result.stdoutCapture().totalBytes()).isEqualTo(588895); // the bytes of seq 1 100000
        assertThat(result.stdoutCapture().droppedBytes()).isEqualTo(588895 - 1000);
        Path spill = result.stdoutCapture().spillFile().orElseThrow();
        assertThat(spill.getParent()).isEqualTo(dir);
        assertThat(Files.size(spill)).isEqualTo(588895);
        assertThat(result.stdout())
                .startsWith("1\n2\n")
                .endsWith("99999\n100000\n")
                .contains("bytes of output dropped here; the whole output is in " + spill);
        assertThat(result.stderr()).isEqualTo("done\n");
        assertThat(result.stderrCapture().spillFile()).isEmpty();
    }

    /** Runs a container that writes {@code args[0]} bytes of zeros to stdout, and prints what was kept. */
    public static final class BigOutput {
        public static void main(String[] args) throws Exception {
            long start = System.nanoTime();
            ContainerResult result =
                    Barco.run(Sh.spec("head -c " + args[0] + " /dev/zero").build());
            long millis = (System.nanoTime() - start) / 1_000_000;
            Runtime rt = Runtime.getRuntime();
            System.out.println("total " + result.stdoutCapture().totalBytes() + " dropped "
                    + result.stdoutCapture().droppedBytes()
                    + " exit " + result.exitCode() + " in " + millis + " ms; heap max " + (rt.maxMemory() >> 20)
                    + "M, used "
                    + ((rt.totalMemory() - rt.freeMemory()) >> 20) + "M; kept " + result.stdoutBytes().length
                    + " bytes");
        }
    }
}

package io.barco.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.barco.launch.ContainerResult;
import io.barco.output.OutputLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Command mode keeps output within bounds: a command that prints without end cannot exhaust the test JVM. */
@InBarco
class CommandOutputIT {

    @Test
    void execKeepsHeadAndTailAndSpillsTheWholeStreamUnderTarget(BarcoContainer barco) throws Exception {
        ContainerResult result = barco.exec("sh", "-c", "head -c 20000000 /dev/zero | tr '\\0' x; echo; echo end");
        assertThat(result.succeeded()).isTrue();
        assertThat(result.outputTruncated()).isTrue();
        assertThat(result.stdoutCapture().totalBytes()).isEqualTo(20_000_005);
        assertThat(result.stdoutCapture().droppedBytes()).isEqualTo(20_000_005 - OutputLimits.DEFAULT_MEMORY_BYTES);
        String stdout = result.stdout();
        assertThat(stdout.substring(0, 3)).isEqualTo("xxx"); // parts only: a failure must not print 4 MiB
        assertThat(stdout.substring(stdout.length() - 6)).isEqualTo("x\nend\n");
        assertThat(stdout.contains("bytes of output dropped here")).isTrue();
        Path spill = result.stdoutCapture().spillFile().orElseThrow();
        try {
            // Failsafe runs in the module's directory, whose target/ exists: the build's output directory
            assertThat(spill.getParent())
                    .isEqualTo(Path.of(System.getProperty("user.dir"), "target", "barco", "output"));
            assertThat(Files.size(spill)).isEqualTo(20_000_005);
        } finally {
            Files.delete(spill);
        }
    }

    @Test
    void aRunningCommandsOutputStaysBounded(BarcoContainer barco) throws Exception {
        RunningCommand yes = barco.start(b -> b.env("N", "50000000"), "sh", "-c", "yes | head -c $N; echo; echo end");
        ContainerResult result = yes.waitFor();
        assertThat(result.stdoutCapture().totalBytes()).isEqualTo(50_000_005);
        assertThat(yes.output().length()).isLessThan((int) OutputLimits.DEFAULT_MEMORY_BYTES + 500);
        String output = yes.output();
        assertThat(output.substring(output.length() - 7)).isEqualTo("y\n\nend\n"); // not the whole text in a failure
        assertThat(output.substring(0, 4)).isEqualTo("y\ny\n");
        result.stdoutCapture().spillFile().ifPresent(CommandOutputIT::delete);
    }

    @Test
    void aCharacterSplitAcrossWritesDecodesOnceWhole(BarcoContainer barco) {
        // the euro sign is e2 82 ac: its first two bytes, a pause, then its last
        RunningCommand euro = barco.start("sh", "-c", "printf 'a\\342\\202'; sleep 1; printf '\\254b'");
        await().atMost(Duration.ofSeconds(30)).until(() -> euro.output().equals("a"));
        assertThat(euro.output()).doesNotContain("\uFFFD");
        await().atMost(Duration.ofSeconds(30)).until(() -> euro.output().equals("a€b"));
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

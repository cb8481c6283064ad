package io.barco.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputCaptureTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static CapturedOutput capture(OutputLimits limits, String... writes) {
        OutputCapture capture = new OutputCapture(limits, "stdout");
        for (String w : writes) {
            byte[] b = utf8(w);
            capture.write(b, 0, b.length);
        }
        capture.close();
        return capture.snapshot();
    }

    @Test
    void outputWithinTheLimitIsKeptWhole() {
        CapturedOutput out = capture(OutputLimits.DEFAULT.withMemoryBytes(10), "hello", " you");
        assertThat(out.text()).isEqualTo("hello you");
        assertThat(out.truncated()).isFalse();
        assertThat(out.totalBytes()).isEqualTo(9);
        assertThat(out.droppedBytes()).isZero();
        assertThat(out.spillFile()).isEmpty();
    }

    @Test
    void overTheLimitTheHeadAndTailAreKeptAndTheGapCounted() {
        CapturedOutput out = capture(OutputLimits.DEFAULT.withMemoryBytes(8), "abcd", "efgh", "ijkl", "mn");
        assertThat(out.totalBytes()).isEqualTo(14);
        assertThat(out.droppedBytes()).isEqualTo(6);
        assertThat(out.truncated()).isTrue();
        assertThat(out.text())
                .startsWith("abcd\n[barco: 6 bytes of output dropped here; ")
                .endsWith("]\nklmn");
        assertThat(new String(out.bytes(), StandardCharsets.UTF_8)).isEqualTo(out.text());
    }

    @Test
    void theTailRingKeepsTheLastBytesWhateverTheWriteSizes() {
        OutputCapture capture = new OutputCapture(OutputLimits.DEFAULT.withMemoryBytes(20), "stdout");
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            String chunk = Integer.toString(i).repeat(1 + i % 7); // sizes 1 to 21: across and beyond the ring
            all.append(chunk);
            capture.write(utf8(chunk), 0, chunk.length());
        }
        capture.close();
        CapturedOutput out = capture.snapshot();
        assertThat(out.totalBytes()).isEqualTo(all.length());
        assertThat(out.droppedBytes()).isEqualTo(all.length() - 20);
        assertThat(out.text()).startsWith(all.substring(0, 10)).endsWith(all.substring(all.length() - 10));
    }

    @Test
    void aUtf8CharacterSplitAcrossWritesStillDecodes() {
        byte[] euro = utf8("€"); // three bytes
        OutputCapture capture = new OutputCapture(OutputLimits.DEFAULT, "stdout");
        capture.write(euro, 0, 1);
        assertThat(capture.text()).isEmpty(); // its first byte alone is not shown as a replacement character
        capture.write(euro, 1, 2);
        assertThat(capture.text()).isEqualTo("€");
    }

    @Test
    void charactersCutByTheGapAreLeftOutWhole() {
        CapturedOutput out = capture(OutputLimits.DEFAULT.withMemoryBytes(8), "ab€€€€€€cd");
        // head: "ab" and the first two bytes of a euro sign; tail: the last two of another, then "cd"
        assertThat(out.text()).startsWith("ab\n[barco: 14 bytes").endsWith("]\ncd");
        assertThat(out.text()).doesNotContain("\uFFFD");
    }

    @Test
    void aSpillFileHoldsTheWholeStreamWhenItOutgrowsMemory(@TempDir Path dir) throws Exception {
        CapturedOutput out = capture(
                OutputLimits.DEFAULT.withMemoryBytes(4).withSpillDirectory(dir.resolve("out")), "ab", "cdef", "ghij");
        assertThat(out.spillFile()).isPresent();
        assertThat(Files.readString(out.spillFile().get())).isEqualTo("abcdefghij");
        assertThat(out.spilledBytes()).isEqualTo(10);
        assertThat(out.text())
                .isEqualTo("ab\n[barco: 6 bytes of output dropped here; the whole output is in "
                        + out.spillFile().get() + "]\nij");
    }

    @Test
    void noSpillFileWhileTheOutputFitsInMemory(@TempDir Path dir) throws Exception {
        CapturedOutput out = capture(OutputLimits.DEFAULT.withSpillDirectory(dir), "small");
        assertThat(out.spillFile()).isEmpty();
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void theSpillFileStopsAtItsCapAndTheMarkerSaysSo(@TempDir Path dir) throws Exception {
        OutputLimits limits =
                OutputLimits.DEFAULT.withMemoryBytes(4).withSpillDirectory(dir).withSpillBytes(7);
        CapturedOutput out = capture(limits, "abcdef", "ghijkl", "mnop");
        assertThat(Files.readString(out.spillFile().get())).isEqualTo("abcdefg");
        assertThat(out.spilledBytes()).isEqualTo(7);
        assertThat(out.totalBytes()).isEqualTo(16);
        assertThat(out.text())
                .contains("the first 7 bytes of the output are in "
                        + out.spillFile().get());
    }

    @Test
    void anUnusableSpillDirectoryLosesTheFileNotTheOutput(@TempDir Path dir) throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("file"), "x");
        CapturedOutput out =
                capture(OutputLimits.DEFAULT.withMemoryBytes(4).withSpillDirectory(notADirectory), "abcdefgh");
        assertThat(out.spillFile()).isEmpty();
        assertThat(out.text()).startsWith("ab\n[barco: 4 bytes").endsWith("gh");
    }

    @Test
    void drainReadsAStreamToItsEnd() {
        byte[] big = new byte[3 << 20];
        CapturedOutput out = OutputCapture.drain(
                new ByteArrayInputStream(big), OutputLimits.DEFAULT.withMemoryBytes(1 << 20), "stdout");
        assertThat(out.totalBytes()).isEqualTo(3 << 20);
        assertThat(out.droppedBytes()).isEqualTo(2 << 20);
    }

    @Test
    void limitsOutsideTheirRangeAreRefusedWithTheFix() {
        assertThatThrownBy(() -> OutputLimits.DEFAULT.withMemoryBytes(1)).hasMessageContaining("give e.g. 4M");
        assertThatThrownBy(() -> OutputLimits.DEFAULT.withSpillBytes(-1)).hasMessageContaining("negative");
    }
}

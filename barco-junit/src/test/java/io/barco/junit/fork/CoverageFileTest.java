package io.barco.junit.fork;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.jacoco.core.data.ExecutionData;
import org.jacoco.core.data.ExecutionDataWriter;
import org.jacoco.core.data.SessionInfo;
import org.jacoco.core.tools.ExecFileLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fork's JaCoCo data is appended only if JaCoCo's own reader would load the file with it: junk loses only its own. */
class CoverageFileTest {
    @TempDir
    Path dir;

    /** Execution data as JaCoCo's agent writes it: a header, a session, classes. */
    private static byte[] jacoco(String session, Object... idNameProbes) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ExecutionDataWriter writer = new ExecutionDataWriter(bytes);
        writer.visitSessionInfo(new SessionInfo(session, 1, 2));
        for (int i = 0; i < idNameProbes.length; i += 3) {
            boolean[] probes = new boolean[(Integer) idNameProbes[i + 2]];
            Arrays.fill(probes, true);
            writer.visitClassExecution(new ExecutionData((Long) idNameProbes[i], (String) idNameProbes[i + 1], probes));
        }
        writer.flush();
        return bytes.toByteArray();
    }

    private Path fork(String name, byte[] data) throws IOException {
        return Files.write(dir.resolve(name), data);
    }

    private static ExecFileLoader load(Path file) throws IOException {
        ExecFileLoader loader = new ExecFileLoader();
        loader.load(file.toFile());
        return loader;
    }

    @Test
    void dataJacocoWroteIsReadAsItsReaderReadsIt() throws Exception {
        byte[] data = jacoco("s", 1L, "a/A", 3, 2L, "b/Ü", 1000);
        assertThat(CoverageFile.parse(new ByteArrayInputStream(data), Map.of()))
                .containsEntry(1L, new CoverageFile.Shape("a/A", 3))
                .containsEntry(2L, new CoverageFile.Shape("b/Ü", 1000));
        // appended sessions repeat the header
        byte[] twice = new byte[data.length * 2];
        System.arraycopy(data, 0, twice, 0, data.length);
        System.arraycopy(data, 0, twice, data.length, data.length);
        assertThat(CoverageFile.parse(new ByteArrayInputStream(twice), Map.of()))
                .hasSize(2);
    }

    @Test
    void junkTruncationsForeignVersionsAndDisagreeingClassesAreRefusedEachInOneLine() throws Exception {
        byte[] good = jacoco("s", 1L, "a/A", 3);
        assertThatThrownBy(() -> CoverageFile.parse(new ByteArrayInputStream("junk".getBytes()), Map.of()))
                .hasMessage("not JaCoCo execution data (first byte 0x6a, not a header block)");
        assertThatThrownBy(() ->
                        CoverageFile.parse(new ByteArrayInputStream(Arrays.copyOf(good, good.length - 1)), Map.of()))
                .hasMessage("it ends inside a block");
        byte[] stray = Arrays.copyOf(good, good.length + 1);
        stray[good.length] = 0x42;
        assertThatThrownBy(() -> CoverageFile.parse(new ByteArrayInputStream(stray), Map.of()))
                .hasMessage("unknown block type 0x42");
        byte[] version = good.clone();
        version[4] = 0x06;
        assertThatThrownBy(() -> CoverageFile.parse(new ByteArrayInputStream(version), Map.of()))
                .hasMessage("JaCoCo execution data of format 0x1006, not 0x1007");
        assertThatThrownBy(() -> CoverageFile.parse(
                        new ByteArrayInputStream(jacoco("s", 1L, "a/A", 4)),
                        Map.of(1L, new CoverageFile.Shape("a/A", 3))))
                .hasMessage("class id 1 comes as a/A with 4 probes, and as a/A with 3");
        byte[] hugeCount = {
            0x01,
            (byte) 0xC0,
            (byte) 0xC0,
            0x10,
            0x07,
            0x11,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            1,
            0,
            1,
            'A',
            (byte) 0xFF,
            (byte) 0xFF,
            (byte) 0xFF,
            (byte) 0xFF,
            0x0F
        };
        assertThatThrownBy(() -> CoverageFile.parse(new ByteArrayInputStream(hugeCount), Map.of()))
                .hasMessageContaining("probes, more than");
    }

    @Test
    void aForkThatWritesJunkLosesItsOwnDataAndTheFileLoadsWithEveryoneElses() throws Exception {
        Map<Path, CoverageFile> files = new java.util.HashMap<>(); // the run's, as Forks keeps them
        Path target = dir.resolve("target/jacoco.exec");
        CoverageFile.append(files, fork("a.exec", jacoco("fork-a", 1L, "a/A", 3)), target);
        assertThatThrownBy(() -> CoverageFile.append(files, fork("junk.exec", "\u0001\u00c0junk".getBytes()), target))
                .isInstanceOf(CoverageFile.RefusedCoverageException.class);
        // well-formed, but it would make JaCoCo refuse the whole file: a/A with other probes
        assertThatThrownBy(() ->
                        CoverageFile.append(files, fork("clash.exec", jacoco("fork-clash", 1L, "a/A", 9)), target))
                .hasMessageContaining("class id 1 comes as a/A with 9 probes");
        // the build's own JVM appends a session of its own, as JaCoCo does, between the forks'
        Files.write(target, jacoco("the-build", 3L, "c/C", 2), java.nio.file.StandardOpenOption.APPEND);
        assertThatThrownBy(() -> CoverageFile.append(
                        files, fork("clash2.exec", jacoco("fork-clash2", 3L, "c/Other", 2)), target))
                .hasMessageContaining("comes as c/Other");
        CoverageFile.append(files, fork("b.exec", jacoco("fork-b", 2L, "b/B", 1, 1L, "a/A", 3)), target);
        CoverageFile.append(files, fork("empty.exec", new byte[0]), target);

        ExecFileLoader loaded = load(target);
        assertThat(loaded.getSessionInfoStore().getInfos())
                .extracting(SessionInfo::getId)
                .containsExactly("fork-a", "the-build", "fork-b");
        assertThat(loaded.getExecutionDataStore().getContents())
                .extracting(ExecutionData::getName)
                .containsExactlyInAnyOrder("a/A", "b/B", "c/C");
    }
}

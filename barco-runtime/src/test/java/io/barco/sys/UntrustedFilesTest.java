package io.barco.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What a container could leave where the host reads or removes: each is refused or removed without harm. */
class UntrustedFilesTest {
    @TempDir
    Path dir;

    @Test
    void readsARegularFileWithinTheCap() throws Exception {
        Path file = Files.writeString(dir.resolve("outcome"), "hello");
        assertThat(UntrustedFiles.read(file, 5)).isEqualTo("hello".getBytes());
    }

    @Test
    void refusesASymbolicLinkInsteadOfFollowingIt() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret"), "root's secret");
        Path link = Files.createSymbolicLink(dir.resolve("outcome"), secret);
        assertThatThrownBy(() -> UntrustedFiles.read(link, 1 << 20))
                .isInstanceOf(UntrustedFiles.RefusedFileException.class)
                .hasMessageContaining("is a symbolic link");
    }

    @Test
    @Timeout(10)
    void refusesAFifoWithoutBlocking() throws Exception {
        Path fifo = dir.resolve("outcome");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor())
                .isZero();
        assertThatThrownBy(() -> UntrustedFiles.read(fifo, 1 << 20))
                .isInstanceOf(UntrustedFiles.RefusedFileException.class)
                .hasMessageContaining("a FIFO, socket or device");
    }

    @Test
    void refusesAFileOverTheCapWithoutReadingIt() throws Exception {
        Path sparse = dir.resolve("outcome");
        try (RandomAccessFile file = new RandomAccessFile(sparse.toFile(), "rw")) {
            file.setLength(100L << 30); // 100 GB, sparse
        }
        long start = System.nanoTime();
        assertThatThrownBy(() -> UntrustedFiles.read(sparse, 1 << 20))
                .isInstanceOf(UntrustedFiles.RefusedFileException.class)
                .hasMessageContaining("107374182400 bytes, more than the 1048576 allowed");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void refusesADirectory() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("outcome"));
        assertThatThrownBy(() -> UntrustedFiles.read(sub, 1 << 20)).hasMessageContaining("is a directory");
    }

    @Test
    void deletesATreeWithoutFollowingItsLinks() throws Exception {
        Path outside = Files.createDirectory(dir.resolve("outside"));
        Path kept = Files.writeString(outside.resolve("kept"), "mine");
        Path tree = Files.createDirectory(dir.resolve("tree"));
        Files.createSymbolicLink(tree.resolve("link-to-dir"), outside);
        Files.createSymbolicLink(tree.resolve("link-to-file"), kept);
        Path sub = Files.createDirectories(tree.resolve("a/b"));
        Files.createSymbolicLink(sub.resolve("up"), outside);
        Files.writeString(sub.resolve("f"), "x");

        UntrustedFiles.deleteTree(tree);

        assertThat(tree).doesNotExist();
        assertThat(kept).hasContent("mine");
    }

    @Test
    void deletesATreeDeeperThanItsStackBound() throws Exception {
        Path tree = Files.createDirectory(dir.resolve("tree"));
        Path deep = tree;
        for (int i = 0; i < 300; i++) {
            // relative creation keeps each path short: what matters is the depth
            deep = Files.createDirectory(deep.resolve("d"));
        }
        Files.writeString(deep.resolve("bottom"), "x");
        UntrustedFiles.deleteTree(tree);
        assertThat(tree).doesNotExist();
    }

    @Test
    void deletingWhatIsMissingIsFine() throws Exception {
        UntrustedFiles.deleteTree(dir.resolve("never-made"));
    }
}

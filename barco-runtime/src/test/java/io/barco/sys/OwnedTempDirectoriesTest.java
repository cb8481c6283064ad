package io.barco.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class OwnedTempDirectoriesTest {

    @Test
    void aDirectoryOfThisJvmIsOursAndStaysWhenTheDeadAreCollected() throws Exception {
        Path mine = OwnedTempDirectories.create("test");
        try {
            assertThat(mine.getFileName().toString()).startsWith("barco-test-" + LauncherIdentity.self() + "-");
            assertThat(OwnedTempDirectories.ours(mine)).isTrue();
            assertThat(OwnedTempDirectories.collectDead()).doesNotContain(mine);
            assertThat(mine).isDirectory();
        } finally {
            Files.deleteIfExists(mine);
        }
    }

    @Test
    void aDirectoryOfAJvmThatDiedIsCollectedWithoutFollowingItsLinks() throws Exception {
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        // the pid of a process that has exited, with a start time it never had: an owner that is gone
        Path left = Files.createDirectory(
                Path.of(System.getProperty("java.io.tmpdir"), "barco-test-" + dead.pid() + "-1-left"));
        Path outside = Files.createTempFile("kept", ".txt");
        try {
            Files.createSymbolicLink(left.resolve("link"), outside);
            assertThat(OwnedTempDirectories.ours(left)).isFalse();
            assertThat(OwnedTempDirectories.collectDead()).contains(left);
            assertThat(left).doesNotExist();
            assertThat(outside).exists();
        } finally {
            UntrustedFiles.deleteTree(left);
            Files.deleteIfExists(outside);
        }
    }
}

package io.barco.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Root runs the helper it extracts: only from a directory no other user can change. */
class UserCacheTest {
    @Test
    void aPrivateDirectoryBelowStickyTmpIsTrusted(@TempDir Path dir) throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        assertThat(UserCache.trusted(dir)).isTrue();
    }

    @Test
    void aDirectoryOthersMayWriteIsNot(@TempDir Path dir) throws Exception {
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThat(UserCache.trusted(open)).isFalse();
        Path below = Files.createDirectory(open.resolve("barco"));
        assertThat(UserCache.trusted(below))
                .as("its parent lets others rename it away")
                .isFalse();
    }

    @Test
    void aDirectoryInAnotherUsersHomeIsNot(@TempDir Path dir) throws Exception {
        assumeTrue(
                (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0,
                "only root can give a directory away");
        Path home = Files.createDirectory(dir.resolve("home"));
        Path cache = Files.createDirectories(home.resolve(".cache/barco"));
        Files.setAttribute(home, "unix:uid", 65534);
        assertThat(UserCache.trusted(cache))
                .as("sudo -E: HOME is the user's, who may replace .cache")
                .isFalse();
        assertThat(UserCache.trustedPath(cache.resolve("helper/x")))
                .as("a directory yet to be made there")
                .isFalse();
    }
}

package io.barco.junit.buildjvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BarcoCacheTest {

    @Test
    void publishPutsTheFileInPlace(@TempDir Path cache) throws IOException {
        Path temp = Files.writeString(cache.resolve("a.part"), "archive");
        BarcoCache.publish(temp, cache.resolve("app.jsa"));
        assertThat(cache.resolve("app.jsa")).hasContent("archive");
        assertThat(temp).doesNotExist();
    }

    /** A launch may have opened the cached file for a bind mount: replacing it would unlink it under the mount. */
    @Test
    void publishNeverReplacesAFileAlreadyThere(@TempDir Path cache) throws IOException {
        Path target = Files.writeString(cache.resolve("app.jsa"), "first");
        Object inode = Files.getAttribute(target, "unix:ino");
        Path temp = Files.writeString(cache.resolve("b.part"), "second");
        BarcoCache.publish(temp, target);
        assertThat(Files.getAttribute(target, "unix:ino")).isEqualTo(inode);
        assertThat(target).hasContent("first");
        assertThat(temp).doesNotExist();
    }
}

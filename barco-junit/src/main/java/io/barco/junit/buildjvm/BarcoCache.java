package io.barco.junit.buildjvm;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

/** barco's per-user cache ({@link io.barco.sys.UserCache}), and publishing into it. */
public final class BarcoCache {
    private BarcoCache() {}

    /** The cache directory {@code name}: see {@link io.barco.sys.UserCache#directory}. */
    public static Path directory(String name) throws IOException {
        return io.barco.sys.UserCache.directory(name);
    }

    /**
     * Moves a finished temp file to its place in the cache, unless another JVM or fork put one there
     * first: then that one stays. Never replaces: a container being launched may hold the file open
     * for a bind mount, and a file renamed over is unlinked under it (the mount then fails, ENOENT).
     */
    public static void publish(Path temp, Path target) throws IOException {
        try {
            Files.createLink(target, temp);
        } catch (FileAlreadyExistsException e) {
            // the first one wins; it has the same content
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}

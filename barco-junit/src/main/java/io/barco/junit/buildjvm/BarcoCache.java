package io.barco.junit.buildjvm;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

/** barco's per-user cache: $XDG_CACHE_HOME/barco or ~/.cache/barco. */
public final class BarcoCache {
    private BarcoCache() {
    }

    public static Path directory(String name) throws IOException {
        String cacheHome = System.getenv("XDG_CACHE_HOME");
        Path base = cacheHome != null && !cacheHome.isEmpty() ? Path.of(cacheHome) : Path.of(System.getProperty("user.home"), ".cache");
        return Files.createDirectories(base.resolve("barco").resolve(name));
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

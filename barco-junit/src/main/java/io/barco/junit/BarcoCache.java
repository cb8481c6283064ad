package io.barco.junit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** barco's per-user cache: $XDG_CACHE_HOME/barco or ~/.cache/barco. */
final class BarcoCache {
    private BarcoCache() {
    }

    static Path directory(String name) throws IOException {
        String cacheHome = System.getenv("XDG_CACHE_HOME");
        Path base = cacheHome != null && !cacheHome.isEmpty() ? Path.of(cacheHome) : Path.of(System.getProperty("user.home"), ".cache");
        return Files.createDirectories(base.resolve("barco").resolve(name));
    }
}

package io.barco.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * barco's per-user cache, {@code $XDG_CACHE_HOME/barco} or {@code ~/.cache/barco}: the native helper,
 * class data archives. barco runs as root, and root runs what it finds there, so a cache directory
 * that another user could change (sudo -E, or a sudo that keeps HOME, leaves HOME the user's) is not
 * used: this JVM then caches in a private directory of its own instead, removed at its exit (or, if
 * it is killed, by the next JVM's collection and {@code barco gc}).
 */
public final class UserCache {
    private static final Map<String, Path> PRIVATE = new ConcurrentHashMap<>();

    private UserCache() {}

    /** {@code $XDG_CACHE_HOME}, else {@code ~/.cache}: the base that JNA and barco share. */
    public static Path home() {
        String cacheHome = System.getenv("XDG_CACHE_HOME");
        return cacheHome != null && !cacheHome.isEmpty()
                ? Path.of(cacheHome)
                : Path.of(System.getProperty("user.home"), ".cache");
    }

    /** The cache directory {@code name} (created), or this JVM's private stand-in when another user could change it. */
    public static Path directory(String name) throws IOException {
        Path dir = home().resolve("barco").resolve(name);
        if (trustedPath(dir)) {
            return Files.createDirectories(dir);
        }
        return privateDirectory(name);
    }

    /** A private directory of this JVM's for {@code name}, removed at its exit. */
    public static Path privateDirectory(String name) {
        return PRIVATE.computeIfAbsent(name, n -> {
            try {
                Path dir = OwnedTempDirectories.create("cache");
                Runtime.getRuntime()
                        .addShutdownHook(new Thread(
                                () -> {
                                    try {
                                        UntrustedFiles.deleteTree(dir);
                                    } catch (IOException e) {
                                        // the next JVM's collection or barco gc removes it
                                    }
                                },
                                "barco-cache-cleanup"));
                return dir;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot make a private cache directory: " + e.getMessage(), e);
            }
        });
    }

    /** {@link #trusted} of the deepest existing ancestor of {@code path} (what exists is what can be changed). */
    static boolean trustedPath(Path path) throws IOException {
        Path p = path.toAbsolutePath();
        while (p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            p = p.getParent();
        }
        return p != null && trusted(p);
    }

    /**
     * Whether only this process's user (or root) can change what {@code dir} holds: it and each of its
     * ancestors belong to one of them and no one else may write there, but for a sticky ancestor
     * such as /tmp, where others cannot replace what is not theirs. As ssh's StrictModes checks.
     */
    public static boolean trusted(Path dir) throws IOException {
        int self = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        Path real = dir.toRealPath();
        for (Path p = real; p != null; p = p.getParent()) {
            int owner = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            boolean othersWrite = (mode & 0022) != 0;
            boolean stickyAncestor = (mode & 01000) != 0 && !p.equals(real);
            if ((owner != self && owner != 0) || (othersWrite && !stickyAncestor)) {
                return false;
            }
        }
        return true;
    }
}

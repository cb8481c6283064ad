package io.barco.launch;

import io.barco.BarcoException;
import io.barco.sys.LauncherIdentity;
import io.barco.sys.UntrustedFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Running containers known by a name, so that another process can run commands in them ({@code
 * barco --name web ...} and then {@code barco exec web -- ...}). Each name is a small file in a
 * directory only root may read ({@code /run/barco/names}, or {@code $BARCO_STATE_DIR/names}): the
 * container's init pid and its start time (a recycled pid is never taken for it), its groups, and
 * the options it was started with, from which the joining process derives the same spec. A name
 * whose container is gone is free again.
 */
public final class NamedContainers {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final long MAX_ENTRY_BYTES = 1 << 20;

    /** What a name records. */
    public record Entry(String name, int pid, String startTime, Map<String, Path> cgroups, List<String> options) {}

    private NamedContainers() {}

    static Path directory() {
        String state = System.getenv("BARCO_STATE_DIR");
        return Path.of(state == null || state.isEmpty() ? "/run/barco" : state).resolve("names");
    }

    /** Gives {@code container} the name; it fails if a running container has it. */
    public static void register(String name, RunningContainer container, List<String> options) {
        check(name);
        Path dir = secureDirectory();
        Path file = dir.resolve(name);
        try {
            Entry existing = read(file);
            if (existing != null && alive(existing)) {
                throw new BarcoException("a container named " + name + " runs already (pid " + existing.pid() + ")");
            }
        } catch (IOException e) {
            // unreadable: replaced below
        }
        Properties p = new Properties();
        p.setProperty("pid", Integer.toString(container.pid()));
        p.setProperty("start", LauncherIdentity.startTime(container.pid()));
        container
                .cgroupDirectories()
                .forEach((controller, path) -> p.setProperty("cgroup." + controller, path.toString()));
        for (int i = 0; i < options.size(); i++) {
            p.setProperty("option." + i, options.get(i));
        }
        try {
            Path temp = Files.createTempFile(
                    dir,
                    "." + name,
                    ".part",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                p.store(out, "a barco container; removed when it ends");
                Files.write(temp, out.toByteArray());
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new BarcoException("cannot record the name " + name + " in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Frees the name if it is still {@code container}'s. */
    public static void unregister(String name, RunningContainer container) {
        Path file = directory().resolve(name);
        try {
            Entry entry = read(file);
            if (entry != null && entry.pid() == container.pid()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // gone already, or another's: left as it is
        }
    }

    /** The running container of that name, or an error that says there is none. */
    public static Entry lookup(String name) {
        check(name);
        Entry entry;
        try {
            entry = read(directory().resolve(name));
        } catch (IOException e) {
            throw new BarcoException("cannot read the record of container " + name + ": " + e.getMessage(), e);
        }
        if (entry == null || !alive(entry)) {
            throw new BarcoException(
                    "no running container named " + name + " (start one with barco --name " + name + " ...)");
        }
        return entry;
    }

    /** Removes the records of containers that are gone; returns their names. */
    public static List<String> collectDead() {
        List<String> removed = new ArrayList<>();
        Path dir = directory();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return removed;
        }
        try (var entries = Files.newDirectoryStream(dir)) {
            for (Path file : entries) {
                String name = file.getFileName().toString();
                if (!NAME.matcher(name).matches()) {
                    continue;
                }
                Entry entry;
                try {
                    entry = read(file);
                } catch (IOException e) {
                    entry = null;
                }
                if (entry == null || !alive(entry)) {
                    Files.deleteIfExists(file);
                    removed.add(name);
                }
            }
        } catch (IOException e) {
            // best effort
        }
        return removed;
    }

    static boolean alive(Entry entry) {
        return LauncherIdentity.alive(entry.pid(), entry.startTime());
    }

    private static void check(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new BarcoException(
                    "invalid container name '" + name + "': use up to 64 letters, digits, '.', '_' and '-'");
        }
    }

    /** The names directory, created 0700; one that others could write to is refused. */
    private static Path secureDirectory() {
        Path dir = directory();
        try {
            Files.createDirectories(
                    dir.getParent(),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(
                        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            PosixFileAttributes attributes =
                    Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isDirectory()
                    || attributes.permissions().contains(PosixFilePermission.GROUP_WRITE)
                    || attributes.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new BarcoException(
                        dir + " is not a directory only its owner may write to: refusing to keep names there");
            }
        } catch (IOException e) {
            throw new BarcoException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        return dir;
    }

    /** The record, or null when there is none; read as data (no link followed, size-capped). */
    private static Entry read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = UntrustedFiles.read(file, MAX_ENTRY_BYTES);
        } catch (NoSuchFileException e) {
            return null;
        }
        Properties p = new Properties();
        p.load(new java.io.InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.ISO_8859_1));
        try {
            int pid = Integer.parseInt(p.getProperty("pid", ""));
            String start = p.getProperty("start", "");
            Map<String, Path> cgroups = new LinkedHashMap<>();
            List<String> options = new ArrayList<>();
            for (String key : p.stringPropertyNames()) {
                if (key.startsWith("cgroup.")) {
                    cgroups.put(key.substring("cgroup.".length()), Path.of(p.getProperty(key)));
                }
            }
            for (int i = 0; p.containsKey("option." + i); i++) {
                options.add(p.getProperty("option." + i));
            }
            return new Entry(file.getFileName().toString(), pid, start, cgroups, options);
        } catch (RuntimeException e) {
            throw new IOException("malformed record " + file + ": " + e.getMessage(), e);
        }
    }
}

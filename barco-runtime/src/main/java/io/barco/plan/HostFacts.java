package io.barco.plan;

import io.barco.sys.Host;
import io.barco.sys.Terminal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What the planner needs to know about the host; a test passes its own. */
public interface HostFacts {
    /** The highest capability number this kernel knows (/proc/sys/kernel/cap_last_cap). */
    int capLastCap();

    boolean isDirectory(Path path);

    /** The kernel's release, as uname gives it; a test that does not say gets a current one. */
    default String kernelRelease() {
        return "6.12.0";
    }

    /** Who owns a host file: uid and gid, as the host's kernel numbers them. */
    record Owner(long uid, long gid) {
        public static final Owner ROOT = new Owner(0, 0);
    }

    /** The owner of {@code path}; root when it cannot be read (a test that does not say). */
    default Owner owner(Path path) {
        return Owner.ROOT;
    }

    /** Whether our stdin is a terminal whose foreground process group is ours, as for a foreground job. */
    boolean inForegroundOfTerminal();

    /** A mount of the launcher's mount namespace: where, and its filesystem's type. */
    record MountPoint(String path, String fstype) {}

    /**
     * The mounts of the launcher's mount namespace, in /proc/self/mountinfo's order (a mount before
     * those on top of it); empty when unknown, as in a test that does not say.
     */
    default List<MountPoint> mounts() {
        return List.of();
    }

    /** Parses /proc/PID/mountinfo: the fifth field is the mount point, the one after " - " the type. */
    static List<MountPoint> parseMountInfo(String text) {
        List<MountPoint> mounts = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] fields = line.split(" ");
            int dash = List.of(fields).indexOf("-");
            if (fields.length < 5 || dash < 0 || dash + 1 >= fields.length) {
                continue;
            }
            mounts.add(new MountPoint(unescape(fields[4]), fields[dash + 1]));
        }
        return mounts;
    }

    /** The kernel writes a space, tab, newline or backslash of a path as \ooo. */
    private static String unescape(String field) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\'
                    && i + 3 < field.length()
                    && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * The terminal on our stdin, if it is one. A container that shares our stdin gets it as its
     * /dev/console, where ttyname() finds it: its own /dev/pts is a new instance, without the host's.
     */
    default Optional<Terminal.Device> stdinTerminal() {
        return Optional.empty();
    }

    /**
     * The facts of this host, asked of it as the planner needs them; the highest capability number is
     * read once, at the first plan.
     */
    static HostFacts of(Host on) {
        return new HostFacts() {
            private volatile int capLastCap = -1;

            @Override
            public int capLastCap() {
                int last = capLastCap;
                if (last < 0) {
                    try {
                        last = Integer.parseInt(on.read(on.proc().resolve("sys/kernel/cap_last_cap"))
                                .trim());
                    } catch (IOException | NumberFormatException e) {
                        last = 40;
                    }
                    capLastCap = last;
                }
                return last;
            }

            @Override
            public boolean isDirectory(Path path) {
                return Files.isDirectory(path);
            }

            @Override
            public String kernelRelease() {
                return on.osVersion();
            }

            @Override
            public Owner owner(Path path) {
                try {
                    return new Owner(
                            ((Number) Files.getAttribute(path, "unix:uid")).longValue(),
                            ((Number) Files.getAttribute(path, "unix:gid")).longValue());
                } catch (IOException | RuntimeException e) {
                    return Owner.ROOT;
                }
            }

            @Override
            public List<MountPoint> mounts() {
                try {
                    return parseMountInfo(on.read(on.proc().resolve("self/mountinfo")));
                } catch (IOException e) {
                    return List.of();
                }
            }

            @Override
            public boolean inForegroundOfTerminal() {
                return on.inForegroundOfTerminal();
            }

            @Override
            public Optional<Terminal.Device> stdinTerminal() {
                return on.stdinTerminal();
            }
        };
    }
}

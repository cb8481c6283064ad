package io.barco.cgroup;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

/**
 * Collects the groups of launchers that died (named after a JVM that no longer runs), killing what
 * still runs in them. Several JVMs may collect the same groups at once, as when a killed build's
 * successors all start together: collection is idempotent and best-effort. A group that vanishes
 * or turns busy under us (ENOENT, ENODEV, EBUSY) is another collector's; only other failures count.
 */
final class DeadLaunchers {
    /** What one pass did: the groups this caller removed, and what it could not do, one line each. */
    record Outcome(List<Path> removed, List<String> failures) {}

    private DeadLaunchers() {}

    static Outcome collect(CgroupFiles files, CgroupNames names, Collection<Path> parents) {
        List<Path> removed = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Path parent : parents) {
            List<Path> children;
            try (Stream<Path> list = Files.list(parent)) {
                children = list.filter(Files::isDirectory).toList();
            } catch (NoSuchFileException e) {
                continue; // no parent, no groups (a v2 parent removed when its last group went)
            } catch (IOException e) {
                failures.add("cannot list " + parent + ": " + CgroupFiles.reason(e));
                continue;
            }
            for (Path child : children) {
                String name = child.getFileName().toString();
                if (!CgroupNames.isBarcoGroup(name) || names.ownerAlive(name)) {
                    continue;
                }
                try {
                    if (collect(files, child)) {
                        removed.add(child);
                    }
                } catch (CgroupException e) {
                    failures.add(e.getMessage());
                }
            }
        }
        return new Outcome(removed, failures);
    }

    /** Kills what runs in a dead launcher's group and removes it; false when another collector got there first. */
    static boolean collect(CgroupFiles files, Path group) {
        try {
            freezeAndKill(files, group);
            return GroupDirectory.remove(files, group);
        } catch (CgroupException e) {
            if (takenByAnother(e)) {
                return false;
            }
            throw e;
        }
    }

    private static void freezeAndKill(CgroupFiles files, Path group) {
        Path kill = group.resolve("cgroup.kill");
        if (Files.exists(kill)) {
            files.write(kill, "1");
            return;
        }
        Path state = group.resolve("freezer.state");
        if (Files.exists(state)) {
            files.write(state, "FROZEN");
        }
        GroupDirectory.killTasks(files, group);
        if (Files.exists(state)) {
            files.write(state, "THAWED");
        }
    }

    /** ENOENT, ENODEV or EBUSY: the group is gone, being removed, or being emptied by someone else. */
    static boolean takenByAnother(Throwable failure) {
        for (Throwable e = failure; e != null; e = e.getCause()) {
            if (e instanceof NoSuchFileException) {
                return true;
            }
            String message = e instanceof FileSystemException fs ? fs.getReason() : e.getMessage();
            if (e instanceof IOException
                    && message != null
                    && (message.contains("No such device")
                            || message.contains("No such file or directory")
                            || message.contains("Device or resource busy"))) {
                return true;
            }
        }
        return false;
    }
}

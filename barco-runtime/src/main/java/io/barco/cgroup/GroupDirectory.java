package io.barco.cgroup;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One cgroup directory: its tasks, killing them, and removing it once empty. */
final class GroupDirectory {
    private static final int SIGKILL = 9;
    private static final long REMOVE_TIMEOUT_NANOS = 5_000_000_000L;

    private GroupDirectory() {}

    static void create(CgroupFiles files, Path dir) {
        try {
            files.host().mkdir(dir);
        } catch (IOException e) {
            throw new CgroupException("cannot create cgroup " + dir + ": " + CgroupFiles.reason(e), e);
        }
    }

    static List<Integer> tasks(CgroupFiles files, Path dir) {
        List<Integer> pids = new ArrayList<>();
        try {
            for (String line : files.read(dir.resolve("cgroup.procs")).split("\n")) {
                if (!line.isBlank()) {
                    pids.add(Integer.parseInt(line.trim()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone: no tasks
        }
        return pids;
    }

    private static List<Path> children(Path dir) {
        try (java.util.stream.Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .toList();
        } catch (IOException e) {
            return List.of(); // gone, or removed by another collector
        }
    }

    static void killTasks(CgroupFiles files, Path dir) {
        for (int pid : tasks(files, dir)) {
            try {
                files.host().kill(pid, SIGKILL);
            } catch (LastErrorException e) {
                // exited meanwhile
            }
        }
    }

    /**
     * Removes the group, killing what is left in it. Tasks leave a group only once they are fully
     * gone, so this waits (bounded) for the kernel to finish them. Returns whether this call removed
     * it (false: it was gone already, such as when another JVM collected it).
     */
    static boolean remove(CgroupFiles files, Path dir) {
        return remove(files, dir, 0);
    }

    /**
     * Groups below a container's (one per exec) go first: a group with children cannot be removed.
     * They are looked for only once a removal failed, which keeps the common case to one rmdir.
     */
    private static final int MAX_DEPTH = 4;

    private static boolean remove(CgroupFiles files, Path dir, int depth) {
        if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        long deadline = files.host().nanoTime() + REMOVE_TIMEOUT_NANOS;
        for (int attempt = 0; ; attempt++) {
            try {
                files.host().rmdir(dir);
                return true;
            } catch (java.nio.file.NoSuchFileException e) {
                return false;
            } catch (IOException e) {
                if (files.host().nanoTime() > deadline) {
                    throw new CgroupException(
                            "cannot remove cgroup " + dir + ": " + CgroupFiles.reason(e) + " (tasks left: "
                                    + tasks(files, dir) + ")",
                            e);
                }
                killTasks(files, dir);
                if (depth < MAX_DEPTH) {
                    for (Path child : children(dir)) {
                        killTasks(files, child);
                        remove(files, child, depth + 1);
                    }
                }
                try {
                    Thread.sleep(Math.min(50, 1 + attempt));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new CgroupException("interrupted while removing cgroup " + dir, interrupted);
                }
            }
        }
    }
}

package io.barco.cgroup;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The cgroups of one container, created and limited before it starts, read after it ends, then
 * removed. The helper places the container's first process in {@link #procsFiles()} before the
 * command runs, so nothing runs unconstrained.
 */
public interface ContainerCgroup extends AutoCloseable {

    /** How a cgroup filesystem is mounted inside the container, under /sys/fs/cgroup. */
    record Mount(String subdirectory, String fstype, String options) {}

    /** The cgroup.procs files that take the container's first process. */
    List<Path> procsFiles();

    /** The limits written, in the kernel's words: "memory.max to 1G". */
    List<String> settings();

    /** The cgroup filesystems to show inside, each rooted at the container's own group. */
    List<Mount> mounts();

    /** Called once the container is running: starts sampling where the kernel keeps no peak. */
    void started();

    /** Reads the usage; call after the container's first process has been reaped. */
    ResourceUsage usage(Duration wallTime);

    /**
     * A group below this one for a command run in the running container (an exec): no limits of
     * its own (the container's hold for it), its own usage. Closing it kills what is left in it.
     */
    ContainerCgroup createChild(String name);

    /** The group's directories by controller ("" for cgroup v2), as {@link Cgroups#existing} takes them back. */
    java.util.Map<String, Path> directories();

    /** Kills every task left in the container's groups. */
    void killAll();

    /** Kills what is left and removes the groups. Idempotent. */
    @Override
    void close();

    /** The group's path, for messages. */
    String describe();
}

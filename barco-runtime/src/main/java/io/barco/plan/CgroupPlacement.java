package io.barco.plan;

import java.util.List;

/**
 * Where the container's cgroups are: the cgroup.procs files the helper writes the first process's
 * pid to before releasing it, and the cgroup filesystems to mount read-only under /sys/fs/cgroup.
 */
public record CgroupPlacement(List<String> procsFiles, List<Filesystem> filesystems) {
    public static final CgroupPlacement NONE = new CgroupPlacement(List.of(), List.of());

    /** A cgroup filesystem: {@code cgroup2} at /sys/fs/cgroup, or a v1 hierarchy in a subdirectory of it. */
    public record Filesystem(String subdirectory, String fstype, String options) {}

    public CgroupPlacement {
        procsFiles = List.copyOf(procsFiles);
        filesystems = List.copyOf(filesystems);
    }
}

package io.barco.cgroup;

import io.barco.spec.Limits;
import io.barco.spec.Size;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/** A container's group in the unified hierarchy, below a parent group (by default {@code barco}). */
final class CgroupV2 implements ContainerCgroup {
    private final CgroupFiles files;
    private final Path dir;
    private final List<String> settings = new ArrayList<>();
    private final PeakSampler tasksSampler;
    /** Where this group's memory is charged: its own directory, or for an exec's group the container's. */
    private final Path memoryGroup;
    /** The memory group's OOM kills when this group was made: an exec's are those counted after. */
    private final long oomKillsBefore;

    private boolean closed;

    /** A group another process created and removes: this handle makes children in it, and its close leaves it. */
    static ContainerCgroup existing(CgroupFiles files, Path dir) {
        CgroupV2 group = new CgroupV2(files, dir, false);
        group.closed = true;
        return group;
    }

    @Override
    public Map<String, Path> directories() {
        return Map.of("", dir);
    }

    /**
     * A group below the container's, with no controller enabled for it: the container still has a
     * process (init) of its own, and v2 lets a group with processes enable controllers for none of
     * its children. So an exec's group reports its own CPU time (cpu.stat is always there); its
     * memory is charged to the container's group only, so its peak memory is the container's peak
     * when it ends (a bound on its own), and its OOM kills those of the container while it ran. With
     * no pids controller its peak tasks are sampled from cgroup.threads, which every group has, and
     * are at least 1: the exec's process was in it.
     */
    @Override
    public ContainerCgroup createChild(String name) {
        Path child = dir.resolve(name);
        GroupDirectory.create(files, child);
        PeakSampler threads = new PeakSampler(() -> countLines(child.resolve("cgroup.threads")), 1);
        return new CgroupV2(
                files,
                child,
                threads,
                dir,
                files.readKeyed(dir.resolve("memory.events")).getOrDefault("oom_kill", 0L));
    }

    private OptionalLong countLines(Path file) {
        try {
            String text = files.read(file);
            return OptionalLong.of(text.isBlank() ? 0 : text.strip().split("\n").length);
        } catch (java.io.IOException e) {
            return OptionalLong.empty(); // the group is gone
        }
    }

    private CgroupV2(CgroupFiles files, Path dir, boolean sampleTasks) {
        this(files, dir, sampleTasks ? new PeakSampler(files, dir.resolve("pids.current")) : null, null, 0);
    }

    private CgroupV2(CgroupFiles files, Path dir, PeakSampler tasksSampler, Path memoryGroup, long oomKillsBefore) {
        this.files = files;
        this.dir = dir;
        this.tasksSampler = tasksSampler;
        this.memoryGroup = memoryGroup != null ? memoryGroup : dir;
        this.oomKillsBefore = oomKillsBefore;
    }

    static CgroupV2 create(
            CgroupFiles files, Path root, Set<String> available, String parent, String name, Limits limits) {
        Path parentDir = root.resolve(parent);
        List<String> wanted = List.of("memory", "pids", "cpu", "io").stream()
                .filter(available::contains)
                .toList();
        // Controllers reach a group only through its ancestors' subtree_control.
        Path ancestor = root;
        for (Path part : root.relativize(parentDir)) {
            ancestor = ancestor.resolve(part);
            if (!Files.isDirectory(ancestor)) {
                try {
                    files.host().mkdir(ancestor);
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    // another JVM made it meanwhile
                } catch (java.io.IOException e) {
                    throw new CgroupException("cannot create cgroup " + ancestor + ": " + CgroupFiles.reason(e), e);
                }
            }
        }
        // The root group is the host's (systemd's, on most): io, which only measures, is used where
        // the host enables it there already, so a run leaves the root's subtree_control as it was on
        // such hosts; the controllers that enforce limits must be enabled wherever they are not.
        Set<String> atRoot = enabled(files, root);
        List<String> used = wanted.stream()
                .filter(c -> !c.equals("io") || atRoot.contains("io"))
                .toList();
        // down the whole path: a parent below a delegated group (BARCO_CGROUP_PARENT=system.slice/x.scope/barco)
        // gets from it only what each group between them enables
        enable(files, root, used);
        Path between = root;
        for (Path part : root.relativize(parentDir)) {
            between = between.resolve(part);
            enable(files, between, used);
        }
        Path dir = parentDir.resolve(name);
        try {
            GroupDirectory.create(files, dir);
        } catch (CgroupException e) {
            // another JVM removed the parent between our mkdir and this one: once more
            if (Files.isDirectory(parentDir)) {
                throw e;
            }
            return create(files, root, available, parent, name, limits);
        }
        CgroupV2 group = new CgroupV2(
                files, dir, !Files.exists(dir.resolve("pids.peak")) && Files.exists(dir.resolve("pids.current")));
        try {
            limits.memoryLimit().ifPresent(bytes -> {
                group.set("memory.max", Long.toString(bytes), Size.format(bytes));
                if (Files.exists(dir.resolve("memory.swap.max"))) {
                    long swap = limits.memorySwapLimit().orElse(bytes) - bytes;
                    group.set("memory.swap.max", Long.toString(swap), Size.format(swap));
                }
            });
            limits.cpuWeightLimit().ifPresent(w -> group.set("cpu.weight", Integer.toString(w), Integer.toString(w)));
            limits.cpuQuotaMicros()
                    .ifPresent(q -> group.set(
                            "cpu.max", q + " " + Limits.CPU_PERIOD_MICROS, q + " " + Limits.CPU_PERIOD_MICROS));
            limits.pidsLimit().ifPresent(p -> group.set("pids.max", Integer.toString(p), Integer.toString(p)));
            return group;
        } catch (RuntimeException e) {
            group.close();
            throw e;
        }
    }

    private static Set<String> enabled(CgroupFiles files, Path group) {
        Path control = group.resolve("cgroup.subtree_control");
        try {
            return Set.of(files.read(control).trim().split("\\s+"));
        } catch (java.io.IOException e) {
            throw new CgroupException("cannot read " + control + ": " + CgroupFiles.reason(e), e);
        }
    }

    private static void enable(CgroupFiles files, Path group, List<String> controllers) {
        Set<String> enabled = enabled(files, group);
        for (String controller : controllers) {
            if (!enabled.contains(controller)) {
                files.write(group.resolve("cgroup.subtree_control"), "+" + controller);
            }
        }
    }

    private void set(String file, String value, String shown) {
        files.write(dir.resolve(file), value);
        settings.add(file + " to " + shown);
    }

    @Override
    public List<Path> procsFiles() {
        return List.of(dir.resolve("cgroup.procs"));
    }

    @Override
    public List<String> settings() {
        return List.copyOf(settings);
    }

    @Override
    public List<Mount> mounts() {
        return List.of(new Mount("", "cgroup2", null));
    }

    @Override
    public void started() {
        if (tasksSampler != null) {
            tasksSampler.start();
        }
    }

    @Override
    public ResourceUsage usage(Duration wallTime) {
        Map<String, Long> cpu = files.readKeyed(dir.resolve("cpu.stat"));
        Map<String, Long> events = files.readKeyed(memoryGroup.resolve("memory.events"));
        OptionalLong peakTasks = tasksSampler != null ? tasksSampler.stop() : files.readLong(dir.resolve("pids.peak"));
        long[] io = ioBytes();
        return new ResourceUsage(
                files.readLong(memoryGroup.resolve("memory.peak")),
                Optional.ofNullable(cpu.get("user_usec")).map(Duration::ofNanos).map(d -> d.multipliedBy(1000)),
                Optional.ofNullable(cpu.get("system_usec"))
                        .map(Duration::ofNanos)
                        .map(d -> d.multipliedBy(1000)),
                peakTasks,
                tasksSampler != null,
                events.getOrDefault("oom_kill", 0L) - oomKillsBefore,
                io == null ? OptionalLong.empty() : OptionalLong.of(io[0]),
                io == null ? OptionalLong.empty() : OptionalLong.of(io[1]),
                wallTime);
    }

    /** Read and written bytes over all devices of io.stat, or null without the io controller. */
    private long[] ioBytes() {
        Path stat = dir.resolve("io.stat");
        if (!Files.exists(stat)) {
            return null;
        }
        long[] bytes = new long[2];
        try {
            for (String line : files.read(stat).split("\n")) {
                for (String field : line.split(" ")) {
                    if (field.startsWith("rbytes=")) {
                        bytes[0] += Long.parseLong(field.substring(7));
                    } else if (field.startsWith("wbytes=")) {
                        bytes[1] += Long.parseLong(field.substring(7));
                    }
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return null;
        }
        return bytes;
    }

    @Override
    public void killAll() {
        Path kill = dir.resolve("cgroup.kill");
        if (Files.exists(kill)) {
            files.write(kill, "1");
        } else {
            GroupDirectory.killTasks(files, dir);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (tasksSampler != null) {
            tasksSampler.stop();
        }
        if (Files.isDirectory(dir)) {
            try {
                killAll();
            } catch (CgroupException e) {
                // its last task gone, the group may vanish between the look and the write (ENODEV):
                // an exec's group goes with its container's
                if (Files.isDirectory(dir)) {
                    throw e;
                }
            }
        }
        GroupDirectory.remove(files, dir);
    }

    @Override
    public String describe() {
        return dir.toString();
    }
}

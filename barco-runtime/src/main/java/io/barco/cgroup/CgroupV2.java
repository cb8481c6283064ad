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
    private final Path dir;
    private final List<String> settings = new ArrayList<>();
    private final PeakSampler tasksSampler;
    private boolean closed;

    /** A group another process created and removes: this handle makes children in it, and its close leaves it. */
    static ContainerCgroup existing(Path dir) {
        CgroupV2 group = new CgroupV2(dir, false);
        group.closed = true;
        return group;
    }

    @Override
    public Map<String, Path> directories() {
        return Map.of("", dir);
    }

    private CgroupV2(Path dir, boolean sampleTasks) {
        this.dir = dir;
        this.tasksSampler = sampleTasks ? new PeakSampler(dir.resolve("pids.current")) : null;
    }

    static CgroupV2 create(Path root, Set<String> available, String parent, String name, Limits limits) {
        Path parentDir = root.resolve(parent);
        List<String> wanted = List.of("memory", "pids", "cpu", "io").stream().filter(available::contains).toList();
        // Controllers reach a group only through its ancestors' subtree_control.
        try {
            Files.createDirectories(parentDir);
        } catch (java.io.IOException e) {
            throw new CgroupException("cannot create cgroup " + parentDir + ": " + CgroupFiles.reason(e), e);
        }
        enable(root, wanted);
        enable(parentDir, wanted);
        Path dir = parentDir.resolve(name);
        try {
            GroupDirectory.create(dir);
        } catch (CgroupException e) {
            // another JVM removed the parent between our mkdir and this one: once more
            if (Files.isDirectory(parentDir)) {
                throw e;
            }
            return create(root, available, parent, name, limits);
        }
        CgroupV2 group = new CgroupV2(dir, !Files.exists(dir.resolve("pids.peak")) && Files.exists(dir.resolve("pids.current")));
        try {
            limits.memoryLimit().ifPresent(bytes -> {
                group.set("memory.max", Long.toString(bytes), Size.format(bytes));
                if (Files.exists(dir.resolve("memory.swap.max"))) {
                    long swap = limits.memorySwapLimit().orElse(bytes) - bytes;
                    group.set("memory.swap.max", Long.toString(swap), Size.format(swap));
                }
            });
            limits.cpuWeightLimit().ifPresent(w -> group.set("cpu.weight", Integer.toString(w), Integer.toString(w)));
            limits.cpuQuotaMicros().ifPresent(q -> group.set("cpu.max", q + " " + Limits.CPU_PERIOD_MICROS,
                    q + " " + Limits.CPU_PERIOD_MICROS));
            limits.pidsLimit().ifPresent(p -> group.set("pids.max", Integer.toString(p), Integer.toString(p)));
            return group;
        } catch (RuntimeException e) {
            group.close();
            throw e;
        }
    }

    private static void enable(Path group, List<String> controllers) {
        Path control = group.resolve("cgroup.subtree_control");
        try {
            Set<String> enabled = Set.of(CgroupFiles.read(control).trim().split("\\s+"));
            for (String controller : controllers) {
                if (!enabled.contains(controller)) {
                    CgroupFiles.write(control, "+" + controller);
                }
            }
        } catch (java.io.IOException e) {
            throw new CgroupException("cannot read " + control + ": " + CgroupFiles.reason(e), e);
        }
    }

    /**
     * A group below the container's, with no controller enabled for it: the container still has a
     * process (init) of its own, and v2 lets a group with processes enable controllers for none of
     * its children. So an exec's group reports its CPU time (cpu.stat is always there) but not its
     * memory or tasks, which count in the container's group only.
     */
    @Override
    public ContainerCgroup createChild(String name) {
        Path child = dir.resolve(name);
        GroupDirectory.create(child);
        return new CgroupV2(child, false);
    }

    private void set(String file, String value, String shown) {
        CgroupFiles.write(dir.resolve(file), value);
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
        Map<String, Long> cpu = CgroupFiles.readKeyed(dir.resolve("cpu.stat"));
        Map<String, Long> events = CgroupFiles.readKeyed(dir.resolve("memory.events"));
        OptionalLong peakTasks = tasksSampler != null ? tasksSampler.stop() : CgroupFiles.readLong(dir.resolve("pids.peak"));
        long[] io = ioBytes();
        return new ResourceUsage(CgroupFiles.readLong(dir.resolve("memory.peak")),
                Optional.ofNullable(cpu.get("user_usec")).map(Duration::ofNanos).map(d -> d.multipliedBy(1000)),
                Optional.ofNullable(cpu.get("system_usec")).map(Duration::ofNanos).map(d -> d.multipliedBy(1000)),
                peakTasks, tasksSampler != null, events.getOrDefault("oom_kill", 0L),
                io == null ? OptionalLong.empty() : OptionalLong.of(io[0]),
                io == null ? OptionalLong.empty() : OptionalLong.of(io[1]), wallTime);
    }

    /** Read and written bytes over all devices of io.stat, or null without the io controller. */
    private long[] ioBytes() {
        Path stat = dir.resolve("io.stat");
        if (!Files.exists(stat)) {
            return null;
        }
        long[] bytes = new long[2];
        try {
            for (String line : CgroupFiles.read(stat).split("\n")) {
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
            CgroupFiles.write(kill, "1");
        } else {
            GroupDirectory.killTasks(dir);
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
            killAll();
        }
        GroupDirectory.remove(dir);
    }

    @Override
    public String describe() {
        return dir.toString();
    }
}

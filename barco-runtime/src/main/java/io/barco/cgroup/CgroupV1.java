package io.barco.cgroup;

import io.barco.cgroup.CgroupHost.V1Hierarchy;
import io.barco.spec.Limits;
import io.barco.spec.Size;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A container's groups in cgroup v1 hierarchies, one per hierarchy, each below the caller's own
 * group there: whatever limits the caller still limits the container.
 */
final class CgroupV1 implements ContainerCgroup {
    private static final long USER_HZ = 100;

    private final CgroupFiles files;
    private final Map<String, Path> dirs; // controller -> its group directory
    private final List<Mount> mounts = new ArrayList<>();
    private final List<String> settings = new ArrayList<>();
    private PeakSampler tasksSampler; // v1 keeps no peak of tasks: sample pids.current
    private boolean closed;

    private CgroupV1(CgroupFiles files, Map<String, Path> dirs) {
        this.files = files;
        this.dirs = dirs;
    }

    /** Groups another process created and removes: this handle makes children in them, and its close leaves them. */
    static ContainerCgroup existing(CgroupFiles files, Map<String, Path> dirs) {
        CgroupV1 group = new CgroupV1(files, new LinkedHashMap<>(dirs));
        group.closed = true;
        return group;
    }

    @Override
    public Map<String, Path> directories() {
        return java.util.Collections.unmodifiableMap(dirs);
    }

    /**
     * A group below the container's in each of its hierarchies: v1 accounts it apart (memory peak,
     * CPU time, block I/O; tasks sampled) and charges it to the container's groups as well.
     */
    @Override
    public synchronized ContainerCgroup createChild(String name) {
        Map<String, Path> childDirs = new LinkedHashMap<>();
        Map<Path, Path> created = new LinkedHashMap<>();
        CgroupV1 child = new CgroupV1(files, childDirs);
        try {
            for (Map.Entry<String, Path> entry : dirs.entrySet()) {
                Path dir = created.get(entry.getValue());
                if (dir == null) {
                    dir = entry.getValue().resolve(name);
                    GroupDirectory.create(files, dir);
                    created.put(entry.getValue(), dir);
                }
                childDirs.put(entry.getKey(), dir);
            }
            return child;
        } catch (RuntimeException e) {
            child.close();
            throw e;
        }
    }

    static CgroupV1 create(CgroupFiles files, Map<String, V1Hierarchy> hierarchies, String name, Limits limits) {
        Map<String, Path> dirs = new LinkedHashMap<>();
        Map<Path, Path> created = new LinkedHashMap<>(); // hierarchy mount point -> group directory
        CgroupV1 group = new CgroupV1(files, dirs);
        try {
            for (String controller : CgroupHost.CONTROLLERS) {
                V1Hierarchy hierarchy = hierarchies.get(controller);
                if (hierarchy == null) {
                    continue;
                }
                Path dir = created.get(hierarchy.mountPoint());
                if (dir == null) {
                    dir = hierarchy.ownDirectory().resolve(name);
                    GroupDirectory.create(files, dir);
                    created.put(hierarchy.mountPoint(), dir);
                    group.mounts.add(new Mount(hierarchy.controllers(), "cgroup", hierarchy.controllers()));
                }
                dirs.put(controller, dir);
            }
            for (String shown : CgroupHost.SHOWN_ONLY) {
                V1Hierarchy hierarchy = hierarchies.get(shown);
                if (hierarchy != null && !created.containsKey(hierarchy.mountPoint())) {
                    // the container stays in the caller's group there; its cgroup namespace roots the view at it
                    group.mounts.add(new Mount(hierarchy.controllers(), "cgroup", hierarchy.controllers()));
                }
            }
            group.applyLimits(limits);
            return group;
        } catch (RuntimeException e) {
            group.close();
            throw e;
        }
    }

    private void applyLimits(Limits limits) {
        limits.memoryLimit().ifPresent(bytes -> {
            set("memory", "memory.limit_in_bytes", Long.toString(bytes), Size.format(bytes));
            long total = limits.memorySwapLimit().orElse(bytes);
            if (Files.exists(dirs.get("memory").resolve("memory.memsw.limit_in_bytes"))) {
                set("memory", "memory.memsw.limit_in_bytes", Long.toString(total), Size.format(total));
            } else if (total == bytes) {
                // without swap accounting the kernel cannot cap swap; it can avoid it
                set("memory", "memory.swappiness", "0", "0");
            }
        });
        limits.cpuWeightLimit().ifPresent(weight -> {
            long shares = sharesOf(weight);
            set("cpu", "cpu.shares", Long.toString(shares), shares + " (cpu.weight " + weight + ")");
        });
        limits.cpuQuotaMicros().ifPresent(quota -> {
            set(
                    "cpu",
                    "cpu.cfs_period_us",
                    Long.toString(Limits.CPU_PERIOD_MICROS),
                    Long.toString(Limits.CPU_PERIOD_MICROS));
            set("cpu", "cpu.cfs_quota_us", Long.toString(quota), Long.toString(quota));
        });
        limits.pidsLimit().ifPresent(max -> set("pids", "pids.max", Integer.toString(max), Integer.toString(max)));
    }

    /** cgroup v2's weight (1..10000, default 100) as v1 shares (2..262144, default 1024), as runc and crun convert. */
    static long sharesOf(int weight) {
        return 2 + ((weight - 1) * 262142L) / 9999;
    }

    private void set(String controller, String file, String value, String shown) {
        Path dir = dirs.get(controller);
        if (dir == null) {
            throw new CgroupException("no cgroup v1 hierarchy carries the " + controller + " controller");
        }
        files.write(dir.resolve(file), value);
        settings.add(file + " to " + shown);
    }

    @Override
    public List<Path> procsFiles() {
        return dirs.values().stream()
                .distinct()
                .map(d -> d.resolve("cgroup.procs"))
                .toList();
    }

    @Override
    public List<String> settings() {
        return List.copyOf(settings);
    }

    @Override
    public List<Mount> mounts() {
        return List.copyOf(mounts);
    }

    @Override
    public synchronized void started() {
        if (tasksSampler == null && dirs.containsKey("pids")) {
            tasksSampler = new PeakSampler(files, dirs.get("pids").resolve("pids.current"));
            tasksSampler.start();
        }
    }

    @Override
    public synchronized ResourceUsage usage(Duration wallTime) {
        Path memory = dirs.get("memory");
        Path cpuacct = dirs.get("cpuacct");
        OptionalLong peakMemory =
                memory == null ? OptionalLong.empty() : files.readLong(memory.resolve("memory.max_usage_in_bytes"));
        long oomKills = memory == null
                ? 0
                : files.readKeyed(memory.resolve("memory.oom_control")).getOrDefault("oom_kill", 0L);
        Optional<Duration> user = Optional.empty();
        Optional<Duration> system = Optional.empty();
        if (cpuacct != null) {
            OptionalLong userNanos = files.readLong(cpuacct.resolve("cpuacct.usage_user"));
            OptionalLong systemNanos = files.readLong(cpuacct.resolve("cpuacct.usage_sys"));
            if (userNanos.isPresent() && systemNanos.isPresent()) {
                user = Optional.of(Duration.ofNanos(userNanos.getAsLong()));
                system = Optional.of(Duration.ofNanos(systemNanos.getAsLong()));
            } else {
                Map<String, Long> ticks = files.readKeyed(cpuacct.resolve("cpuacct.stat"));
                user = Optional.ofNullable(ticks.get("user")).map(t -> Duration.ofMillis(t * 1000 / USER_HZ));
                system = Optional.ofNullable(ticks.get("system")).map(t -> Duration.ofMillis(t * 1000 / USER_HZ));
            }
        }
        OptionalLong peakTasks = tasksSampler == null ? OptionalLong.empty() : tasksSampler.stop();
        long[] io = ioBytes();
        return new ResourceUsage(
                peakMemory,
                user,
                system,
                peakTasks,
                tasksSampler != null,
                oomKills,
                io == null ? OptionalLong.empty() : OptionalLong.of(io[0]),
                io == null ? OptionalLong.empty() : OptionalLong.of(io[1]),
                wallTime);
    }

    private long[] ioBytes() {
        Path blkio = dirs.get("blkio");
        if (blkio == null) {
            return null;
        }
        long[] bytes = new long[2];
        try {
            for (String line :
                    files.read(blkio.resolve("blkio.throttle.io_service_bytes")).split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 3 && f[1].equals("Read")) {
                    bytes[0] += Long.parseLong(f[2]);
                } else if (f.length == 3 && f[1].equals("Write")) {
                    bytes[1] += Long.parseLong(f[2]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return null;
        }
        return bytes;
    }

    /** Freeze, kill, thaw: nothing can fork while its siblings are being killed. */
    @Override
    public void killAll() {
        Path freezer = dirs.get("freezer");
        Path any =
                freezer != null ? freezer : dirs.values().stream().findFirst().orElse(null);
        if (any == null || GroupDirectory.tasks(files, any).isEmpty()) {
            return;
        }
        if (freezer == null) {
            GroupDirectory.killTasks(files, any);
            return;
        }
        Path state = freezer.resolve("freezer.state");
        files.write(state, "FROZEN");
        try {
            long deadline = files.host().nanoTime() + 1_000_000_000L;
            while (files.host().nanoTime() < deadline
                    && !files.read(state).trim().equals("FROZEN")) {
                Thread.onSpinWait();
            }
        } catch (IOException e) {
            // fall through: kill anyway
        }
        GroupDirectory.killTasks(files, freezer);
        files.write(state, "THAWED");
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
        List<Path> unique = dirs.values().stream().distinct().toList();
        if (unique.stream().anyMatch(Files::isDirectory)) {
            killAll();
        }
        CgroupException failure = null;
        for (Path dir : unique) {
            try {
                GroupDirectory.remove(files, dir);
            } catch (CgroupException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String describe() {
        return dirs.values().stream()
                .distinct()
                .map(Path::toString)
                .reduce((a, b) -> a + ", " + b)
                .orElse("(none)");
    }
}
